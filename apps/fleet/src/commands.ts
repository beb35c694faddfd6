// Commands: validated against the device's CommandSpec, sent once to the device's own vendor,
// recorded (pending → ok/failed) and published on the bus, whether they came from the API or
// from the SEPL platform.
import { randomUUID } from 'node:crypto';
import type { EventBus } from './events.js';
import type { CommandRecord, CommandSource, CommandSpec, Device, Vendor } from './model.js';
import { toIso } from './model.js';
import type { FleetStore } from './storage/store.js';
import { noScrub, type Scrub } from './secrets.js';

/** What a vendor connector offers for commands. */
export interface CommandExecutor {
  readonly vendor: Vendor;
  /** Whether the vendor is reachable right now (otherwise commands fail fast as unavailable). */
  available(): boolean;
  /** Sends the command once; resolves with the vendor's answer, rejects with the reason. */
  execute(device: Device, command: string, params: Record<string, unknown>, signal: AbortSignal): Promise<unknown>;
}

export type CommandInputProblem = 'not_found' | 'unsupported' | 'invalid';

/** A request that cannot become a command (unknown device or command, bad params). */
export class CommandInputError extends Error {
  override readonly name = 'CommandInputError';
  readonly problem: CommandInputProblem;
  readonly param: string | undefined;
  constructor(problem: CommandInputProblem, message: string, param?: string) {
    super(message);
    this.problem = problem;
    this.param = param;
  }
}

export interface CommandOutcome {
  record: CommandRecord;
  /** Why it failed, when it did. */
  failure?: 'vendor_error' | 'vendor_unavailable';
}

const MAX_COMMAND_MS = 60_000;
const invalid = (param: string, message: string): CommandInputError => new CommandInputError('invalid', `${param}: ${message}`, param);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads a request body in any accepted form (API.md): `{ command, params }`, the ComAp-native
 * `{ command, ...attributes }` and the ThinQ-native `{ control: { resource: { property: value } } }`.
 */
export function normalizeCommandBody(body: unknown): { command: string; params: Obj } {
  if (!isObj(body)) throw invalid('body', 'expected a JSON object');
  if (body.control !== undefined) {
    const control = body.control;
    if (!isObj(control)) throw invalid('control', 'expected { resource: { property: value } }');
    const resources = Object.entries(control);
    const first = resources[0];
    if (resources.length !== 1 || !first || !isObj(first[1]) || Object.keys(first[1]).length !== 1) {
      throw invalid('control', 'expected exactly one resource with exactly one property');
    }
    const [property, value] = Object.entries(first[1])[0] as [string, unknown];
    const extra = Object.keys(body).filter((k) => k !== 'control');
    if (extra.length > 0) throw invalid(extra[0] as string, 'not allowed next to control');
    return { command: `${first[0]}.${property}`, params: { value } };
  }
  const { command, params, ...rest } = body;
  if (typeof command !== 'string' || command.length === 0 || command.length > 100) throw invalid('command', 'expected a command name');
  if (params !== undefined) {
    if (!isObj(params)) throw invalid('params', 'expected an object');
    const extra = Object.keys(rest);
    if (extra.length > 0) throw invalid(extra[0] as string, 'not allowed next to params');
    return { command, params };
  }
  return { command, params: rest };
}

/** Checks params against the spec; returns them normalized (only known names). */
export function validateParams(spec: CommandSpec, params: Obj): Obj {
  const out: Obj = {};
  for (const name of Object.keys(params)) {
    if (!spec.params.some((p) => p.name === name)) {
      throw invalid(`params.${name}`, `${spec.name} takes ${spec.params.map((p) => p.name).join(', ') || 'no parameters'}`);
    }
  }
  for (const p of spec.params) {
    const v = params[p.name];
    const at = `params.${p.name}`;
    if (v === undefined || v === null) {
      if (p.required) throw invalid(at, 'required');
      continue;
    }
    switch (p.type) {
      case 'enum':
        if (typeof v !== 'string' || !(p.values ?? []).includes(v)) throw invalid(at, `expected one of ${(p.values ?? []).join(', ')}`);
        break;
      case 'number': {
        if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(at, 'expected a number');
        if (p.min !== undefined && v < p.min) throw invalid(at, `must be at least ${p.min}`);
        if (p.max !== undefined && v > p.max) throw invalid(at, `must be at most ${p.max}`);
        if (p.step !== undefined && p.step > 0) {
          const steps = (v - (p.min ?? 0)) / p.step;
          if (Math.abs(steps - Math.round(steps)) > 1e-9) throw invalid(at, `must be a multiple of ${p.step} from ${p.min ?? 0}`);
        }
        break;
      }
      case 'boolean':
        if (typeof v !== 'boolean') throw invalid(at, 'expected true or false');
        break;
      case 'string':
        if (typeof v !== 'string' || v.length > 500) throw invalid(at, 'expected a string (at most 500 characters)');
        break;
    }
    out[p.name] = v;
  }
  return out;
}

function reason(err: unknown): string {
  if (err instanceof Error) return err.message.slice(0, 500);
  return String(err).slice(0, 500);
}

export class CommandService {
  readonly #store: FleetStore;
  readonly #bus: EventBus;
  readonly #executors = new Map<Vendor, CommandExecutor>();
  readonly #now: () => number;
  readonly #getDevice: (id: string) => Promise<Device | undefined>;
  readonly #scrub: Scrub;

  /** `scrub` removes configured secrets from vendor error messages before they are stored and served. */
  constructor(opts: { store: FleetStore; bus: EventBus; now: () => number; getDevice: (id: string) => Promise<Device | undefined>; scrub?: Scrub }) {
    this.#store = opts.store;
    this.#bus = opts.bus;
    this.#now = opts.now;
    this.#getDevice = opts.getDevice;
    this.#scrub = opts.scrub ?? noScrub;
  }

  register(executor: CommandExecutor): void {
    this.#executors.set(executor.vendor, executor);
  }

  /** Validates, sends once, records. Throws CommandInputError for requests that cannot be a command. */
  async run(deviceId: string, body: unknown, source: CommandSource): Promise<CommandOutcome> {
    const device = await this.#getDevice(deviceId);
    if (!device) throw new CommandInputError('not_found', `no device ${JSON.stringify(deviceId.slice(0, 200))}`);
    const { command, params } = normalizeCommandBody(body);
    const spec = device.commands.find((c) => c.name === command);
    if (!spec) {
      const known = device.commands.map((c) => c.name).join(', ');
      throw new CommandInputError('unsupported', `${device.name} does not accept ${JSON.stringify(command)}${known ? ` (it accepts ${known})` : ' (it takes no commands)'}`, 'command');
    }
    const clean = validateParams(spec, params);
    const record: CommandRecord = {
      id: randomUUID(),
      deviceId,
      command,
      params: clean,
      source,
      status: 'pending',
      result: null,
      error: null,
      requestedAt: toIso(this.#now()),
      completedAt: null,
    };
    await this.#publish(record);
    const executor = this.#executors.get(device.vendor);
    if (!executor?.available()) {
      return { record: await this.#finish(record, 'failed', null, `${device.vendor} is not connected right now`), failure: 'vendor_unavailable' };
    }
    try {
      const result = await executor.execute(device, command, clean, AbortSignal.timeout(MAX_COMMAND_MS));
      return { record: await this.#finish(record, 'ok', result ?? null, null) };
    } catch (err) {
      return { record: await this.#finish(record, 'failed', null, this.#scrub(reason(err))), failure: 'vendor_error' };
    }
  }

  async #finish(record: CommandRecord, status: 'ok' | 'failed', result: unknown, error: string | null): Promise<CommandRecord> {
    const done: CommandRecord = { ...record, status, result, error, completedAt: toIso(this.#now()) };
    await this.#publish(done);
    return done;
  }

  async #publish(record: CommandRecord): Promise<void> {
    await this.#store.saveCommand(record);
    this.#bus.emit('command', record);
  }
}
