/**
 * CallOptions on a wait that is one attempt (an MQTT acknowledgement, the first MQTT connection):
 * the caller's signal, `timeoutInMs` and `deadlineInMs` bound it, the smaller of the two limits
 * applies. An already aborted signal starts nothing; a later abort or timeout only stops the wait
 * (what was sent may still take effect), the caller decides what to do about the work.
 */
import { AbortError, TimeoutError, type CallOptions, type Clock } from '@x/http-core';

/** Names the wait in a TimeoutError: `method` (e.g. `PUBLISH`), `url` (a topic or broker URL), `what` for the message. */
export interface WaitLabel {
  method: string;
  url: string;
  what: string;
}

/** Runs `work` (unless `call.signal` is aborted already) and waits for it within `call`'s limits. */
export function boundedWait<T>(work: () => Promise<T>, call: CallOptions, clock: Clock, label: WaitLabel): Promise<T> {
  const { signal, timeoutInMs, deadlineInMs } = call;
  if (signal?.aborted) return Promise.reject(new AbortError(signal.reason));
  const pending = work();
  if (signal === undefined && timeoutInMs === undefined && deadlineInMs === undefined) return pending;
  const deadline = deadlineInMs !== undefined && (timeoutInMs === undefined || deadlineInMs <= timeoutInMs);
  const limit = deadline ? deadlineInMs : timeoutInMs;
  return new Promise<T>((resolve, reject) => {
    let timer: unknown;
    const settle = (): void => {
      if (timer !== undefined) clock.clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      settle();
      reject(new AbortError((signal as AbortSignal).reason));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    if (limit !== undefined) {
      timer = clock.setTimeout(() => {
        settle();
        const phase = deadline ? 'deadline' : 'headers';
        reject(new TimeoutError({ phase, timeoutInMs: limit, method: label.method, url: label.url, message: `no ${label.what} within ${limit} ms` }));
      }, limit);
    }
    pending.then(
      (value) => {
        settle();
        resolve(value);
      },
      (err: unknown) => {
        settle();
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
