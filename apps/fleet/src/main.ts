// The `fleet` command line: start, demo, devices, export, backfill. `main(argv, io)` is the whole
// CLI (tested in-process); cli.ts only wires it to the real process.
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { startFleet, type FleetApp, type StartFleetOptions } from './app.js';
import { ConfigError, hasVendors, loadConfig, type FleetConfig } from './config.js';
import { csvChunks } from './csv.js';
import { parseTime } from './http/params.js';
import { createLogger } from './log.js';
import { VENDORS, isVendor } from './model.js';
import { createProgressBar, type ProgressStream } from './progress.js';
import { openStorage } from './storage/open.js';
import { VERSION } from './version.js';

export interface CliIo {
  stdout: ProgressStream;
  stderr: ProgressStream;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Aborted on SIGINT/SIGTERM: a running server stops and main resolves. */
  signal?: AbortSignal;
  /** Called with the running app (tests use it to reach the server). */
  onStarted?: (app: FleetApp) => void;
}

export const USAGE = `Usage: fleet <command> [options]

Commands:
  start      run the fleet service with fleet.config.json / environment variables
             (with no vendor configured it runs on the built-in simulators, like demo)
  demo       run on the four built-in simulators (no account needed)
  devices    list the stored devices
  export     write readings as CSV:  export [--from T] [--to T] [--device ID] [--metric M] [--out FILE]
  backfill   load history from the vendors:  backfill --from T [--to T] [--vendor comap]
  help       show this text

Options:
  --config FILE     configuration file (default ./fleet.config.json, or FLEET_CONFIG)
  --host HOST       bind address (default 127.0.0.1; other addresses need an access token)
  --port N          port (default 8080; 0 = any free port)
  --data-dir DIR    embedded database folder (default ./.fleet-data; DATABASE_URL uses PostgreSQL)
  --json            devices: print JSON
  --version         print the version

Times (T) are ISO-8601 (2026-01-31, 2026-01-31T12:00:00Z) or epoch milliseconds.
`;

class UsageError extends Error {
  override readonly name = 'UsageError';
}

const OPTIONS = {
  config: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  'data-dir': { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  device: { type: 'string' },
  metric: { type: 'string' },
  out: { type: 'string' },
  vendor: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  demo: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

function time(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseTime(`--${name}`, text);
  } catch {
    throw new UsageError(`--${name}: expected an ISO-8601 time or epoch milliseconds, got ${JSON.stringify(text)}`);
  }
}

function port(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw new UsageError(`--port: expected 0-65535, got ${JSON.stringify(text)}`);
  return Number(text);
}

async function configFor(values: Values, io: CliIo): Promise<FleetConfig> {
  const { config } = await loadConfig({ file: values.config, env: io.env ?? process.env, cwd: io.cwd });
  return config;
}

function untilAborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!signal) return;
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

async function serve(values: Values, io: CliIo, demo: boolean): Promise<number> {
  const config = await configFor(values, io);
  const runDemo = demo || !hasVendors(config);
  if (!demo && runDemo) io.stderr.write('fleet: no vendor configured (fleet.config.json or environment): running on the built-in simulators\n');
  const options: StartFleetOptions = {
    demo: runDemo,
    config,
    logger: createLogger(config.logLevel, (line) => io.stderr.write(line)),
  };
  const h = values.host;
  const p = port(values.port);
  if (h !== undefined) options.host = h;
  if (p !== undefined) options.port = p;
  if (values['data-dir'] !== undefined) options.dataDir = values['data-dir'];
  const app = await startFleet(options);
  io.stdout.write(`fleet: listening on ${app.url}\n`);
  if (runDemo) io.stderr.write(`fleet: demo on the built-in simulators; open ${app.url} in a browser (Ctrl+C to stop)\n`);
  io.onStarted?.(app);
  await untilAborted(io.signal);
  io.stderr.write('fleet: stopping\n');
  await app.stop();
  return 0;
}

async function devices(values: Values, io: CliIo): Promise<number> {
  const config = await configFor(values, io);
  const store = await openStorage({ databaseUrl: config.storage.databaseUrl, dataDir: values['data-dir'] ?? config.storage.dataDir });
  try {
    const list = await store.listDevices();
    if (values.json) {
      io.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      return 0;
    }
    if (list.length === 0) {
      io.stdout.write('no devices stored yet (run `fleet start` or `fleet demo` first)\n');
      return 0;
    }
    const rows = list.map((d) => [d.id, d.vendor, d.kind, d.online ? 'online' : 'offline', d.name, d.lastSeen ?? '-']);
    const head = ['ID', 'VENDOR', 'KIND', 'STATE', 'NAME', 'LAST SEEN'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    for (const r of [head, ...rows]) io.stdout.write(`${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()}\n`);
    return 0;
  } finally {
    await store.close();
  }
}

async function exportCsv(values: Values, io: CliIo): Promise<number> {
  const from = time('from', values.from) ?? 0;
  const to = time('to', values.to) ?? Date.now();
  if (from > to) throw new UsageError('--from must not be after --to');
  const config = await configFor(values, io);
  const store = await openStorage({ databaseUrl: config.storage.databaseUrl, dataDir: values['data-dir'] ?? config.storage.dataDir });
  try {
    const out = values.out ? createWriteStream(values.out) : undefined;
    let rows = 0;
    async function* counted<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
      for await (const row of source) {
        rows += 1;
        yield row;
      }
    }
    for await (const chunk of csvChunks(counted(store.exportReadings({ from, to, deviceId: values.device, metric: values.metric })))) {
      if (out) {
        if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      } else io.stdout.write(chunk);
    }
    if (out) {
      await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
      io.stderr.write(`fleet: wrote ${rows} readings to ${values.out}\n`);
    }
    return 0;
  } finally {
    await store.close();
  }
}

async function backfill(values: Values, io: CliIo): Promise<number> {
  const from = time('from', values.from);
  if (from === undefined) throw new UsageError('backfill needs --from');
  const to = time('to', values.to) ?? Date.now();
  if (from > to) throw new UsageError('--from must not be after --to');
  const wanted = values.vendor ?? [];
  for (const v of wanted) if (!isVendor(v)) throw new UsageError(`--vendor: expected one of ${VENDORS.join(', ')}, got ${JSON.stringify(v)}`);
  const config = await configFor(values, io);
  const demo = values.demo === true || !hasVendors(config);
  const app = await startFleet({
    demo,
    config,
    collect: false,
    port: 0,
    ...(values['data-dir'] !== undefined ? { dataDir: values['data-dir'] } : {}),
    logger: createLogger('warn', (line) => io.stderr.write(line)),
  });
  try {
    const targets = [...app.connectors.entries()].filter(([vendor, c]) => c.backfill && (wanted.length === 0 || wanted.includes(vendor)));
    if (targets.length === 0) {
      io.stderr.write('fleet: no configured vendor offers history (backfill works for ComAp)\n');
      return 1;
    }
    let failed = false;
    for (const [vendor, connector] of targets) {
      const bar = createProgressBar(io.stderr, `backfill ${vendor}`);
      try {
        const n = await connector.backfill!({ from, to }, (p) => bar.update(p.done, p.total, p.label), io.signal ?? new AbortController().signal);
        bar.finish(`backfill ${vendor}: ${n} new readings`);
      } catch (err) {
        failed = true;
        bar.finish(`backfill ${vendor} failed: ${(err as Error).message}`);
      }
    }
    return failed ? 1 : 0;
  } finally {
    await app.stop();
  }
}

/** Runs the CLI; resolves with the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    io.stderr.write(`fleet: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const command = positionals[0] ?? 'help';
  if (values.help || command === 'help') {
    io.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length > 1) {
    io.stderr.write(`fleet: unexpected argument ${JSON.stringify(positionals[1])}\n\n${USAGE}`);
    return 2;
  }
  try {
    switch (command) {
      case 'start':
        return await serve(values, io, false);
      case 'demo':
        return await serve(values, io, true);
      case 'devices':
        return await devices(values, io);
      case 'export':
        return await exportCsv(values, io);
      case 'backfill':
        return await backfill(values, io);
      default:
        io.stderr.write(`fleet: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`fleet: ${err.message}\n`);
      return 2;
    }
    if (err instanceof ConfigError) {
      io.stderr.write(`fleet: ${err.message}\n`);
      return 78;
    }
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      io.stderr.write(`fleet: cannot listen: ${(err as Error).message} (choose another --port)\n`);
      return 1;
    }
    io.stderr.write(`fleet: ${(err as Error).message}\n`);
    return 1;
  }
}


