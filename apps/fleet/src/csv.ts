// CSV export (RFC 4180), safe to open in a spreadsheet: text cells that would start a formula get
// a leading apostrophe.
import type { ExportRow } from './storage/store.js';

export const CSV_HEADER = ['timestamp', 'device_id', 'vendor', 'vendor_id', 'device_name', 'metric', 'value', 'unit'] as const;

export function csvCell(value: string | number | boolean | null): string {
  if (value === null) return '';
  if (typeof value !== 'string') return String(value);
  let text = value;
  if (/^[=+\-@\t\r]/.test(text) && !/^[+-]?\d+(?:\.\d+)?(?:e[+-]?\d+)?$/i.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(cells: ReadonlyArray<string | number | boolean | null>): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

export function exportRowLine(r: ExportRow): string {
  return csvLine([r.ts, r.deviceId, r.vendor, r.vendorId, r.deviceName, r.metric, r.value, r.unit]);
}

/** The whole CSV document as chunks (header first); the HTTP answer and `fleet export` share it. */
export async function* csvChunks(rows: AsyncIterable<ExportRow>, batch = 500): AsyncGenerator<string> {
  yield csvLine(CSV_HEADER);
  let buffer = '';
  let n = 0;
  for await (const row of rows) {
    buffer += exportRowLine(row);
    if (++n % batch === 0) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer) yield buffer;
}
