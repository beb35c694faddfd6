/**
 * CallOptions on an MQTT publish: the caller's signal, `timeoutInMs` and `deadlineInMs` bound the
 * wait for the broker's acknowledgement (PUBCOMP at QoS 2). A publish is one attempt, so the smaller
 * of the two limits applies. An already aborted signal sends nothing; a later abort or timeout only
 * stops the wait: the message may still reach the broker (MQTT cannot take it back).
 */
import { AbortError, TimeoutError, type CallOptions, type Clock } from '@x/http-core';

/** Runs `publish` (unless `call.signal` is aborted already) and waits for it within `call`'s limits. */
export function boundedPublish(publish: () => Promise<void>, call: CallOptions, clock: Clock, topic: string): Promise<void> {
  const { signal, timeoutInMs, deadlineInMs } = call;
  if (signal?.aborted) return Promise.reject(new AbortError(signal.reason));
  const sent = publish();
  if (signal === undefined && timeoutInMs === undefined && deadlineInMs === undefined) return sent;
  const deadline = deadlineInMs !== undefined && (timeoutInMs === undefined || deadlineInMs <= timeoutInMs);
  const limit = deadline ? deadlineInMs : timeoutInMs;
  return new Promise<void>((resolve, reject) => {
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
        reject(new TimeoutError({ phase, timeoutInMs: limit, method: 'PUBLISH', url: topic, message: `no MQTT acknowledgement of the publish to ${topic} within ${limit} ms` }));
      }, limit);
    }
    sent.then(
      () => {
        settle();
        resolve();
      },
      (err: unknown) => {
        settle();
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
