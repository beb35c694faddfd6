/**
 * `listen` (alias `push-client`, the seed's `push_client.py` interface): creates a TCP monitor
 * (after deleting one with the same topics, as the seed does) or attaches to `--monitor ID`,
 * prints each pushed event as a JSON line until interrupted (SIGINT 130, SIGTERM 143), then
 * deletes the monitor it created. Reconnects with backoff; a refused login ends it with exit 1.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, defineCommand } from '@x/http-core/cli';
import type { DeviceCloudClient } from '../client.js';
import type { CompressionOption, FormatOption } from '../monitor-model.js';
import { clientFor } from './client-from-env.js';
import { LISTEN_ARGS, LISTEN_FLAGS } from './listen-flags.js';
import { topicsOf } from './monitor-flags.js';

interface Target {
  monitorId: number;
  ackOption: 'off' | 'explicit';
  replay: boolean;
  /** Whether this command created the monitor (and deletes it at the end). */
  created: boolean;
}

interface ListenValues {
  topics: string[];
  compression: string;
  format: string;
  batchsize: number;
  batchduration: number;
  monitor?: number | undefined;
  ack?: string | undefined;
}

async function target(client: DeviceCloudClient, options: ListenValues, signal: AbortSignal): Promise<Target> {
  const ack = options.ack as 'off' | 'explicit' | undefined;
  if (options.monitor !== undefined) {
    const monitor = await client.getMonitorById(options.monitor, { signal });
    if (!monitor) throw new ConfigError(`monitor ${options.monitor} does not exist`);
    const ackOption = ack ?? (monitor.ackOption === 'explicit' ? 'explicit' : 'off');
    return { monitorId: options.monitor, ackOption, replay: ackOption === 'explicit' && monitor.autoReplayOnConnect, created: false };
  }
  const topics = topicsOf(options.topics);
  // As push_client.py: a monitor on the same topics is replaced.
  const existing = await client.getMonitor(topics, { signal });
  if (existing) await client.deleteMonitor(existing.id, { signal });
  const monitorId = await client.createTcpMonitor(
    topics,
    {
      compression: options.compression as CompressionOption,
      format: options.format as FormatOption,
      batchSize: options.batchsize,
      batchDurationInSeconds: options.batchduration,
      ...(ack !== undefined ? { ackOption: ack } : {}),
    },
    { signal },
  );
  return { monitorId, ackOption: ack ?? 'off', replay: false, created: true };
}

function makeListenCommand(name: 'listen' | 'push-client', summary: string) {
  return defineCommand({
    name,
    summary,
    args: LISTEN_ARGS,
    options: LISTEN_FLAGS,
    examples: [
      `devicecloud-monitor ${name} user password -t DeviceCore,DataPoint -f xml -b 10 -d 5`,
      `devicecloud-monitor ${name} --monitor 178000 --ack explicit`,
    ],
    async run({ args, options, env, stdout, stderr, signal }) {
      const username = args.username ?? env.DC_USERNAME;
      const password = args.password ?? env.DC_PASSWORD;
      if (!username || password === undefined) throw new ConfigError('give username and password, or set DC_USERNAME and DC_PASSWORD');
      const ca = options.ca !== undefined ? readFileSync(options.ca, 'utf8') : undefined;
      const client = clientFor({ username, password, host: options.host, ca });
      let chosen: Target | undefined;
      try {
        chosen = await target(client, options, signal);
        const what = chosen.created ? `created on ${options.topics.join(',')}` : 'attached';
        stderr.line(`monitor ${chosen.monitorId} ${what}; listening (${options.insecure ? 'plain TCP' : 'TLS'}, acks ${chosen.ackOption})`);
        const session = client.pushSession(chosen.monitorId, {
          secure: !options.insecure,
          ackOption: chosen.ackOption,
          replayUnacknowledged: chosen.replay,
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
        if (chosen?.created) {
          const id = chosen.monitorId;
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
}

export const listenCommand = makeListenCommand('listen', 'Print pushed events as JSON lines until interrupted (push_client.py flags); delete the monitor it created.');
export const pushClientCommand = makeListenCommand('push-client', 'The same as `listen`, under the name of the seed push_client.py.');
