/**
 * The `comap` command line: `simulate`, and the API calls against `COMAP_BASE_URL` (default the
 * real API) with credentials from `COMAP_KEY`, `COMAP_CLIENT_ID`, `COMAP_SECRET`, `COMAP_LOGIN_ID`.
 * Output is JSON lines (or CSV for history); errors go to stderr with a non-zero exit code.
 */
import { parseArgs } from 'node:util';
import { ComapClient } from './client.js';
import type { ComapCommand } from './command.js';
import type { HistoryEntry } from './types.js';
import { startComapSimulator } from './testing/simulator.js';

export interface CliIO {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
  /** Stops `simulate` (the bin wires SIGINT/SIGTERM to it). */
  signal?: AbortSignal;
  /** Used instead of the environment's credentials (tests inject a client). */
  client?: ComapClient;
}

export const USAGE = `Usage: comap <command> [options]

  simulate [--port N] [--units N] [--seed N] [--no-rate-limit]
      Start a ComAp cloud simulator on 127.0.0.1; prints {"url","key","clientId","secret","loginId"}.
  units                                  List units (JSON lines).
  values <unit> [--guids G1,G2]          Current values of a unit.
  info <unit> | permissions <unit> | comments <unit> | files <unit>
  history <unit> --from MM/DD/YYYY --to MM/DD/YYYY [--guids G1,G2] [--format json|csv]
  download <unit> <fileName> [--out DIR]
  command <unit> <name> [--mode M] [--index N] [--action A] [--value V] [--guid G] [--timer JSON]
  command <unit> --json '{"command":"start"}'

<unit> is a unit GUID (genset + 32 hex) or a part of a unit's name.
Environment: COMAP_KEY, COMAP_CLIENT_ID, COMAP_SECRET, COMAP_LOGIN_ID, COMAP_BASE_URL.
`;

class UsageError extends Error {}

const GUID = /^genset[0-9a-f]{32}$/i;

function line(io: CliIO, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value)}\n`);
}

function csvField(value: string | number | Date | unknown[] | null | undefined): string {
  const text = value === undefined || value === null ? '' : value instanceof Date ? value.toISOString() : Array.isArray(value) ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function intOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number, got ${JSON.stringify(value)}`);
  return Number(value);
}

function clientFrom(io: CliIO): ComapClient {
  if (io.client) return io.client;
  const missing = ['COMAP_KEY', 'COMAP_CLIENT_ID', 'COMAP_SECRET', 'COMAP_LOGIN_ID'].filter((n) => !io.env[n]);
  if (missing.length > 0) throw new UsageError(`missing environment variable(s): ${missing.join(', ')}`);
  const base = io.env.COMAP_BASE_URL;
  return new ComapClient({
    key: io.env.COMAP_KEY as string,
    clientId: io.env.COMAP_CLIENT_ID as string,
    secret: io.env.COMAP_SECRET as string,
    loginId: io.env.COMAP_LOGIN_ID as string,
    ...(base ? { baseUrl: base } : {}),
  });
}

async function resolveUnit(client: ComapClient, unit: string | undefined): Promise<string> {
  if (unit === undefined || unit === '') throw new UsageError('missing <unit>');
  if (GUID.test(unit)) return unit;
  const guid = await client.getUnitGuid(unit);
  if (guid === undefined) throw new Error(`no unit name contains ${JSON.stringify(unit)}`);
  return guid;
}

function parseValue(text: string): number | string {
  return text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
}

function buildCommand(name: string | undefined, v: Record<string, string | boolean | undefined>): ComapCommand {
  if (typeof v.json === 'string') {
    try {
      return JSON.parse(v.json) as ComapCommand;
    } catch {
      throw new UsageError('--json must be a JSON object');
    }
  }
  if (name === undefined) throw new UsageError('missing command name (start, stop, changeMode, ...) or --json');
  const out: Record<string, unknown> = { command: name };
  if (typeof v.mode === 'string') out.mode = v.mode;
  if (typeof v.index === 'string') out.index = intOption(v.index, 'index');
  if (typeof v.action === 'string') out.action = v.action;
  if (typeof v.guid === 'string') out.guid = v.guid;
  if (typeof v.value === 'string') out.value = name === 'extValue' ? Number(v.value) : parseValue(v.value);
  if (typeof v.timer === 'string') {
    try {
      out.action = JSON.parse(v.timer) as unknown;
    } catch {
      throw new UsageError('--timer must be a JSON object');
    }
  }
  return out as unknown as ComapCommand;
}

async function simulate(io: CliIO, v: Record<string, string | boolean | undefined>): Promise<number> {
  const port = intOption(v.port as string | undefined, 'port') ?? 0;
  const units = intOption(v.units as string | undefined, 'units') ?? 5;
  const seed = intOption(v.seed as string | undefined, 'seed') ?? 1;
  const sim = await startComapSimulator({ port, units, seed, ...(v['no-rate-limit'] === true ? { rateLimit: false } : {}) });
  line(io, sim.credentials());
  await new Promise<void>((resolve) => {
    if (!io.signal) return;
    if (io.signal.aborted) resolve();
    else io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await sim.close();
  return 0;
}

async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const { values: v, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      port: { type: 'string' },
      units: { type: 'string' },
      seed: { type: 'string' },
      'no-rate-limit': { type: 'boolean' },
      guids: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      mode: { type: 'string' },
      index: { type: 'string' },
      action: { type: 'string' },
      value: { type: 'string' },
      guid: { type: 'string' },
      timer: { type: 'string' },
      json: { type: 'string' },
    },
  });
  const [cmd, ...args] = positionals;
  if (v.help === true || cmd === undefined || cmd === 'help') {
    io.stdout.write(USAGE);
    return cmd === undefined && v.help !== true ? 2 : 0;
  }
  if (cmd === 'simulate') return simulate(io, v);
  const known = ['units', 'values', 'info', 'permissions', 'comments', 'files', 'history', 'download', 'command'];
  if (!known.includes(cmd)) throw new UsageError(`unknown command ${JSON.stringify(cmd)}`);
  if (v.format !== undefined && v.format !== 'json' && v.format !== 'csv') throw new UsageError('--format must be json or csv');
  const client = clientFrom(io);
  try {
    const signal = io.signal;
    const call = signal ? { signal } : {};
    if (cmd === 'units') {
      for (const u of await client.units(call)) line(io, u);
      return 0;
    }
    const unit = await resolveUnit(client, args[0]);
    switch (cmd) {
      case 'values':
        for (const value of await client.values(unit, v.guids, call)) line(io, value);
        return 0;
      case 'info':
        line(io, await client.info(unit, call));
        return 0;
      case 'permissions':
        line(io, await client.permissions(unit, call));
        return 0;
      case 'comments':
        for (const c of await client.comments(unit, call)) line(io, c);
        return 0;
      case 'files':
        for (const f of await client.files(unit, call)) line(io, f);
        return 0;
      case 'history': {
        const csv = v.format === 'csv';
        if (csv) io.stdout.write('valueGuid,name,value,unit,validFrom,validTo\n');
        const entries = client.historyEntries(unit, {
          ...call,
          ...(v.from !== undefined ? { from: v.from } : {}),
          ...(v.to !== undefined ? { to: v.to } : {}),
          ...(v.guids !== undefined ? { valueGuids: v.guids } : {}),
          onProgress: (p) => {
            if (p.windows > 1) io.stderr.write(`history: window ${p.window}/${p.windows} (${p.from}-${p.to}) done, ${p.entries} entries\n`);
          },
        });
        for await (const e of entries) {
          if (csv) io.stdout.write(`${[e.valueGuid, e.name, e.value, e.unit, e.validFrom, e.validTo].map(csvField).join(',')}\n`);
          else line(io, e satisfies HistoryEntry);
        }
        return 0;
      }
      case 'download': {
        const fileName = args[1];
        if (fileName === undefined || fileName === '') throw new UsageError('missing <fileName>');
        const result = await client.download(unit, fileName, { dir: v.out ?? '.' }, call);
        line(io, result);
        return 0;
      }
      default: {
        const result = await client.command(unit, buildCommand(args[1], v), call);
        line(io, { unitGuid: unit, ...result });
        return 0;
      }
    }
  } finally {
    if (!io.client) await client.close();
  }
}

/** Runs the CLI; returns the exit code (0 ok, 1 failure, 2 usage). */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  try {
    return await run(argv, io);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    const usage = error instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'));
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`comap: ${message}\n`);
    if (usage) io.stderr.write('Run "comap --help" for usage.\n');
    return usage ? 2 : 1;
  }
}
