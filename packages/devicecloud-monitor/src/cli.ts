#!/usr/bin/env node
/**
 * devicecloud-monitor CLI: `simulate`, `create`, `list`, `delete`, `listen`.
 * Credentials come from DC_USERNAME / DC_PASSWORD, the host from DC_HOST (a host name, or a URL such
 * as the simulator's `http://127.0.0.1:PORT`).
 */
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { CompressionOption, FormatOption } from './monitor-model.js';
import { DeviceCloudClient, DEFAULT_BASE_URL } from './monitor-client.js';
import { DeviceCloudSimulator } from './testing/simulator.js';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
  /** Aborted on SIGINT/SIGTERM: long-running commands (simulate, listen) end cleanly. */
  signal: AbortSignal;
}

const USAGE = `usage: devicecloud-monitor <command> [options]

commands:
  simulate [--port N] [--push-port N] [--tls-port N] [--host H] [--events-per-second N] [--devices N]
           runs the simulator; prints {"url","host","pushPort","tlsPort","username","password"}
  create   --topics A,B [--transport tcp|http] [--url URL] [--token user:pass] [--method PUT|POST]
           [--compression none|zlib|gzip] [--format json|xml] [--batchsize N] [--batchduration S]
           [--ack off|explicit] [--replay] [--description TEXT]
  list     [--condition "monTopic='DataPoint'"]
  delete   <monitorId>
  listen   --topics DeviceCore,DataPoint [--insecure] [--compression none|zlib] [--format json|xml]
           [--batchsize N] [--batchduration S] [--push-port N] [--ca FILE]
           prints each event as a JSON line until interrupted, then deletes its monitor

environment: DC_USERNAME, DC_PASSWORD, DC_HOST (default remotemanager.digi.com, or a URL)
`;

class UsageError extends Error {}

function int(value: string | undefined, name: string, min = 0): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) throw new UsageError(`--${name} must be an integer >= ${min}`);
  return Number(value);
}

function baseUrlFrom(host: string | undefined): string {
  if (host === undefined || host === '') return DEFAULT_BASE_URL;
  return /^https?:\/\//.test(host) ? host : `https://${host}`;
}

function clientFrom(io: CliIo, ca?: string): DeviceCloudClient {
  const username = io.env.DC_USERNAME;
  const password = io.env.DC_PASSWORD;
  if (!username || password === undefined) throw new UsageError('set DC_USERNAME and DC_PASSWORD');
  return new DeviceCloudClient({ username, password, baseUrl: baseUrlFrom(io.env.DC_HOST), ...(ca !== undefined ? { ca } : {}) });
}

const waitForAbort = (signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });

async function simulate(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      'push-port': { type: 'string' },
      'tls-port': { type: 'string' },
      host: { type: 'string' },
      username: { type: 'string' },
      password: { type: 'string' },
      'events-per-second': { type: 'string' },
      devices: { type: 'string' },
    },
  });
  const eps = values['events-per-second'];
  if (eps !== undefined && !(Number(eps) > 0)) throw new UsageError('--events-per-second must be a positive number');
  const sim = await DeviceCloudSimulator.start({
    host: values.host ?? '127.0.0.1',
    port: int(values.port, 'port') ?? 0,
    pushPort: int(values['push-port'], 'push-port') ?? 0,
    tlsPort: int(values['tls-port'], 'tls-port') ?? 0,
    username: values.username ?? io.env.DC_USERNAME ?? 'sim-user',
    ...((values.password ?? io.env.DC_PASSWORD) !== undefined ? { password: values.password ?? io.env.DC_PASSWORD } : {}),
  });
  const stop = eps !== undefined ? sim.generate({ eventsPerSecond: Number(eps), devices: int(values.devices, 'devices', 1) ?? 3 }) : undefined;
  io.stdout(
    `${JSON.stringify({ url: sim.url, host: sim.host, pushPort: sim.pushPort, tlsPort: sim.tlsPort, username: sim.username, password: sim.password })}\n`,
  );
  await waitForAbort(io.signal);
  stop?.();
  await sim.close();
  return 0;
}

const monitorOptions = {
  topics: { type: 'string' },
  compression: { type: 'string' },
  format: { type: 'string' },
  batchsize: { type: 'string' },
  batchduration: { type: 'string' },
} as const;

function common(values: { compression?: string | undefined; format?: string | undefined; batchsize?: string | undefined; batchduration?: string | undefined }) {
  const compression = values.compression;
  if (compression !== undefined && !['none', 'zlib', 'gzip'].includes(compression)) throw new UsageError('--compression must be none, zlib or gzip');
  let format: FormatOption | undefined;
  if (values.format === 'json' || values.format === 'xml') format = values.format;
  else if (values.format !== undefined) throw new UsageError('--format must be json or xml');
  return {
    ...(compression !== undefined ? { compression: compression as CompressionOption } : {}),
    ...(format !== undefined ? { format } : {}),
    ...(values.batchsize !== undefined ? { batchSize: int(values.batchsize, 'batchsize', 1) } : {}),
    ...(values.batchduration !== undefined ? { batchDurationInSeconds: int(values.batchduration, 'batchduration') } : {}),
  };
}

function topicsOf(value: string | undefined): string[] {
  const topics = (value ?? '').split(',').map((t) => t.trim()).filter(Boolean);
  if (topics.length === 0) throw new UsageError('--topics is required (e.g. DeviceCore,DataPoint)');
  return topics;
}

async function create(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...monitorOptions,
      transport: { type: 'string' },
      url: { type: 'string' },
      token: { type: 'string' },
      method: { type: 'string' },
      ack: { type: 'string' },
      replay: { type: 'boolean' },
      description: { type: 'string' },
    },
  });
  const topics = topicsOf(values.topics);
  const shared = { ...common(values), ...(values.replay ? { autoReplayOnConnect: true } : {}), ...(values.description !== undefined ? { description: values.description } : {}) };
  const client = clientFrom(io);
  try {
    let id: number;
    if ((values.transport ?? 'tcp') === 'http') {
      if (!values.url) throw new UsageError('--url is required for --transport http');
      if (values.method !== undefined && values.method !== 'PUT' && values.method !== 'POST') throw new UsageError('--method must be PUT or POST');
      id = await client.createHttpMonitor(topics, values.url, {
        ...shared,
        ...(values.token !== undefined ? { transportToken: values.token } : {}),
        ...(values.method !== undefined ? { method: values.method } : {}),
      });
    } else if (values.transport === undefined || values.transport === 'tcp') {
      if (values.ack !== undefined && values.ack !== 'off' && values.ack !== 'explicit') throw new UsageError('--ack must be off or explicit');
      id = await client.createTcpMonitor(topics, { ...shared, ...(values.ack !== undefined ? { ackOption: values.ack } : {}) });
    } else {
      throw new UsageError('--transport must be tcp or http');
    }
    io.stdout(`${JSON.stringify({ id })}\n`);
    return 0;
  } finally {
    await client.close();
  }
}

async function list(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { condition: { type: 'string' } } });
  const client = clientFrom(io);
  try {
    for await (const m of client.listMonitors(values.condition)) {
      const { raw: _raw, ...typed } = m;
      io.stdout(`${JSON.stringify(typed)}\n`);
    }
    return 0;
  } finally {
    await client.close();
  }
}

async function remove(args: string[], io: CliIo): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const id = int(positionals[0], 'monitorId');
  if (id === undefined || positionals.length !== 1) throw new UsageError('delete takes one monitor id');
  const client = clientFrom(io);
  try {
    await client.deleteMonitor(id);
    io.stdout(`${JSON.stringify({ deleted: id })}\n`);
    return 0;
  } finally {
    await client.close();
  }
}

async function listen(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { ...monitorOptions, insecure: { type: 'boolean' }, 'push-port': { type: 'string' }, ca: { type: 'string' } },
  });
  const topics = topicsOf(values.topics);
  const options = common(values);
  const pushPort = int(values['push-port'], 'push-port', 1);
  const ca = values.ca !== undefined ? readFileSync(values.ca, 'utf8') : undefined;
  const client = clientFrom(io, ca);
  let monitorId: number | undefined;
  try {
    monitorId = await client.createTcpMonitor(topics, { batchSize: 1, batchDurationInSeconds: 0, ...options });
    io.stderr(`monitor ${monitorId} created on ${topics.join(',')}; listening (${values.insecure ? 'plain TCP' : 'TLS'})\n`);
    const session = client.pushSession(monitorId, {
      secure: !values.insecure,
      ...(pushPort !== undefined ? { port: pushPort } : {}),
      signal: io.signal,
      handler: (batch) => {
        for (const event of batch.events) io.stdout(`${JSON.stringify(event)}\n`);
      },
    });
    session.on('error', (err: Error) => io.stderr(`error: ${err.message}\n`));
    session.on('reconnecting', (r: { attempt: number; delayInMs: number; error: Error }) =>
      io.stderr(`reconnecting (attempt ${r.attempt}, in ${r.delayInMs} ms): ${r.error.message}\n`),
    );
    await session.start();
    await session.done;
    return 0;
  } finally {
    if (monitorId !== undefined) {
      await client.deleteMonitor(monitorId).then(
        () => io.stderr(`monitor ${monitorId} deleted\n`),
        (err: Error) => io.stderr(`could not delete monitor ${monitorId}: ${err.message}\n`),
      );
    }
    await client.close();
  }
}

/** Runs one command; resolves with the exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'simulate':
        return await simulate(rest, io);
      case 'create':
        return await create(rest, io);
      case 'list':
        return await list(rest, io);
      case 'delete':
        return await remove(rest, io);
      case 'listen':
        return await listen(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout(USAGE);
        return command === undefined ? 2 : 0;
      default:
        io.stderr(`unknown command ${command}\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    const usage = err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    io.stderr(`${usage ? 'usage error' : 'error'}: ${err instanceof Error ? err.message : String(err)}\n`);
    return usage ? 2 : 1;
  }
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  const controller = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => controller.abort());
  void main(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    signal: controller.signal,
  }).then((code) => {
    process.exitCode = code;
  });
}
