/** `comap simulate`: a ComAp cloud simulator on loopback until SIGINT/SIGTERM. */
import { defineCommand, type CommandSpec } from '@x/http-core/cli';
import { startComapSimulator } from '../testing/simulator.js';

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

export const simulateCommand: CommandSpec<never, never> = defineCommand({
  name: 'simulate',
  summary: 'Run a ComAp cloud simulator on 127.0.0.1 until interrupted.',
  description:
    'Prints one JSON line: {"url","key","clientId","secret","loginId","control"}. `control` is the simulator control API (faults, token revocation, what it received; see @x/http-core SIMULATOR-CONTROL.md).',
  options: {
    port: { type: 'integer', min: 0, max: 65_535, default: 0, description: 'port (0: any free one)' },
    units: { type: 'integer', min: 0, max: 10_000, default: 5, description: 'units in the fleet' },
    seed: { type: 'integer', min: 0, default: 1, description: 'seed of the fleet (names, GUIDs, history)' },
    'rate-limit': { type: 'boolean', default: true, description: 'enforce the API\'s 1 request/s per key (--no-rate-limit: off)' },
    'token-limit': { type: 'boolean', default: true, description: 'enforce the Identity API\'s 5 token requests per 5 minutes (--no-token-limit: off)' },
    logins: { type: 'list', valueName: 'login,...', description: 'further logins of the same identity (each reads and controls every unit)' },
    'history-page-size': { type: 'integer', min: 1, default: 500, description: 'history entries per page (nextOffset paging)' },
    'effect-delay': { type: 'duration', default: 0, description: 'how long after a command is accepted its effect shows on the unit (e.g. 3s)' },
  },
  examples: ['comap simulate --port 8080 --units 20'],
  async run({ options, stdout, signal }) {
    const sim = await startComapSimulator({
      port: options.port,
      units: options.units,
      seed: options.seed,
      commandEffectDelayInMs: options['effect-delay'],
      historyPageSize: options['history-page-size'],
      ...(options.logins === undefined ? {} : { logins: options.logins }),
      ...(options['rate-limit'] ? {} : { rateLimit: false }),
      ...(options['token-limit'] ? {} : { tokenRequestLimit: false }),
    });
    try {
      stdout.write(sim.line());
      await aborted(signal);
    } finally {
      await sim.close();
    }
  },
});
