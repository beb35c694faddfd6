/**
 * Writers for a CLI's stdout/stderr: text, JSON lines, aligned tables and CSV. A reader that goes
 * away (`cli | head`) makes the stream fail with EPIPE; the writer then goes quiet and tells the
 * kit (which aborts the command) instead of crashing the process.
 */

/** The part of a Node writable stream the kit uses (tests pass their own). */
export interface WritableLike {
  /** Writes `chunk`; a false return means "wait for `drain`". */
  write(chunk: string): unknown;
  /** Listens for stream errors (EPIPE when the reader went away). */
  on?(event: 'error', listener: (error: Error) => void): unknown;
  /** Listens once for room in the stream's buffer. */
  once?(event: 'drain', listener: () => void): unknown;
}

/** A CLI's writer on one stream, made by {@link createOutput}. */
export interface Output {
  /** Raw text as given. */
  write(text: string): void;
  /** One line (a newline is added). */
  line(text?: string): void;
  /** One value as a JSON line. */
  json(value: unknown): void;
  /** Rows as an aligned text table with a header line (columns default to the first row's keys). */
  table(rows: readonly Record<string, unknown>[], columns?: readonly string[]): void;
  /** A CSV header line (RFC 4180 quoting, `\n` line ends). */
  csvHeader(columns: readonly string[]): void;
  /** One CSV row in the order of `columns`. */
  csvRow(row: Record<string, unknown>, columns: readonly string[]): void;
  /** True once the reader went away: later writes are dropped. */
  readonly closed: boolean;
  /** Resolves when the stream has room again (or is closed); await it in long loops. */
  drained(): Promise<void>;
}

function cellText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? '';
}

/** One CSV field: quoted when it holds a comma, quote, or line break. */
export function csvField(value: unknown): string {
  const text = cellText(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Wraps a stream; `onClosed` runs once when the reader goes away. */
export function createOutput(stream: WritableLike, onClosed: () => void = () => undefined): Output {
  let closed = false;
  let waiters: (() => void)[] = [];
  const release = (): void => {
    const ready = waiters;
    waiters = [];
    for (const resolve of ready) resolve();
  };
  const close = (): void => {
    if (closed) return;
    closed = true;
    release();
    onClosed();
  };
  // Any stream error (EPIPE when the reader left, ERR_STREAM_DESTROYED after) ends output for good.
  stream.on?.('error', close);
  let pendingDrain = false;
  const write = (text: string): void => {
    if (closed || text === '') return;
    try {
      if (stream.write(text) === false && !pendingDrain && stream.once !== undefined) {
        pendingDrain = true;
        stream.once('drain', () => {
          pendingDrain = false;
          release();
        });
      }
    } catch (error) {
      // Some streams throw EPIPE synchronously instead of emitting it.
      const code = (error as { code?: unknown }).code;
      if (code !== 'EPIPE' && code !== 'ERR_STREAM_DESTROYED') throw error;
      close();
    }
  };
  return {
    write,
    line: (text = '') => write(`${text}\n`),
    json: (value) => write(`${JSON.stringify(value)}\n`),
    table(rows, columns) {
      const cols = columns ?? Object.keys(rows[0] ?? {});
      if (cols.length === 0) return;
      const cells = rows.map((row) => cols.map((c) => cellText(row[c]).replace(/\s+/g, ' ')));
      const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((r) => (r[i] as string).length)));
      const format = (r: readonly string[]): string => `${r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] as number))).join('  ')}\n`;
      write(format(cols.map((c) => c.toUpperCase())) + cells.map(format).join(''));
    },
    csvHeader: (columns) => write(`${columns.map(csvField).join(',')}\n`),
    csvRow: (row, columns) => write(`${columns.map((c) => csvField(row[c])).join(',')}\n`),
    get closed() {
      return closed;
    },
    drained() {
      if (closed || !pendingDrain) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push(resolve));
    },
  };
}
