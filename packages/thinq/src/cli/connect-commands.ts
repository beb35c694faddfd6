/** The ThinQ Connect commands: ls, profile, state, control and watch (push events as JSON lines). */
import { readFile } from 'node:fs/promises';
import { ConfigError, UsageError, defineCommand, type CommandSpec, type Output } from '@x/http-core/cli';
import { ConnectClient, newConnectClientId } from '../connect/client.js';
import type { ControlPayload } from '../connect/profile.js';
import type { EnergyPeriod } from '../connect/energy.js';
import { ConnectPush } from '../connect/session.js';
import { displayState } from '../display/display-state.js';
import { isControlValidationError } from '../errors.js';
import { COUNT_OPTION, CONNECT_OPTIONS } from './options.js';

export interface ConnectFlags {
  pat?: string | undefined;
  country?: string | undefined;
  'client-id'?: string | undefined;
  'connect-url'?: string | undefined;
}

/** Runs `work` with a Connect client of the flags (closed afterwards). */
export async function withConnectClient<T>(flags: ConnectFlags, work: (client: ConnectClient) => Promise<T>): Promise<T> {
  if (!flags.pat) throw new ConfigError('no ThinQ Connect PAT given: pass --pat or set THINQ_PAT');
  if (!flags.country) throw new ConfigError('the account country is needed: --country or THINQ_COUNTRY');
  const baseUrl = flags['connect-url'];
  const client = new ConnectClient({ pat: flags.pat, country: flags.country, clientId: flags['client-id'] ?? newConnectClientId(), ...(baseUrl ? { baseUrl } : {}) });
  try {
    return await work(client);
  } finally {
    await client.close();
  }
}

/** `connect ls`: the Connect device list. */
export async function listConnectDevices(flags: ConnectFlags, stdout: Output, signal: AbortSignal): Promise<void> {
  const devices = await withConnectClient(flags, (client) => client.devices({ signal }));
  for (const d of devices) stdout.line(`${d.deviceId}: ${d.alias} (${d.deviceType} ${d.modelName})`);
}

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** `resource.property=value ...` or one JSON object. */
export function parseControlPayload(parts: readonly string[]): ControlPayload {
  if (parts.length === 1 && parts[0]?.trim().startsWith('{')) {
    const parsed = parseValue(parts[0]);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError('the JSON payload must be an object');
    return parsed as ControlPayload;
  }
  const payload: ControlPayload = {};
  for (const part of parts) {
    const m = /^([^.=]+)\.([^=]+)=(.*)$/.exec(part);
    if (!m?.[1] || !m[2]) throw new UsageError(`not resource.property=value: ${part}`);
    payload[m[1]] = { ...payload[m[1]], [m[2]]: parseValue(m[3] ?? '') };
  }
  return payload;
}

function watchCommand(prefix: string): CommandSpec<never, never> {
  return defineCommand({
    name: `${prefix}watch`,
    summary: 'Push events as JSON lines (reconnects after a drop; Ctrl-C to stop).',
    args: [{ name: 'id', description: 'device ids (default: every device)', required: false, variadic: true }],
    options: { ...CONNECT_OPTIONS, ...COUNT_OPTION, ca: { type: 'string', valueName: 'FILE', description: "CA file of the MQTT broker (a simulator's caPath)" } },
    async run({ args, options, stdout, stderr, signal }) {
      const caPem = options.ca === undefined ? undefined : await readFile(options.ca, 'utf8');
      await withConnectClient(options, async (client) => {
        const push = new ConnectPush(client, { ...(args.id.length > 0 ? { deviceIds: args.id } : {}), ...(caPem ? { caPem } : {}), signal });
        push.on('error', (err) => stderr.line(`push error: ${err.message}`));
        push.on('reconnecting', ({ attempt, delayInMs, error }) => stderr.line(`reconnecting (attempt ${attempt}) in ${delayInMs} ms${error ? `: ${error.message}` : ''}`));
        push.on('connected', ({ connection }) => stderr.line(connection === 1 ? `watching ${push.deviceIds.length} device(s)` : 'reconnected'));
        let seen = 0;
        try {
          for await (const event of push) {
            const { raw: _raw, ...rest } = event;
            stdout.line(JSON.stringify(rest));
            seen += 1;
            if (options.count > 0 && seen >= options.count) break;
          }
        } finally {
          await push.close();
        }
      });
    },
  });
}

/** The Connect commands, named `<prefix><command>` (`''` or `'connect '`); `ls` is defined apart. */
export function connectCommands(prefix: string): CommandSpec<never, never>[] {
  const ID = { name: 'id', description: 'device id' } as const;
  return [
    defineCommand({
      name: `${prefix}profile`,
      summary: "A device's profile (JSON).",
      args: [ID],
      options: CONNECT_OPTIONS,
      async run({ args, options, stdout, signal }) {
        const profile = await withConnectClient(options, (client) => client.profile(args.id, { signal }));
        stdout.line(JSON.stringify(profile.raw, null, 2));
      },
    }),
    defineCommand({
      name: `${prefix}state`,
      summary: "A device's state (JSON, or in words with --words).",
      args: [ID],
      options: { ...CONNECT_OPTIONS, words: { type: 'boolean', description: "one 'label: value' line per value, in words (reads the profile too)" } },
      async run({ args, options, stdout, signal }) {
        if (!options.words) {
          stdout.line(JSON.stringify(await withConnectClient(options, (client) => client.state(args.id, { signal })), null, 2));
          return;
        }
        const items = await withConnectClient(options, async (client) => displayState(await client.state(args.id, { signal }), await client.profile(args.id, { signal })));
        for (const item of items) stdout.line(`${item.label}: ${item.value}`);
      },
    }),
    defineCommand({
      name: `${prefix}control`,
      summary: 'Control a device (validated against its profile first).',
      args: [ID, { name: 'payload', description: "resource.property=value ... or one '<json payload>'", variadic: true }],
      options: { ...CONNECT_OPTIONS, location: { type: 'string', valueName: 'NAME', description: 'location or unit to control (MAIN, UPPER, washer, dryer)' } },
      examples: ["thinq control <id> temperature.targetTemperature=22 airFlow.windStrength='\"HIGH\"'", "thinq control <washtower id> --location dryer operation.dryerOperationMode='\"START\"'"],
      async run({ args, options, stdout, signal }) {
        if (args.payload.length === 0) throw new UsageError('a payload is needed: resource.property=value ...');
        const payload = parseControlPayload(args.payload);
        const call = { signal, ...(options.location === undefined ? {} : { location: options.location }) };
        const answer = await withConnectClient(options, (client) => client.control(args.id, payload, call)).catch((err: unknown) => {
          // Nothing was sent: the payload is the user's mistake (exit 2).
          if (isControlValidationError(err)) throw new UsageError(`invalid control: ${err.message}`);
          throw err;
        });
        stdout.line(JSON.stringify(answer, null, 2));
      },
    }),
    defineCommand({
      name: `${prefix}energy`,
      summary: "A device's energy usage per day or month (JSON).",
      args: [ID],
      options: {
        ...CONNECT_OPTIONS,
        period: { type: 'string', choices: ['DAILY', 'MONTHLY'], default: 'DAILY', description: 'DAILY (YYYYMMDD dates) or MONTHLY (YYYYMM)' },
        from: { type: 'string', required: true, valueName: 'DATE', description: 'first day or month' },
        to: { type: 'string', required: true, valueName: 'DATE', description: 'last day or month (not after today)' },
      },
      examples: ['thinq energy <id> --from 20261201 --to 20261204', 'thinq energy <id> --period MONTHLY --from 202601 --to 202612'],
      async run({ args, options, stdout, signal }) {
        const query = { period: options.period as EnergyPeriod, startDate: options.from, endDate: options.to };
        const usage = await withConnectClient(options, (client) => client.energyUsage(args.id, query, { signal })).catch((err: unknown) => {
          // A bad date range is the user's mistake (exit 2); nothing was sent.
          if (err instanceof TypeError || err instanceof RangeError) throw new UsageError(err.message.replace(/^query\./, '--').replace('startDate', 'from').replace('endDate', 'to'));
          throw err;
        });
        stdout.line(JSON.stringify(usage, null, 2));
      },
    }),
    watchCommand(prefix),
  ];
}
