// `fleet devices` and `fleet export`: read the stored fleet (no vendor is contacted), from the
// database, or through the running service's API when one holds the embedded database.
import { createWriteStream } from 'node:fs';
import { defineCommand } from '@x/http-core/cli';
import { csvChunks } from '../csv.js';
import { DataDirLockedError, type DataDirLock } from '../storage/data-lock.js';
import { lockStorage, openStorage } from '../storage/open.js';
import type { FleetStore } from '../storage/store.js';
import { RemoteService, csvRecordCounter } from './remote.js';
import { CONFIG_OPTION, DATA_DIR_OPTION, TIME_HELP, configFor, lockedExit, timeRange, type ProgramHooks } from './shared.js';

type Output = { write(text: string): void };

/** Where the stored fleet is read from: the database itself, or the running service that holds it. */
type DataSource = { store: FleetStore; remote?: undefined } | { store?: undefined; remote: RemoteService };

/**
 * Runs `use` on the data: with PostgreSQL, or an embedded database no process holds, on the database
 * (locked meanwhile, so no service starts on it halfway); when a running service holds the embedded
 * database, through its HTTP API. DataDirLockedError when the holder does not serve yet.
 */
async function withData<T>(
  command: string,
  options: { config: string | undefined; 'data-dir': string | undefined },
  ctx: { env: Readonly<Record<string, string | undefined>>; signal: AbortSignal },
  hooks: ProgramHooks,
  use: (source: DataSource) => Promise<T>,
): Promise<T> {
  const config = await configFor(options.config, ctx.env, hooks);
  const storage = { databaseUrl: config.storage.databaseUrl, dataDir: options['data-dir'] ?? config.storage.dataDir };
  let lock: DataDirLock | undefined;
  try {
    lock = await lockStorage(storage, `fleet ${command}`);
  } catch (err) {
    if (!(err instanceof DataDirLockedError) || err.holder.url === null) throw err;
    return use({ remote: new RemoteService({ ...err.holder, url: err.holder.url }, config.server.accessToken, ctx.signal) });
  }
  try {
    const store = await openStorage(storage);
    try {
      return await use({ store });
    } finally {
      await store.close();
    }
  } finally {
    await lock?.release();
  }
}

/** Runs a data command; a data folder held by a process that does not serve yet exits 75 with its holder. */
async function lockAware(stderr: { line(text: string): void }, fn: () => Promise<void>): Promise<number> {
  try {
    await fn();
    return 0;
  } catch (err) {
    if (err instanceof DataDirLockedError) return lockedExit(stderr, err);
    throw err;
  }
}

async function printDevices(source: DataSource, json: boolean, stdout: Output): Promise<void> {
  const list = source.store ? await source.store.listDevices() : await source.remote.devices();
  if (json) {
    stdout.write(`${JSON.stringify(list, null, 2)}\n`);
    return;
  }
  if (list.length === 0) {
    stdout.write('no devices stored yet (run `fleet start` or `fleet demo` first)\n');
    return;
  }
  const rows = list.map((d) => [d.id, d.vendor, d.kind, d.online ? 'online' : 'offline', d.name, d.lastSeen ?? '-']);
  const head = ['ID', 'VENDOR', 'KIND', 'STATE', 'NAME', 'LAST SEEN'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  for (const r of [head, ...rows]) stdout.write(`${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()}\n`);
}

/** Writes the CSV to `file` (respecting backpressure) or stdout; resolves to the number of readings. */
async function writeCsv(chunks: AsyncIterable<string>, file: string | undefined, stdout: Output): Promise<number> {
  const counter = csvRecordCounter();
  const out = file === undefined ? undefined : createWriteStream(file);
  for await (const chunk of chunks) {
    counter.feed(chunk);
    if (!out) stdout.write(chunk);
    else if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  if (out) await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return counter.records;
}

export function dataCommands(hooks: ProgramHooks): ReturnType<typeof defineCommand>[] {
  return [
    defineCommand({
      name: 'devices',
      summary: 'List the stored devices.',
      options: { ...CONFIG_OPTION, ...DATA_DIR_OPTION, json: { type: 'boolean', description: 'print JSON' } },
      run: ({ options, env, signal, stdout, stderr }) =>
        lockAware(stderr, () => withData('devices', options, { env, signal }, hooks, (source) => printDevices(source, options.json, stdout))),
    }),
    defineCommand({
      name: 'export',
      summary: 'Write readings as CSV.',
      options: {
        ...CONFIG_OPTION,
        ...DATA_DIR_OPTION,
        from: { type: 'string', valueName: 'time', description: 'first reading time (default: the oldest)' },
        to: { type: 'string', valueName: 'time', description: 'last reading time (default: now)' },
        device: { type: 'string', valueName: 'id', description: 'only this device' },
        metric: { type: 'string', valueName: 'name', description: 'only this metric' },
        out: { type: 'string', valueName: 'file', description: 'write to this file instead of stdout' },
      },
      examples: [TIME_HELP],
      run({ options, env, signal, stdout, stderr }) {
        const range = timeRange(options.from, options.to, Date.now());
        const query = { from: range.from ?? 0, to: range.to, deviceId: options.device, metric: options.metric };
        return lockAware(stderr, () =>
          withData('export', options, { env, signal }, hooks, async (source) => {
            const chunks = source.store ? csvChunks(source.store.exportReadings(query)) : source.remote.exportCsv(query);
            const count = await writeCsv(chunks, options.out, stdout);
            if (options.out !== undefined) stderr.line(`fleet: wrote ${count} readings to ${options.out}`);
          }),
        );
      },
    }),
  ];
}
