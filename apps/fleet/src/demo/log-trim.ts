// The simulators keep what they saw for their tests' assertions (every request, frame, event and
// change), unbounded; a demo that runs for hours must not grow with them. Every minute the demo
// keeps only the newest entries of each such list. It reads none of them, so it keeps few: the
// demo's memory is flat once they are full, within minutes (bench/rss.mjs measures it).

/** How often the simulators' logs are cut back. */
export const TRIM_INTERVAL_MS = 60_000;
/** Entries kept per log. */
export const KEEP_ENTRIES = 200;

/** Drops all but the newest `keep` entries of `list` (in place: the simulators hold the array). */
export function keepNewest(list: unknown[], keep = KEEP_ENTRIES): void {
  if (list.length > keep) list.splice(0, list.length - keep);
}

/** Runs `trim` every TRIM_INTERVAL_MS (not keeping the process alive); returns the stop function. */
export function trimEvery(trim: () => void, intervalInMs = TRIM_INTERVAL_MS): () => void {
  const timer = setInterval(trim, intervalInMs);
  timer.unref();
  return () => clearInterval(timer);
}
