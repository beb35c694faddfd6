/** `sepl-connector simulate`: the loopback platform, with the shared control API. */
import { defineCommand } from '@x/http-core/cli';
import { simulatorLine, writeCaFile } from '@x/http-core/testing';
import { startSeplSimulator } from '../testing/simulator.js';
import { envConfig } from './shared.js';

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** The G3 platform (token endpoint, hub and device REST, TLS MQTT broker) until interrupted. */
async function simulateG3(port: number, user: string, password: string, clientId: string, stdout: { write(text: string): void }, signal: AbortSignal): Promise<void> {
  // loaded on demand: aedes is an optional peer, needed only here
  const { startSeplG3Simulator } = await import('../testing/g3-simulator.js');
  const sim = await startSeplG3Simulator({ port, users: { [user]: password }, clientId });
  const ca = await writeCaFile(sim.caPem);
  try {
    stdout.write(
      simulatorLine(
        { protocol: 'g3', tokenUrl: sim.tokenUrl, hubUrl: sim.hubUrl, deviceUrl: sim.deviceUrl, mqttUrl: sim.mqttUrl, clientId, user, password },
        { control: sim.controlUrl, caPath: ca.path },
      ),
    );
    await untilAborted(signal);
  } finally {
    await sim.close();
    await ca.remove();
  }
}

export const simulateCommand = defineCommand({
  name: 'simulate',
  summary: 'Start the loopback simulator; prints one JSON line with its URLs, credentials and control API.',
  description: 'Runs until SIGINT/SIGTERM. Drive it from outside through `control` (faults, drops, revoked credentials, pushed commands).',
  options: {
    port: { type: 'integer', min: 0, max: 65535, default: 0, description: 'port (0: any free one)' },
    user: { type: 'string', description: 'accepted user (default CONNECTOR_USER or "sepl")' },
    password: { type: 'string', secret: true, description: 'its password (default CONNECTOR_PASSWORD or "sepl-password")' },
    protocol: { type: 'string', choices: ['g2', 'g3'], default: 'g2', description: 'g2: the SEPL websocket platform (G1 and G2); g3: SENERGY (OpenID, hub/device REST, MQTT over TLS)' },
    'client-id': { type: 'string', default: 'client-connector-lib', description: 'g3: the OpenID client id the token endpoint accepts' },
  },
  examples: ['sepl-connector simulate --port 8080 > sim.json', 'sepl-connector simulate --protocol g3 > sim.json'],
  async run({ options, env, stdout, signal }) {
    const config = envConfig(env);
    const user = options.user ?? config.user ?? 'sepl';
    const password = options.password ?? config.password ?? 'sepl-password';
    if (options.protocol === 'g3') return simulateG3(options.port, user, password, options['client-id'], stdout, signal);
    const sim = await startSeplSimulator({ port: options.port, users: { [user]: password }, registrationPath: config.registrationPath });
    try {
      stdout.write(
        simulatorLine(
          { lookupUrl: sim.lookupUrl, websocketUrl: sim.websocketUrl, url: sim.url, registrationPath: config.registrationPath, user, password },
          { control: sim.controlUrl },
        ),
      );
      await untilAborted(signal);
    } finally {
      await sim.close();
    }
  },
});
