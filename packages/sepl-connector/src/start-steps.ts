/**
 * The CallOptions of a start made of several steps (REST requests, then the first MQTT connection):
 * each step gets the caller's signal and `timeoutInMs` as they are, and what is left of the start's
 * `deadlineInMs`, so the deadline bounds the whole start, not each step.
 */
import { TimeoutError, type CallOptions, type Clock } from '@x/http-core';

/** The options of the next step; throws a deadline TimeoutError once nothing is left. */
export type StepOptions = () => CallOptions;

export function startSteps(call: CallOptions, clock: Clock): StepOptions {
  const { signal, timeoutInMs, deadlineInMs } = call;
  const endsAt = deadlineInMs === undefined ? undefined : clock.now() + deadlineInMs;
  return () => {
    const options: CallOptions = {};
    if (signal) options.signal = signal;
    if (timeoutInMs !== undefined) options.timeoutInMs = timeoutInMs;
    if (endsAt !== undefined && deadlineInMs !== undefined) {
      const left = endsAt - clock.now();
      if (left <= 0) throw new TimeoutError({ phase: 'deadline', timeoutInMs: deadlineInMs, message: `start() did not finish within ${deadlineInMs} ms` });
      options.deadlineInMs = left;
    }
    return options;
  };
}
