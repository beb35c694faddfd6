/**
 * One in-flight operation (the v1 token refresh) shared by every caller that needs it. It runs on
 * the owner's signal, never on the first caller's: one caller giving up must not fail the others.
 * Each caller waits with its own signal.
 */
import { AbortError } from '@x/http-core';

export interface SharedRefresh {
  /** Joins the running operation or starts one; rejects early with an AbortError when `signal` aborts. */
  run(signal: AbortSignal | undefined): Promise<void>;
}

/** `work` gets the owner's signal (aborted when the owner closes), not a caller's. */
export function shareRefresh(work: (signal: AbortSignal) => Promise<void>, ownerSignal: AbortSignal): SharedRefresh {
  let pending: Promise<void> | undefined;
  return {
    run(signal) {
      if (signal?.aborted) return Promise.reject(new AbortError(signal.reason));
      pending ??= work(ownerSignal).finally(() => {
        pending = undefined;
      });
      const shared = pending;
      if (!signal) return shared;
      return new Promise<void>((resolve, reject) => {
        const onAbort = (): void => reject(new AbortError(signal.reason));
        signal.addEventListener('abort', onAbort, { once: true });
        shared.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
      });
    },
  };
}
