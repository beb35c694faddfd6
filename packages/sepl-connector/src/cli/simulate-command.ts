/** `sepl-connector simulate`: the loopback platform, with the shared control API. */
import { defineCommand } from '@x/http-core/cli';
import { simulatorLine } from '@x/http-core/testing';
import { startSeplSimulator } from '../testing/simulator.js';
import { envConfig } from './shared.js';

export const simulateCommand = defineCommand({
  name: 'simulate',
  summary: 'Start the loopback simulator; prints one JSON line with its URLs, credentials and control API.',
  description: 'Runs until SIGINT/SIGTERM. Drive it from outside through `control` (faults, drops, revoked credentials, pushed commands).',
  options: {
    port: { type: 'integer', min: 0, max: 65535, default: 0, description: 'port (0: any free one)' },
    user: { type: 'string', description: 'accepted user (default CONNECTOR_USER or "sepl")' },
    password: { type: 'string', secret: true, description: 'its password (default CONNECTOR_PASSWORD or "sepl-password")' },
  },
  examples: ['sepl-connector simulate --port 8080 > sim.json'],
  async run({ options, env, stdout, signal }) {
    const config = envConfig(env);
    const user = options.user ?? config.user ?? 'sepl';
    const password = options.password ?? config.password ?? 'sepl-password';
    const sim = await startSeplSimulator({ port: options.port, users: { [user]: password }, registrationPath: config.registrationPath });
    try {
      stdout.write(
        simulatorLine(
          { lookupUrl: sim.lookupUrl, websocketUrl: sim.websocketUrl, url: sim.url, registrationPath: config.registrationPath, user, password },
          { control: sim.controlUrl },
        ),
      );
      await new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        else signal.addEventListener('abort', () => resolve(), { once: true });
      });
    } finally {
      await sim.close();
    }
  },
});
