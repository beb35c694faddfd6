/** The ThinQ v1 commands (wideq-compatible state file): login, ls, mon, set, config, set-temp, turn, ac-config. */
import { UsageError, defineCommand, type CommandSpec } from '@x/http-core/cli';
import type { LangPack } from '../display/display.js';
import { displayState } from '../display/display-state.js';
import { LangPackLoader, langPackUris } from '../display/lang-pack.js';
import { statusKindOf, statusView } from '../status.js';
import type { V1Device } from '../v1/device-list.js';
import type { V1Client } from '../v1/client.js';
import { V1AirConditioner, V1Refrigerator } from '../v1/devices.js';
import { describeFrame } from './describe.js';
import { COUNT_OPTION, V1_OPTIONS } from './options.js';
import { requireLogin, withV1Client } from './v1-client.js';

/** Reads one line of input (the pasted callback URL of `login`); undefined at end of input. */
export type ReadLine = (prompt: string) => Promise<string | undefined>;

const DEVICE = { name: 'device', description: 'device id or alias' } as const;

/** `set <device> key=value`: an enum label becomes its code, a range value is checked. */
async function setValue(client: V1Client, id: string, assignment: string): Promise<void> {
  const m = /^([^=]+)=(.*)$/.exec(assignment);
  if (!m?.[1]) throw new UsageError(`expected key=value, got "${assignment}"`);
  const key = m[1];
  let value: unknown = m[2] ?? '';
  const device = await client.device(id);
  const model = await client.modelInfo(device);
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
  await client.setControl(device.deviceId, key, value);
}

/** `set-temp` / `set-temp-freezer`: AC in °F (°C with --celsius), refrigerator in °C. */
async function setTemperature(client: V1Client, command: 'set-temp' | 'set-temp-freezer', id: string, temp: number, celsius: boolean): Promise<void> {
  const device = await client.device(id);
  if (device.deviceTypeName === 'AC' && command === 'set-temp') {
    const ac = await V1AirConditioner.open(client, device.deviceId);
    await (celsius ? ac.setCelsius(temp) : ac.setFahrenheit(temp));
  } else if (device.deviceTypeName === 'REFRIGERATOR' || device.deviceTypeName === 'KIMCHI_REFRIGERATOR') {
    const fridge = await V1Refrigerator.open(client, device.deviceId);
    await (command === 'set-temp' ? fridge.setTempRefrigeratorC(temp) : fridge.setTempFreezerC(temp));
  } else {
    throw new UsageError(`${command} is not supported for ${device.deviceTypeName} devices`);
  }
}

function parseTemperature(text: string): number {
  const temp = Number(text);
  if (text.trim() === '' || !Number.isFinite(temp)) throw new UsageError(`temperature must be a number, got "${text}"`);
  return temp;
}

function loginCommand(prefix: string, readLine: ReadLine): CommandSpec<never, never> {
  return defineCommand({
    name: `${prefix}login`,
    summary: 'Print the login URL, read the callback URL, save the state.',
    options: V1_OPTIONS,
    async run({ options, stdout, stderr }) {
      await withV1Client(options, stderr, async (client) => {
        stdout.line(`Log in here: ${await client.loginUrl()}`);
        const line = await readLine('Then paste the URL where the browser ended up: ');
        if (!line?.trim()) throw new UsageError('no callback URL given');
        const devices = await client.completeLogin(line.trim());
        stdout.line(`Logged in; ${devices.length} device(s). State saved.`);
      });
    },
  });
}

/**
 * The words of a device's lang packs (none when they cannot be loaded: the built-in words apply),
 * fetched with the v1 client's HTTP settings (its CA, dispatcher, timeouts).
 */
async function deviceWords(client: V1Client, device: V1Device, common: string | undefined, signal: AbortSignal): Promise<LangPack> {
  const loader = new LangPackLoader(client.httpSettings);
  try {
    return await loader.load(langPackUris(device, common), { signal });
  } finally {
    await loader.close();
  }
}

function monCommand(prefix: string): CommandSpec<never, never> {
  return defineCommand({
    name: `${prefix}mon`,
    summary: 'Live decoded status of a device, as JSON lines (Ctrl-C to stop).',
    args: [DEVICE],
    options: { ...V1_OPTIONS, ...COUNT_OPTION, words: { type: 'boolean', description: "add 'display': each value in words (with the device's LG lang packs)" } },
    async run({ args, options, stdout, stderr, signal }) {
      await withV1Client(options, stderr, async (c) => {
        const client = requireLogin(c);
        const device = await client.device(args.device, { signal });
        const model = await client.modelInfo(device, { signal });
        const words = options.words ? await deviceWords(client, device, (await client.gateway({ signal })).langPackCommonUri, signal) : undefined;
        const kind = statusKindOf(device.deviceType);
        const session = client.monitor(device.deviceId).watch(model, { intervalInMs: options.interval, signal });
        session.on('reconnecting', ({ attempt, delayInMs, error }) => stderr.line(`monitor restarting (attempt ${attempt}) in ${delayInMs} ms${error ? `: ${error.message}` : ''}`));
        let seen = 0;
        for await (const frame of session) {
          const display = words === undefined ? {} : { display: displayState(frame.data, model, { words }).map(({ label, value }) => ({ label, value })) };
          stdout.line(JSON.stringify({ deviceId: device.deviceId, ...(kind ? { status: statusView(kind, model, frame.data) } : {}), values: describeFrame(model, frame.data), ...display }));
          seen += 1;
          if (options.count > 0 && seen >= options.count) break;
        }
      });
    },
  });
}

function simpleCommands(prefix: string): CommandSpec<never, never>[] {
  return [
    defineCommand({
      name: `${prefix}set`,
      summary: 'Set a control value (enum labels are translated to codes).',
      args: [DEVICE, { name: 'assignment', description: 'key=value, e.g. TempCfg=22' }],
      options: V1_OPTIONS,
      async run({ args, options, stdout, stderr }) {
        await withV1Client(options, stderr, async (client) => setValue(requireLogin(client), args.device, args.assignment));
        stdout.line('ok');
      },
    }),
    defineCommand({
      name: `${prefix}config`,
      summary: 'Read a Config value (or a Control value with --control).',
      args: [DEVICE, { name: 'key', description: 'e.g. Filter' }],
      options: { ...V1_OPTIONS, control: { type: 'boolean', description: 'read a Control value instead' } },
      async run({ args, options, stdout, stderr }) {
        const value = await withV1Client(options, stderr, async (c) => {
          const client = requireLogin(c);
          const { deviceId } = await client.device(args.device);
          return options.control ? client.getControl(deviceId, args.key) : client.getConfig(deviceId, args.key);
        });
        stdout.line(JSON.stringify(value));
      },
    }),
    ...(['set-temp', 'set-temp-freezer'] as const).map((command) =>
      defineCommand({
        name: `${prefix}${command}`,
        summary: command === 'set-temp' ? 'AC: °F (°C with --celsius); refrigerator: °C.' : 'Refrigerator freezer, °C.',
        args: [DEVICE, { name: 'temperature', description: 'the target temperature' }],
        options: { ...V1_OPTIONS, celsius: { type: 'boolean', description: 'AC temperature in °C' } },
        async run({ args, options, stdout, stderr }) {
          const temp = parseTemperature(args.temperature);
          await withV1Client(options, stderr, async (client) => setTemperature(requireLogin(client), command, args.device, temp, options.celsius));
          stdout.line('ok');
        },
      }),
    ),
    defineCommand({
      name: `${prefix}turn`,
      summary: 'Switch an AC on or off.',
      args: [DEVICE, { name: 'state', description: 'on or off' }],
      options: V1_OPTIONS,
      async run({ args, options, stdout, stderr }) {
        if (args.state !== 'on' && args.state !== 'off') throw new UsageError(`state must be on or off, got "${args.state}"`);
        await withV1Client(options, stderr, async (client) => (await V1AirConditioner.open(requireLogin(client), args.device)).setOn(args.state === 'on'));
        stdout.line('ok');
      },
    }),
    defineCommand({
      name: `${prefix}ac-config`,
      summary: 'AC filter, energy target, outdoor power, light and volume.',
      args: [DEVICE],
      options: V1_OPTIONS,
      async run({ args, options, stdout, stderr }) {
        const out = await withV1Client(options, stderr, async (client) => {
          const ac = await V1AirConditioner.open(requireLogin(client), args.device);
          return { filter: await ac.filterState(), energyTarget: await ac.energyTarget(), outdoorPower: await ac.outdoorPower(), light: await ac.light(), volume: await ac.volume() };
        });
        stdout.line(JSON.stringify(out));
      },
    }),
  ];
}

/** `v1 ls`: the v1 device list. */
export async function listV1Devices(options: Parameters<typeof withV1Client>[0], stdout: { line(text: string): void }, stderr: Parameters<typeof withV1Client>[1], signal: AbortSignal): Promise<void> {
  const devices = await withV1Client(options, stderr, async (client) => requireLogin(client).devices({ signal }));
  for (const d of devices) stdout.line(`${d.deviceId}: ${d.alias} (${d.deviceTypeName} ${d.modelName})`);
}

/** The v1 commands, named `<prefix><command>` (`''` or `'v1 '`); `ls` is defined with the Connect ones. */
export function v1Commands(prefix: string, readLine: ReadLine): CommandSpec<never, never>[] {
  return [loginCommand(prefix, readLine), monCommand(prefix), ...simpleCommands(prefix)];
}
