/** `thinq simulate`: the v1 + Connect simulator in this process until interrupted. */
import { defineCommand, type CommandSpec } from '@x/http-core/cli';
import type { SimMonitorType } from '../testing/v1-models.js';

export function simulateCommand(): CommandSpec<never, never> {
  return defineCommand({
    name: 'simulate',
    summary: 'Start the v1 + Connect simulator; prints one JSON line (urls, pat, control, caPath).',
    options: {
      port: { type: 'integer', default: 0, min: 0, max: 65_535, description: 'HTTP port (0: any free port)' },
      'monitor-type': {
        type: 'string',
        default: 'BINARY(BYTE)',
        choices: ['BINARY(BYTE)', 'BINARY(HEX)', 'XML'],
        valueName: 'TYPE',
        description: 'how the v1 washer, dryer and refrigerator send monitor frames',
      },
      tls: { type: 'boolean', default: false, description: "serve HTTPS (the line's tlsCaFile is its CA: pass it to --ca)" },
    },
    async run({ options, stdout, signal }) {
      // Loaded on demand: the simulator (aedes, the test CA) is not needed by the other commands.
      const { startThinqSimulator } = await import('../testing/simulator.js');
      const sim = await startThinqSimulator({ port: options.port, tls: options.tls, v1: { monitorType: options['monitor-type'] as SimMonitorType } });
      try {
        stdout.line(sim.line());
        await new Promise<void>((resolve) => {
          if (signal.aborted) resolve();
          else signal.addEventListener('abort', () => resolve(), { once: true });
        });
      } finally {
        await sim.close();
      }
    },
  });
}
