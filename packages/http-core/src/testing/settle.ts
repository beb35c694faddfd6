/** Options of {@link settle}. */
export interface SettleOptions {
  /** Fake time moved before each real pause. Default 100 ms. */
  stepInMs?: number;
  /** Fake time after which `settle` gives up with an Error (the work is left running). Default 10 minutes. */
  limitInMs?: number;
}

/** Real time given to sockets and timers of the real event loop between two steps of the fake clock. */
const REAL_PAUSE_IN_MS = 2;

const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, REAL_PAUSE_IN_MS));

function assertPositive(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`settle: ${name} must be a finite number > 0, got ${String(value)}`);
  }
}

/**
 * Moves a fake clock (e.g. {@link createTestClock} with `auto: false`) forward in steps of
 * `stepInMs`, pausing 2 ms of real time after each so real I/O (a simulator on loopback) can
 * progress, until `work` settles; resolves or rejects as `work` does. For code whose timeouts,
 * retry waits and reconnect backoff run on the fake clock while its network runs for real.
 *
 * @throws RangeError when `stepInMs` or `limitInMs` is not a finite number > 0.
 * @returns `work`'s value; rejects with `work`'s error, or with an Error when `work` has not settled
 *   after `limitInMs` of fake time (so a stuck test fails with a reason instead of its timeout).
 */
export async function settle<T>(clock: { advance(ms: number): void }, work: Promise<T>, options: SettleOptions = {}): Promise<T> {
  const { stepInMs = 100, limitInMs = 600_000 } = options;
  assertPositive('stepInMs', stepInMs);
  assertPositive('limitInMs', limitInMs);
  let done = false;
  const watched = work.finally(() => (done = true));
  watched.catch(() => undefined); // settled below, or left to the caller's `work` after the limit
  for (let moved = 0; !done; moved += stepInMs) {
    if (moved >= limitInMs) throw new Error(`settle: the work did not settle within ${limitInMs} ms of fake time (steps of ${stepInMs} ms)`);
    clock.advance(stepInMs);
    await pause();
  }
  return watched;
}
