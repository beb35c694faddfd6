/**
 * `listen`: creates a TCP monitor, prints each pushed event as a JSON line until interrupted
 * (SIGINT 130, SIGTERM 143), then deletes the monitor. Reconnects with backoff when the push
 * connection is lost; a refused login ends it with exit code 1.
 */
import { readFileSync } from 'node:fs';
import { defineCommand } from '@x/http-core/cli';
import { clientFromEnv } from './client-from-env.js';
import { MONITOR_FLAGS, monitorOptionsOf, topicsOf } from './monitor-flags.js';

export const listenCommand = defineCommand({
  name: 'listen',
  summary: 'Print pushed events as JSON lines until interrupted, then delete the monitor.',
  options: {
    ...MONITOR_FLAGS,
    insecure: { type: 'boolean', description: 'plain TCP push (port 3200) instead of TLS' },
    'push-port': { type: 'integer', description: 'push port (default 3201, or 3200 with --insecure)', min: 1, max: 65535 },
    ca: { type: 'string', description: 'PEM file of a CA to trust (private or test CAs)', valueName: 'file' },
  },
  examples: ['devicecloud-monitor listen --topics DeviceCore,DataPoint --insecure --push-port 3200'],
  async run({ options, env, stdout, stderr, signal }) {
    const topics = topicsOf(options.topics);
    const ca = options.ca !== undefined ? readFileSync(options.ca, 'utf8') : undefined;
    const client = clientFromEnv(env, ca);
    let monitorId: number | undefined;
    try {
      monitorId = await client.createTcpMonitor(topics, { batchSize: 1, batchDurationInSeconds: 0, ...monitorOptionsOf(options) }, { signal });
      stderr.line(`monitor ${monitorId} created on ${topics.join(',')}; listening (${options.insecure ? 'plain TCP' : 'TLS'})`);
      const session = client.pushSession(monitorId, {
        secure: !options.insecure,
        ...(options['push-port'] !== undefined ? { port: options['push-port'] } : {}),
        signal,
        handler: (batch) => {
          for (const event of batch.events) stdout.json(event);
        },
      });
      session.on('error', (err) => stderr.line(`error: ${err.message}`));
      session.on('connected', ({ connection }) => stderr.line(`connected (connection ${connection})`));
      session.on('reconnecting', (r) => stderr.line(`reconnecting (attempt ${r.attempt}, in ${r.delayInMs} ms)${r.error ? `: ${r.error.message}` : ''}`));
      // start() settles at the first connection; `done` is the whole life of the session.
      void session.start();
      // Rejects with the fatal error (refused login, TLS verification); resolves when interrupted.
      await session.done;
    } finally {
      if (monitorId !== undefined) {
        const id = monitorId;
        // The interrupt aborted `signal`: the clean-up gets its own short budget.
        await client.deleteMonitor(id, { timeoutInMs: 5000 }).then(
          () => stderr.line(`monitor ${id} deleted`),
          (err: Error) => stderr.line(`could not delete monitor ${id}: ${err.message}`),
        );
      }
      await client.close();
    }
  },
});
