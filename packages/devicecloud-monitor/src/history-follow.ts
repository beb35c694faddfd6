/**
 * Following a monitor's history (what a polling monitor is for): read the saved events, wait,
 * read again from the server time of the newest event seen. The `start_time` bound is inclusive, so
 * events at that instant come back on the next read; a bounded window of event keys drops them.
 * A transient failure (network, 5xx, 429, timeout) is reported and retried on the next round; any
 * other error (auth, unknown monitor) ends the iteration.
 */
import { errorCategory, sleep, type Clock } from '@x/http-core';
import { DedupeWindow } from './dedupe-window.js';
import { eventKey } from './event-key.js';
import type { MonitorEvent } from './events.js';

const RETRIED = new Set(['transient', 'throttled', 'timeout']);

/** What `followHistory()` needs from its client. */
export interface FollowContext {
  monitorId: number;
  /** One read of the history from `since` (inclusive), all pages. */
  read(since: number | undefined): AsyncIterable<MonitorEvent>;
  intervalInMs: number;
  dedupeWindow: number;
  startTime: number | undefined;
  clock: Clock;
  signal: AbortSignal | undefined;
  /** Hears each transient failure that a later round retries. */
  onRetry(error: unknown): void;
}

/** New events of the monitor, oldest first, until `signal` aborts (then the iteration just ends). */
export async function* followHistory(ctx: FollowContext): AsyncGenerator<MonitorEvent, void, undefined> {
  const seen = new DedupeWindow(ctx.dedupeWindow);
  let since = ctx.startTime;
  const stopped = (): boolean => ctx.signal?.aborted === true;
  while (!stopped()) {
    try {
      for await (const event of ctx.read(since)) {
        const key = eventKey(event, ctx.monitorId);
        if (seen.isDuplicate(key)) continue;
        seen.remember(key);
        const at = Date.parse(event.timestamp);
        if (Number.isFinite(at) && (since === undefined || at > since)) since = at;
        yield event;
      }
    } catch (err) {
      if (stopped()) return;
      const category = errorCategory(err);
      if (category === undefined || !RETRIED.has(category)) throw err;
      ctx.onRetry(err);
    }
    try {
      await sleep(ctx.intervalInMs, ctx.signal, ctx.clock);
    } catch {
      return; // aborted while waiting
    }
  }
}
