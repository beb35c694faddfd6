// `fleet devices` and `fleet export`: read the stored fleet (no vendor is contacted).
import { createWriteStream } from 'node:fs';
import { defineCommand } from '@x/http-core/cli';
import { csvChunks } from '../csv.js';
import { openStorage } from '../storage/open.js';
import type { ExportRow, FleetStore } from '../storage/store.js';
import { CONFIG_OPTION, DATA_DIR_OPTION, TIME_HELP, configFor, timeRange, type ProgramHooks } from './shared.js';

type Output = { write(text: string): void };

async function withStore<T>(
  options: { config: string | undefined; 'data-dir': string | undefined },
  env: Readonly<Record<string, string | undefined>>,
  hooks: ProgramHooks,
  use: (store: FleetStore) => Promise<T>,
): Promise<T> {
  const config = await configFor(options.config, env, hooks);
  const store = await openStorage({ databaseUrl: config.storage.databaseUrl, dataDir: options['data-dir'] ?? config.storage.dataDir });
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

async function printDevices(store: FleetStore, json: boolean, stdout: Output): Promise<void> {
  const list = await store.listDevices();
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
async function writeCsv(rows: AsyncIterable<ExportRow>, file: string | undefined, stdout: Output): Promise<number> {
  let count = 0;
  async function* counted<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
    for await (const row of source) {
      count += 1;
      yield row;
    }
  }
  const out = file === undefined ? undefined : createWriteStream(file);
  for await (const chunk of csvChunks(counted(rows))) {
    if (!out) stdout.write(chunk);
    else if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  if (out) await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return count;
}

export function dataCommands(hooks: ProgramHooks): ReturnType<typeof defineCommand>[] {
  return [
    defineCommand({
      name: 'devices',
      summary: 'List the stored devices.',
      options: { ...CONFIG_OPTION, ...DATA_DIR_OPTION, json: { type: 'boolean', description: 'print JSON' } },
      run: ({ options, env, stdout }) => withStore(options, env, hooks, (store) => printDevices(store, options.json, stdout)),
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
      async run({ options, env, stdout, stderr }) {
        const range = timeRange(options.from, options.to, Date.now());
        const from = range.from ?? 0;
        await withStore(options, env, hooks, async (store) => {
          const rows = store.exportReadings({ from, to: range.to, deviceId: options.device, metric: options.metric });
          const count = await writeCsv(rows, options.out, stdout);
          if (options.out !== undefined) stderr.line(`fleet: wrote ${count} readings to ${options.out}`);
        });
      },
    }),
  ];
}
