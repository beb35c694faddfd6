/**
 * What a command visibly changes on a unit, and waiting for it: the API's 200 only means the
 * command was accepted, so `--wait` reads the unit until the mode or engine state shows it.
 */
import { assertDuration, sleep, systemClock, type CallOptions, type Clock } from '@x/http-core';
import { validateCommand, type ComapCommand, type SimpleCommandName } from './command.js';
import type { ComapValue } from './types.js';
import { VALUE_GUID } from './value-guid.js';
import type { WSV } from './wsv.js';

/** Engine states of a turning engine (ComAp controllers; the simulator uses Running and Loaded). */
export const RUNNING_ENGINE_STATES = Object.freeze(['Running', 'Loaded', 'Idle', 'Warming', 'Soft load', 'Soft unload']);

/** The value a command changes and the test that it has: mode for changeMode, engine state for start and stop. */
export interface CommandEffect {
  valueGuid: string;
  /** What the value must show, in words (`ControllerMode MAN`, `engine running`). */
  expected: string;
  /** True when `value` (read from `valueGuid`) shows that the command took effect. */
  shows(value: ComapValue): boolean;
}

const isRunning = (value: ComapValue) => typeof value === 'string' && RUNNING_ENGINE_STATES.some((s) => s.toLowerCase() === value.trim().toLowerCase());

/** The effect `command` has on the unit's values, or undefined for a command with no value that shows it. */
export function commandEffect(command: ComapCommand | SimpleCommandName): CommandEffect | undefined {
  const body = validateCommand(command) as unknown as ComapCommand;
  switch (body.command) {
    case 'changeMode': {
      const mode = body.mode.trim().toLowerCase();
      return { valueGuid: VALUE_GUID.mode, expected: `mode ${body.mode}`, shows: (v) => typeof v === 'string' && v.trim().toLowerCase() === mode };
    }
    case 'start':
      return { valueGuid: VALUE_GUID.engine_state, expected: 'engine running', shows: isRunning };
    case 'stop':
      return { valueGuid: VALUE_GUID.engine_state, expected: 'engine stopped', shows: (v) => typeof v === 'string' && !isRunning(v) };
    default:
      return undefined;
  }
}

/** Options of `waitForEffect`. */
export interface WaitForEffectOptions extends CallOptions {
  /** Give up after this long (default 60 s). */
  waitInMs?: number;
  /** Least time between two reads (default 2 s; each read also waits for the key's rate-limit slot). */
  intervalInMs?: number;
  /** Time source of the wait; use the client's. Default the system clock. */
  clock?: Clock;
}

/** How a wait ended: `seen` with the value that shows the effect, or not within the time. */
export interface EffectOutcome {
  seen: boolean;
  expected: string;
  valueGuid: string;
  /** The last value read (undefined when no read succeeded). */
  value: ComapValue | undefined;
  reads: number;
  elapsedInMs: number;
}

/**
 * Reads the value `command` changes until it shows the effect or `waitInMs` passes. Throws a
 * RangeError for a command with no visible effect (see `commandEffect`); a failed read is thrown
 * (the client has retried it already). Abortable with `signal`.
 */
export async function waitForEffect(client: Pick<WSV, 'values'>, unitGuid: string, command: ComapCommand | SimpleCommandName, options: WaitForEffectOptions = {}): Promise<EffectOutcome> {
  const effect = commandEffect(command);
  if (effect === undefined) throw new RangeError(`command ${JSON.stringify((validateCommand(command) as { command: string }).command)} has no effect to wait for (changeMode, start and stop have)`);
  const waitInMs = options.waitInMs ?? 60_000;
  const intervalInMs = options.intervalInMs ?? 2000;
  assertDuration('waitForEffect() options.waitInMs', waitInMs);
  assertDuration('waitForEffect() options.intervalInMs', intervalInMs);
  const clock = options.clock ?? systemClock;
  const call: CallOptions = {};
  if (options.signal !== undefined) call.signal = options.signal;
  if (options.timeoutInMs !== undefined) call.timeoutInMs = options.timeoutInMs;
  const started = clock.now();
  let value: ComapValue | undefined;
  for (let reads = 1; ; reads++) {
    const [read] = await client.values(unitGuid, [effect.valueGuid], call);
    value = read?.value;
    const elapsedInMs = clock.now() - started;
    if (value !== undefined && effect.shows(value)) return { seen: true, expected: effect.expected, valueGuid: effect.valueGuid, value, reads, elapsedInMs };
    const left = waitInMs - elapsedInMs;
    if (left <= 0) return { seen: false, expected: effect.expected, valueGuid: effect.valueGuid, value, reads, elapsedInMs };
    await sleep(Math.min(intervalInMs, left), options.signal, clock);
  }
}
