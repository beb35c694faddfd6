import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { AverageClient } from './average.js';
import type { ProtocolPartsInput, SeplCommand } from './command.js';
import { configFromEnv, type SeplEnvConfig } from './config.js';
import { SeplConnector, type SeplProtocol } from './client.js';
import { validateDevice, type SeplDevice } from './device.js';
import { FileDeviceStore } from './file-store.js';
import { checkGranularity, timeWindowToMs, type Granularity, type TimeWindow } from './granularity.js';
import { loggerFor } from './log.js';
import { MemoryDeviceStore } from './memory-store.js';
import type { DeviceStore } from './store.js';
import { startSeplSimulator } from './testing/simulator.js';

/** What the CLI talks to; tests pass their own. */
export interface CliIo {
  stdout(line: string): void;
  stderr(line: string): void;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Long-running commands (`simulate`, `run`) stop when this aborts. */
  signal?: AbortSignal;
}

export const USAGE = `usage: sepl-connector <command> [options]

commands:
  simulate [--port N] [--user U] [--password P]
      start the loopback simulator; prints one JSON line with its URLs and credentials
  run --devices devices.json [--protocol g2|g1] [--url ws://…] [--store file.json]
      [--handler ./handler.mjs | --reply '{"data":"ok"}']
      connect, register the devices, print each command as a JSON line and answer it
  event <device> <service> <json parts> [--devices devices.json] [--protocol g2|g1] [--url ws://…] [--store file.json]
      send one event
  average <device> [--granularity hour] [--time-window 12h] [--url http://host:port/]
      print the averages as JSON lines

environment: CONNECTOR_LOOKUP_URL, CONNECTOR_DEVICE_REGISTRATION_PATH, CONNECTOR_HTTPS,
             CONNECTOR_USER, CONNECTOR_PASSWORD, LOGLEVEL`;

class UsageError extends Error {}

type Handler = (command: SeplCommand) => ProtocolPartsInput | null | Promise<ProtocolPartsInput | null>;

function waitForAbort(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return new Promise(() => undefined);
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolveAbort) => signal.addEventListener('abort', () => resolveAbort(), { once: true }));
}

async function readDevices(path: string, cwd: string): Promise<SeplDevice[]> {
  let text: string;
  try {
    text = await readFile(isAbsolute(path) ? path : resolve(cwd, path), 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read --devices ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`--devices ${path} is not valid JSON`);
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { devices?: unknown } | null)?.devices;
  if (!Array.isArray(list)) throw new UsageError(`--devices ${path} must hold an array of devices (or {"devices": [...]})`);
  return list.map((d, i) => validateDevice(d, `devices[${i}]`));
}

function parseParts(text: string, name: string): ProtocolPartsInput | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`${name} must be JSON: an object of strings, an array of {name, value} or null`);
  }
  if (parsed === null) return null;
  if (typeof parsed !== 'object') throw new UsageError(`${name} must be an object of strings, an array of {name, value} or null`);
  return parsed as ProtocolPartsInput;
}

async function loadHandler(path: string, cwd: string): Promise<Handler> {
  const url = pathToFileURL(isAbsolute(path) ? path : resolve(cwd, path)).href;
  const mod = (await import(url)) as { default?: unknown; handle?: unknown };
  const fn = typeof mod.default === 'function' ? mod.default : mod.handle;
  if (typeof fn !== 'function') throw new UsageError(`--handler ${path} must export a default function (command) => parts`);
  return fn as Handler;
}

interface ConnectorFlags {
  protocol?: string | undefined;
  url?: string | undefined;
  store?: string | undefined;
  devices?: string | undefined;
}

async function connectorFrom(flags: ConnectorFlags, config: SeplEnvConfig, io: CliIo): Promise<SeplConnector> {
  const protocol = (flags.protocol ?? 'g2') as SeplProtocol;
  if (protocol !== 'g1' && protocol !== 'g2') throw new UsageError('--protocol must be g1 or g2');
  if (config.user === undefined) throw new UsageError('CONNECTOR_USER is not set');
  if (config.password === undefined) throw new UsageError('CONNECTOR_PASSWORD is not set');
  if (flags.url === undefined && config.lookupUrl === undefined) throw new UsageError('set CONNECTOR_LOOKUP_URL (or pass --url)');
  const store: DeviceStore = flags.store === undefined ? new MemoryDeviceStore() : new FileDeviceStore(isAbsolute(flags.store) ? flags.store : resolve(io.cwd, flags.store));
  if (flags.devices !== undefined) {
    for (const device of await readDevices(flags.devices, io.cwd)) await store.add(device);
  }
  const logger = loggerFor(config.logLevel, { debug: (l: string) => io.stderr(l), info: (l: string) => io.stderr(l), warn: (l: string) => io.stderr(l), error: (l: string) => io.stderr(l) });
  return new SeplConnector({
    protocol,
    ...(flags.url !== undefined ? { url: flags.url } : {}),
    ...(config.lookupUrl !== undefined ? { lookupUrl: config.lookupUrl } : {}),
    registrationPath: config.registrationPath,
    https: config.https,
    user: config.user,
    password: config.password,
    store,
    logger,
  });
}

async function simulate(args: string[], io: CliIo, config: SeplEnvConfig): Promise<number> {
  const { values } = parseArgs({ args, options: { port: { type: 'string' }, user: { type: 'string' }, password: { type: 'string' } }, strict: true });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be a whole number from 0 to 65535');
  const user = values.user ?? config.user ?? 'sepl';
  const password = values.password ?? config.password ?? 'sepl-password';
  const sim = await startSeplSimulator({ port, users: { [user]: password }, registrationPath: config.registrationPath });
  io.stdout(JSON.stringify({ lookupUrl: sim.lookupUrl, websocketUrl: sim.websocketUrl, url: sim.url, registrationPath: config.registrationPath, user, password }));
  await waitForAbort(io.signal);
  await sim.close();
  return 0;
}

async function run(args: string[], io: CliIo, config: SeplEnvConfig): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      devices: { type: 'string' },
      protocol: { type: 'string' },
      url: { type: 'string' },
      store: { type: 'string' },
      handler: { type: 'string' },
      reply: { type: 'string' },
    },
    strict: true,
  });
  if (values.devices === undefined && values.store === undefined) throw new UsageError('run needs --devices devices.json (or --store file.json)');
  if (values.handler !== undefined && values.reply !== undefined) throw new UsageError('use either --handler or --reply');
  const fixed = values.reply === undefined ? null : parseParts(values.reply, '--reply');
  const handler: Handler = values.handler === undefined ? () => fixed : await loadHandler(values.handler, io.cwd);
  const connector = await connectorFrom(values, config, io);
  connector.on('error', (err) => io.stderr(JSON.stringify({ error: err.name, message: err.message })));
  connector.on('reconnecting', (r) => io.stderr(JSON.stringify({ reconnecting: r.attempt, delayInMs: r.delayInMs })));
  const stop = (): void => void connector.close();
  io.signal?.addEventListener('abort', stop, { once: true });
  try {
    const commands = connector.commands();
    const info = await connector.start();
    io.stderr(JSON.stringify({ ready: true, protocol: info.protocol, gatewayId: info.gatewayId, resynced: info.resynced }));
    for await (const command of commands) {
      io.stdout(JSON.stringify(command));
      try {
        await connector.respond(command, await handler(command));
      } catch (err) {
        io.stderr(JSON.stringify({ error: (err as Error).name, message: (err as Error).message, task_id: command.task_id }));
      }
    }
    return 0;
  } catch (err) {
    if (io.signal?.aborted) return 0;
    throw err;
  } finally {
    io.signal?.removeEventListener('abort', stop);
    await connector.close();
  }
}

async function event(args: string[], io: CliIo, config: SeplEnvConfig): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { devices: { type: 'string' }, protocol: { type: 'string' }, url: { type: 'string' }, store: { type: 'string' } },
    strict: true,
    allowPositionals: true,
  });
  const [device, service, json] = positionals;
  if (device === undefined || service === undefined || json === undefined || positionals.length > 3) {
    throw new UsageError('usage: sepl-connector event <device> <service> <json parts>');
  }
  const parts = parseParts(json, '<json parts>') ?? [];
  const connector = await connectorFrom(values, config, io);
  // a one-shot command: the first failed connection attempt ends it instead of retrying
  const failed = new Promise<never>((_, reject) => {
    connector.once('reconnecting', (r) => reject(r.error ?? new Error('connection failed')));
    connector.once('error', reject);
  });
  failed.catch(() => undefined);
  try {
    await Promise.race([connector.start(), failed]);
    await connector.event(device, service, parts);
    io.stdout(JSON.stringify({ sent: true, device, service }));
    return 0;
  } finally {
    await connector.close();
  }
}

async function average(args: string[], io: CliIo, config: SeplEnvConfig): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { granularity: { type: 'string' }, 'time-window': { type: 'string' }, url: { type: 'string' } },
    strict: true,
    allowPositionals: true,
  });
  const [device] = positionals;
  if (device === undefined || positionals.length > 1) throw new UsageError('usage: sepl-connector average <device> [--granularity g] [--time-window 12h]');
  let granularity: Granularity | undefined;
  try {
    if (values.granularity !== undefined) granularity = checkGranularity(values.granularity, '--granularity');
    if (values['time-window'] !== undefined) timeWindowToMs(values['time-window'], '--time-window');
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const base = values.url ?? (config.lookupUrl === undefined ? undefined : new URL('/', config.lookupUrl).href);
  if (base === undefined) throw new UsageError('set CONNECTOR_LOOKUP_URL or pass --url with the query service');
  const client = new AverageClient({ baseUrl: base });
  try {
    const rows = await client.average(device, {
      ...(granularity !== undefined ? { granularity } : {}),
      ...(values['time-window'] !== undefined ? { timeWindow: values['time-window'] as TimeWindow } : {}),
    });
    for (const row of rows) io.stdout(JSON.stringify({ ...row, time_stamp: row.time_stamp.toISOString() }));
    return 0;
  } finally {
    await client.close();
  }
}

/** The CLI; returns the exit code (0 ok, 1 failure, 2 usage). */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...args] = argv;
  try {
    const config = configFromEnv(io.env);
    switch (command) {
      case 'simulate':
        return await simulate(args, io, config);
      case 'run':
        return await run(args, io, config);
      case 'event':
        return await event(args, io, config);
      case 'average':
        return await average(args, io, config);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (err) {
    const e = err as Error & { code?: string };
    if (err instanceof UsageError || e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' || e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' || e instanceof TypeError || e instanceof RangeError) {
      io.stderr(`sepl-connector: ${e.message}`);
      if (err instanceof UsageError || (e.code ?? '').startsWith('ERR_PARSE_ARGS')) io.stderr(USAGE);
      return 2;
    }
    io.stderr(`sepl-connector: ${e.name}: ${e.message}`);
    return 1;
  }
}
