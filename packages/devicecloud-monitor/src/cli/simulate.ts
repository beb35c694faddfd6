/** `simulate`: the Device Cloud simulator on loopback until interrupted; prints its JSON line first. */
import { defineCommand } from '@x/http-core/cli';
import { simulatorLine } from '@x/http-core/testing';
import { DeviceCloudSimulator } from '../testing/simulator.js';
import { aborted } from './client-from-env.js';

export const simulateCommand = defineCommand({
  name: 'simulate',
  summary: 'Run the simulator; prints {"url","host","pushPort","tlsPort","username","password","control","caPath"}.',
  options: {
    port: { type: 'integer', description: 'REST port (0: any free one)', default: 0, min: 0, max: 65535 },
    'push-port': { type: 'integer', description: 'plain TCP push port (3200 is the protocol\'s own)', default: 0, min: 0, max: 65535 },
    'tls-port': { type: 'integer', description: 'TLS push port (3201 is the protocol\'s own)', default: 0, min: 0, max: 65535 },
    host: { type: 'string', description: 'interface to listen on', default: '127.0.0.1' },
    username: { type: 'string', description: 'account user name (default DC_USERNAME or sim-user)' },
    password: { type: 'string', description: 'account password (default DC_PASSWORD or random)', secret: true },
    'events-per-second': { type: 'number', description: 'generate DataPoint events at this rate', min: 0.001 },
    devices: { type: 'integer', description: 'devices of the generator', default: 3, min: 1 },
  },
  examples: ['devicecloud-monitor simulate --push-port 3200 --tls-port 3201'],
  async run({ options, env, stdout, signal }) {
    const password = options.password ?? env.DC_PASSWORD;
    const sim = await DeviceCloudSimulator.start({
      host: options.host,
      port: options.port,
      pushPort: options['push-port'],
      tlsPort: options['tls-port'],
      username: options.username ?? env.DC_USERNAME ?? 'sim-user',
      ...(password !== undefined ? { password } : {}),
      writeCaFile: true,
    });
    const eps = options['events-per-second'];
    const stop = eps !== undefined ? sim.generate({ eventsPerSecond: eps, devices: options.devices }) : undefined;
    const fields = { url: sim.url, host: sim.host, pushPort: sim.pushPort, tlsPort: sim.tlsPort, username: sim.username, password: sim.password };
    stdout.write(simulatorLine(fields, { control: sim.controlUrl, ...(sim.caPath !== undefined ? { caPath: sim.caPath } : {}) }));
    try {
      await aborted(signal);
    } finally {
      stop?.();
      await sim.close();
    }
  },
});
