import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConnectClient, newConnectClientId } from './connect/client.js';
import { ConnectPush } from './connect/session.js';
import { isControlValidationError, isThinqError } from './errors.js';
import type { ModelInfo, MonitorData } from './model.js';
import { statusKindOf, statusView } from './status.js';
import { V1Client } from './v1/client.js';
import type { V1ClientOptions } from './v1/options.js';
import { V1AirConditioner, V1Refrigerator } from './v1/devices.js';

/** Where the CLI reads and writes (injectable for tests). */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Reads one line of input (the pasted callback URL of `login`); undefined at end of input. */
  readLine(prompt: string): Promise<string | undefined>;
  env: Readonly<Record<string, string | undefined>>;
  /** Aborting ends `simulate`, `mon` and `watch`. */
  signal?: AbortSignal;
}

const USAGE = `Usage: thinq <command> [options]

Simulator:
  simulate [--port N]                 start the v1 + Connect simulator; prints one JSON line

ThinQ v1 (wideq-compatible state file, default ./wideq_state.json):
  login                               print the login URL, read the callback URL, save the state
  ls                                  list devices
  mon <device> [--count N]            live decoded status (Ctrl-C to stop)
  set <device> key=value              set a control value (enum labels are translated to codes)
  config <device> key [--control]     read a Config (or Control) value
  set-temp <device> <temp>            AC: °F (°C with --celsius); refrigerator: °C
  set-temp-freezer <device> <temp>    refrigerator freezer, °C
  turn <device> on|off                AC power
  ac-config <device>                  AC filter, energy target, power, light and volume
  v1 options: --state FILE  --gateway-url URL  --country/-c CC  --language/-l ll-CC  --interval MS

ThinQ Connect (--pat / THINQ_PAT, --country / THINQ_COUNTRY, --client-id / THINQ_CLIENT_ID,
               --connect-url / THINQ_CONNECT_URL for a simulator, --ca FILE for its MQTT broker):
  ls                                  list devices (Connect is used when a PAT is given)
  profile <id>  |  state <id>
  control <id> resource.property=value ... | control <id> '<json payload>'
  watch [id ...] [--count N]          push events as JSON lines
  Prefix with "v1" or "connect" to choose explicitly, e.g. "thinq connect ls".
`;

class UsageError extends Error {
  override name = 'UsageError';
}

const OPTIONS = {
  port: { type: 'string' },
  state: { type: 'string' },
  'gateway-url': { type: 'string' },
  country: { type: 'string', short: 'c' },
  language: { type: 'string', short: 'l' },
  interval: { type: 'string' },
  count: { type: 'string' },
  control: { type: 'boolean' },
  celsius: { type: 'boolean' },
  pat: { type: 'string' },
  'client-id': { type: 'string' },
  'connect-url': { type: 'string' },
  ca: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Flags = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

function intFlag(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer`);
  return n;
}

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let flags: Flags;
  let positionals: string[];
  try {
    // Negative numbers (`set-temp-freezer Fridge -20`) are values, not options.
    const negatives = new Map<string, string>();
    const args = argv.map((a, i) => {
      if (!/^-\d+(\.\d+)?$/.test(a)) return a;
      const token = `\u0000${i}`;
      negatives.set(token, a);
      return token;
    });
    const parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
    flags = parsed.values;
    positionals = parsed.positionals.map((p) => negatives.get(p) ?? p);
  } catch (err) {
    io.stderr(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  if (flags.help || positionals.length === 0) {
    io.stdout(USAGE);
    return flags.help ? 0 : 2;
  }
  let [command, ...args] = positionals as [string, ...string[]];
  let api: 'v1' | 'connect' | undefined;
  if (command === 'v1' || command === 'connect') {
    api = command;
    [command = '', ...args] = args;
  }
  const pat = flags.pat ?? io.env.THINQ_PAT;
  if (api === undefined) {
    if (['profile', 'state', 'control', 'watch'].includes(command)) api = 'connect';
    else if (command === 'ls') api = pat ? 'connect' : 'v1';
    else api = 'v1';
  }
  try {
    if (command === 'simulate') return await simulate(flags, io);
    return api === 'connect' ? await connectCommand(command, args, flags, io) : await v1Command(command, args, flags, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`${err.message}\n`);
      return 2;
    }
    if (isControlValidationError(err)) {
      io.stderr(`invalid control: ${err.message}\n`);
      return 2;
    }
    const name = isThinqError(err) || err instanceof Error ? err.name : 'Error';
    io.stderr(`${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

async function simulate(flags: Flags, io: CliIo): Promise<number> {
  const { startThinqSimulator } = await import('./testing/simulator.js');
  const sim = await startThinqSimulator({ port: intFlag(flags.port, 'port', 0) });
  const dir = await mkdtemp(join(tmpdir(), 'thinq-sim-'));
  const caFile = join(dir, 'ca.pem');
  await writeFile(caFile, sim.caPem);
  io.stdout(
    `${JSON.stringify({ url: sim.url, gatewayUrl: sim.gatewayUrl, connectUrl: sim.connectUrl, pat: sim.pat, country: sim.country, mqttUrl: sim.broker?.url, caFile })}\n`,
  );
  await waitForAbort(io.signal);
  await sim.close();
  await rm(dir, { recursive: true, force: true });
  return 0;
}

function waitForAbort(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!signal) return;
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

// ---------------------------------------------------------------------------------------------- v1

async function loadV1(flags: Flags, io: CliIo): Promise<{ client: V1Client; save: () => Promise<void> }> {
  const file = flags.state ?? 'wideq_state.json';
  const options: V1ClientOptions = {
    ...(flags['gateway-url'] ? { gatewayUrl: flags['gateway-url'] } : {}),
    ...(flags.country ? { country: flags.country } : {}),
    ...(flags.language ? { language: flags.language } : {}),
    onWarning: (m) => io.stderr(`warning: ${m}\n`),
  };
  let state: unknown;
  try {
    state = JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new UsageError(`cannot read state file ${file}: ${(err as Error).message}`);
  }
  const client = state === undefined ? new V1Client(options) : V1Client.load(state, options);
  return {
    client,
    save: async () => {
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, `${JSON.stringify(client.dump(), null, 2)}\n`, { mode: 0o600 });
      await rename(tmp, file);
    },
  };
}

function describe(model: ModelInfo, data: MonitorData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(data)) {
    if (!model.hasValue(key)) {
      out[key] = raw;
      continue;
    }
    try {
      const v = model.value(key);
      switch (v.type) {
        case 'enum':
          out[key] = { value: raw, label: model.enumName(key, raw) };
          break;
        case 'reference':
          out[key] = { value: raw, name: model.referenceName(key, raw) };
          break;
        case 'bit':
          out[key] = { value: raw, bits: model.decodeBits(key, raw) };
          break;
        case 'range':
          out[key] = { value: raw, min: v.min, max: v.max };
          break;
        case 'string':
        case 'boolean':
          out[key] = raw;
          break;
      }
    } catch {
      out[key] = raw;
    }
  }
  return out;
}

async function v1Command(command: string, args: string[], flags: Flags, io: CliIo): Promise<number> {
  const { client, save } = await loadV1(flags, io);
  try {
    if (command === 'login') {
      io.stdout(`Log in here: ${await client.loginUrl()}\n`);
      const line = await io.readLine('Then paste the URL where the browser ended up: ');
      if (!line) throw new UsageError('no callback URL given');
      const devices = await client.completeLogin(line.trim());
      await save();
      io.stdout(`Logged in; ${devices.length} device(s). State saved.\n`);
      return 0;
    }
    if (!client.hasTokens) throw new UsageError('not logged in: run "thinq login" first');
    switch (command) {
      case 'ls': {
        for (const d of await client.devices()) io.stdout(`${d.deviceId}: ${d.alias} (${d.deviceTypeName} ${d.modelName})\n`);
        return 0;
      }
      case 'mon': {
        const [id] = args;
        if (!id) throw new UsageError('usage: thinq mon <device>');
        const device = await client.device(id);
        const model = await client.modelInfo(device);
        const kind = statusKindOf(device.deviceType);
        const count = intFlag(flags.count, 'count', 0);
        const stop = new AbortController();
        io.signal?.addEventListener('abort', () => stop.abort(), { once: true });
        let seen = 0;
        for await (const frame of client.monitor(device.deviceId).watch(model, { intervalInMs: intFlag(flags.interval, 'interval', 1000), signal: stop.signal })) {
          const line = { deviceId: device.deviceId, ...(kind ? { status: statusView(kind, model, frame.data) } : {}), values: describe(model, frame.data) };
          io.stdout(`${JSON.stringify(line)}\n`);
          seen += 1;
          if (count > 0 && seen >= count) stop.abort();
        }
        return 0;
      }
      case 'set': {
        const [id, assignment] = args;
        const m = assignment ? /^([^=]+)=(.*)$/.exec(assignment) : null;
        if (!id || !m?.[1]) throw new UsageError('usage: thinq set <device> key=value');
        const key = m[1];
        let value: unknown = m[2] ?? '';
        const model = await client.modelInfo(await client.device(id));
        if (model.hasValue(key)) {
          const v = model.value(key);
          if (v.type === 'enum' && !Object.hasOwn(v.options, String(value))) {
            const code = model.enumValue(key, String(value));
            if (code === undefined) throw new UsageError(`${key}: ${String(value)} is neither a code nor a label of ${Object.values(v.options).join(', ')}`);
            value = code;
          } else if (v.type === 'range') {
            const n = Number(value);
            if (!Number.isFinite(n) || n < v.min || n > v.max) throw new UsageError(`${key}: must be a number in ${v.min}..${v.max}`);
            value = n;
          }
        }
        await client.setControl((await client.device(id)).deviceId, key, value);
        io.stdout('ok\n');
        return 0;
      }
      case 'config': {
        const [id, key] = args;
        if (!id || !key) throw new UsageError('usage: thinq config <device> key [--control]');
        const deviceId = (await client.device(id)).deviceId;
        const value = flags.control ? await client.getControl(deviceId, key) : await client.getConfig(deviceId, key);
        io.stdout(`${JSON.stringify(value)}\n`);
        return 0;
      }
      case 'set-temp':
      case 'set-temp-freezer': {
        const [id, text] = args;
        const temp = Number(text);
        if (!id || text === undefined || !Number.isFinite(temp)) throw new UsageError(`usage: thinq ${command} <device> <temperature>`);
        const device = await client.device(id);
        if (device.deviceTypeName === 'AC' && command === 'set-temp') {
          const ac = await V1AirConditioner.open(client, device.deviceId);
          await (flags.celsius ? ac.setCelsius(temp) : ac.setFahrenheit(temp));
        } else if (device.deviceTypeName === 'REFRIGERATOR' || device.deviceTypeName === 'KIMCHI_REFRIGERATOR') {
          const fridge = await V1Refrigerator.open(client, device.deviceId);
          await (command === 'set-temp' ? fridge.setTempRefrigeratorC(temp) : fridge.setTempFreezerC(temp));
        } else {
          throw new UsageError(`${command} is not supported for ${device.deviceTypeName} devices`);
        }
        io.stdout('ok\n');
        return 0;
      }
      case 'turn': {
        const [id, state] = args;
        if (!id || (state !== 'on' && state !== 'off')) throw new UsageError('usage: thinq turn <device> on|off');
        await (await V1AirConditioner.open(client, id)).setOn(state === 'on');
        io.stdout('ok\n');
        return 0;
      }
      case 'ac-config': {
        const [id] = args;
        if (!id) throw new UsageError('usage: thinq ac-config <device>');
        const ac = await V1AirConditioner.open(client, id);
        const out = {
          filter: await ac.filterState(),
          energyTarget: await ac.energyTarget(),
          outdoorPower: await ac.outdoorPower(),
          light: await ac.light(),
          volume: await ac.volume(),
        };
        io.stdout(`${JSON.stringify(out)}\n`);
        return 0;
      }
      default:
        throw new UsageError(`unknown command: ${command}\n${USAGE}`);
    }
  } finally {
    await save().catch(() => undefined);
    await client.close();
  }
}

// ----------------------------------------------------------------------------------------- Connect

async function connectCommand(command: string, args: string[], flags: Flags, io: CliIo): Promise<number> {
  const pat = flags.pat ?? io.env.THINQ_PAT;
  const country = flags.country ?? io.env.THINQ_COUNTRY;
  if (!pat) throw new UsageError('a personal access token is needed: --pat or THINQ_PAT');
  if (!country) throw new UsageError('the account country is needed: --country or THINQ_COUNTRY');
  const baseUrl = flags['connect-url'] ?? io.env.THINQ_CONNECT_URL;
  const clientId = flags['client-id'] ?? io.env.THINQ_CLIENT_ID ?? newConnectClientId();
  const client = new ConnectClient({ pat, country, clientId, ...(baseUrl ? { baseUrl } : {}) });
  const json = (v: unknown) => io.stdout(`${JSON.stringify(v, null, 2)}\n`);
  try {
    switch (command) {
      case 'ls':
        for (const d of await client.devices()) io.stdout(`${d.deviceId}: ${d.alias} (${d.deviceType} ${d.modelName})\n`);
        return 0;
      case 'profile':
      case 'state': {
        const [id] = args;
        if (!id) throw new UsageError(`usage: thinq ${command} <id>`);
        json(command === 'profile' ? (await client.profile(id)).raw : await client.state(id));
        return 0;
      }
      case 'control': {
        const [id, ...rest] = args;
        if (!id || rest.length === 0) throw new UsageError('usage: thinq control <id> resource.property=value ...');
        let payload: Record<string, Record<string, unknown>> = {};
        if (rest.length === 1 && rest[0]?.trim().startsWith('{')) {
          const parsed = parseValue(rest[0]);
          if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError('the JSON payload must be an object');
          payload = parsed as Record<string, Record<string, unknown>>;
        } else {
          for (const a of rest) {
            const m = /^([^.=]+)\.([^=]+)=(.*)$/.exec(a);
            if (!m?.[1] || !m[2]) throw new UsageError(`not resource.property=value: ${a}`);
            payload[m[1]] = { ...payload[m[1]], [m[2]]: parseValue(m[3] ?? '') };
          }
        }
        json(await client.control(id, payload));
        return 0;
      }
      case 'watch': {
        const count = intFlag(flags.count, 'count', 0);
        const ca = flags.ca ? await readFile(flags.ca, 'utf8') : undefined;
        const push = new ConnectPush(client, { ...(args.length > 0 ? { deviceIds: args } : {}), ...(ca ? { caPem: ca } : {}) });
        push.on('error', (err: unknown) => io.stderr(`push error: ${err instanceof Error ? err.message : String(err)}\n`));
        push.on('reconnecting', (info: { attempt: number; delayInMs: number }) => io.stderr(`reconnecting (attempt ${info.attempt}) in ${info.delayInMs} ms\n`));
        await push.start(io.signal);
        io.stderr(`watching ${push.deviceIds.length} device(s)\n`);
        io.signal?.addEventListener('abort', () => void push.close(), { once: true });
        let seen = 0;
        try {
          for await (const event of push) {
            const { raw: _raw, ...rest } = event;
            io.stdout(`${JSON.stringify(rest)}\n`);
            seen += 1;
            if (count > 0 && seen >= count) break;
          }
        } finally {
          await push.close();
        }
        return 0;
      }
      default:
        throw new UsageError(`unknown command: ${command}\n${USAGE}`);
    }
  } finally {
    await client.close();
  }
}
