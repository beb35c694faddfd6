// A terminal progress bar for long backfills: redrawn in place on a TTY, one line per 10 % step
// otherwise (logs and CI).

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressBar {
  update(done: number, total: number, label?: string): void;
  finish(message: string): void;
}

function bar(fraction: number, width: number): string {
  const filled = Math.round(fraction * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

export function createProgressBar(stream: ProgressStream, title: string): ProgressBar {
  const tty = stream.isTTY === true;
  let lastStep = -1;
  let drawn = false;
  return {
    update(done, total, label = '') {
      const fraction = total > 0 ? Math.min(1, done / total) : 1;
      const pct = Math.floor(fraction * 100);
      if (tty) {
        const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - 40));
        const text = `${title} ${bar(fraction, width)} ${String(pct).padStart(3)}% ${done}/${total} ${label}`;
        stream.write(`\r${text.slice(0, (stream.columns ?? 80) - 1)}\u001b[K`);
        drawn = true;
        return;
      }
      const step = Math.floor(pct / 10);
      if (step === lastStep) return;
      lastStep = step;
      stream.write(`${title} ${bar(fraction, 20)} ${pct}% ${done}/${total}${label ? ` ${label}` : ''}\n`);
    },
    finish(message) {
      stream.write(`${tty && drawn ? '\r\u001b[K' : ''}${message}\n`);
    },
  };
}
