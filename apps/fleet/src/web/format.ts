// Formatting of values and times for the page. Pure functions (unit-tested).

/** A reading's value for display: numbers rounded sensibly, with the unit if there is one. */
export function formatValue(value: unknown, unit?: string | null): string {
  let text: string;
  if (typeof value === 'number') {
    text = Number.isInteger(value) ? String(value) : String(Number(value.toFixed(Math.abs(value) >= 100 ? 1 : 2)));
  } else if (typeof value === 'string') {
    text = value;
  } else if (typeof value === 'boolean') {
    text = value ? 'true' : 'false';
  } else if (value === null || value === undefined) {
    text = '—';
  } else {
    text = JSON.stringify(value);
  }
  return unit && text !== '—' ? `${text} ${unit}` : text;
}

/** "5 s ago", "3 min ago", "2 h ago", or a date for anything older than a day. */
export function formatAge(timeMs: number, nowMs: number): string {
  const seconds = Math.max(0, Math.round((nowMs - timeMs) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  return new Date(timeMs).toISOString().slice(0, 10);
}

/** An ISO timestamp in the form "2026-11-21 05:49:08 UTC". */
export function formatTime(timeMs: number): string {
  if (!Number.isFinite(timeMs)) return '—';
  return `${new Date(timeMs).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** "06:00:01" for a time today (UTC), the full form otherwise. */
export function formatClock(timeMs: number, nowMs: number): string {
  if (!Number.isFinite(timeMs)) return '—';
  const iso = new Date(timeMs).toISOString();
  return iso.slice(0, 10) === new Date(nowMs).toISOString().slice(0, 10) ? iso.slice(11, 19) : formatTime(timeMs);
}

const DAY_S = 86_400;

/**
 * A tick's label in UTC (like the rest of the page): seconds only when the ticks are less than a
 * minute apart, the date only for ticks a day or more apart, or on a second line where the day
 * changes (and on the first tick), so a label is never wider than "00:00:00".
 */
export function timeLabel(seconds: number, incrementS: number, previous: number | undefined): string {
  const iso = new Date(seconds * 1000).toISOString();
  const day = iso.slice(5, 10);
  if (incrementS >= DAY_S) return day;
  const time = incrementS < 60 ? iso.slice(11, 19) : iso.slice(11, 16);
  const newDay = previous === undefined || new Date(previous * 1000).toISOString().slice(5, 10) !== day;
  return newDay ? `${time}\n${day}` : time;
}

/** The time labels of `splits` (seconds), as uPlot asks for them. */
export function timeLabels(splits: readonly number[], incrementS: number): string[] {
  return splits.map((s, i) => timeLabel(s, incrementS, i === 0 ? undefined : splits[i - 1]));
}
