// `fleet backfill`: load vendor history (ComAp) into the database, with a progress bar on stderr.
import { UsageError, defineCommand } from '@x/http-core/cli';
import { startFleet, type FleetApp } from '../app.js';
import { hasVendors } from '../config.js';
import { createLogger } from '../log.js';
import { VENDORS, type Vendor } from '../model.js';
import { createProgressBar, type ProgressStream } from '../progress.js';
import { DataDirLockedError } from '../storage/data-lock.js';
import { CONFIG_OPTION, DATA_DIR_OPTION, TIME_HELP, configFor, lockedExit, timeRange, type ProgramHooks } from './shared.js';

/** Runs every wanted connector's backfill in turn; resolves to true when all succeeded. */
async function backfillAll(app: FleetApp, wanted: readonly string[], range: { from: number; to: number }, progress: ProgressStream, signal: AbortSignal): Promise<boolean> {
  const targets = [...app.connectors.entries()].filter(([vendor, c]) => c.backfill && (wanted.length === 0 || wanted.includes(vendor)));
  if (targets.length === 0) throw new Error('no configured vendor offers history (backfill works for ComAp)');
  let ok = true;
  for (const [vendor, connector] of targets) {
    const bar = createProgressBar(progress, `backfill ${vendor}`);
    try {
      const n = await connector.backfill!(range, (p) => bar.update(p.done, p.total, p.label), signal);
      bar.finish(`backfill ${vendor}: ${n} new readings`);
    } catch (err) {
      ok = false;
      bar.finish(`backfill ${vendor} failed: ${(err as Error).message}`);
    }
  }
  return ok;
}

export function backfillCommand(hooks: ProgramHooks): ReturnType<typeof defineCommand> {
  return defineCommand({
    name: 'backfill',
    summary: 'Load history from the vendors (ComAp).',
    options: {
      ...CONFIG_OPTION,
      ...DATA_DIR_OPTION,
      from: { type: 'string', required: true, valueName: 'time', description: 'start of the history to load' },
      to: { type: 'string', valueName: 'time', description: 'end of the history (default: now)' },
      vendor: { type: 'list', choices: VENDORS, valueName: 'vendor', description: 'only these vendors (repeat or comma-separate)' },
      demo: { type: 'boolean', description: 'load from the built-in simulators' },
    },
    examples: ['fleet backfill --from 2026-01-01 --vendor comap', TIME_HELP],
    async run({ options, env, stderr, signal }) {
      const { from, to } = timeRange(options.from, options.to, Date.now());
      if (from === undefined) throw new UsageError('backfill needs --from');
      const wanted: readonly Vendor[] = (options.vendor ?? []) as Vendor[];
      const config = await configFor(options.config, env, hooks);
      let app: FleetApp;
      try {
        app = await startFleet({
          demo: options.demo || !hasVendors(config),
          config,
          collect: false,
          port: 0,
          purpose: 'fleet backfill',
          ...(options['data-dir'] !== undefined ? { dataDir: options['data-dir'] } : {}),
          logger: createLogger('warn', (line) => stderr.write(line)),
        });
      } catch (err) {
        if (err instanceof DataDirLockedError) return lockedExit(stderr, err);
        throw err;
      }
      try {
        return (await backfillAll(app, wanted, { from, to }, hooks.progress ?? stderr, signal)) ? 0 : 1;
      } finally {
        await app.stop();
      }
    },
  });
}
