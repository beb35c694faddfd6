/**
 * CallOptions on an MQTT publish: the caller's signal, `timeoutInMs` and `deadlineInMs` bound the
 * wait for the broker's acknowledgement (PUBCOMP at QoS 2). A publish is one attempt, so the smaller
 * of the two limits applies. An already aborted signal sends nothing; a later abort or timeout only
 * stops the wait: the message may still reach the broker (MQTT cannot take it back).
 */
import type { CallOptions, Clock } from '@x/http-core';
import { boundedWait } from './bounded-wait.js';

/** Runs `publish` (unless `call.signal` is aborted already) and waits for it within `call`'s limits. */
export function boundedPublish(publish: () => Promise<void>, call: CallOptions, clock: Clock, topic: string): Promise<void> {
  return boundedWait(publish, call, clock, { method: 'PUBLISH', url: topic, what: `MQTT acknowledgement of the publish to ${topic}` });
}
