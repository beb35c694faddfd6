// A table of command records (the SEPL bridge's and a device's recent commands).
import type { CommandRecord } from './api.js';
import { cell, h } from './dom.js';
import { formatClock, formatTime } from './format.js';

/** A vendor's answer as text: strings as they are, `{message}` as its message, else JSON. */
export function resultText(result: unknown): string {
  if (result === null || result === undefined) return '';
  if (typeof result === 'string') return result;
  if (typeof result === 'object' && !Array.isArray(result)) {
    const keys = Object.keys(result);
    if (keys.length === 0) return '';
    const message = (result as Record<string, unknown>)['message'];
    if (typeof message === 'string' && keys.length === 1) return message;
  }
  return JSON.stringify(result);
}

function outcome(record: CommandRecord): string {
  if (record.status === 'failed') return record.error ?? 'failed (no reason given)';
  if (record.status === 'pending') return 'waiting for the vendor…';
  return resultText(record.result) || 'done';
}

export function paramsText(params: Readonly<Record<string, unknown>>): string {
  const entries = Object.entries(params);
  return entries.length === 0 ? '' : entries.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ');
}

const STATUS_CLASS = { ok: 'badge-ok', failed: 'badge-bad', pending: 'badge-warn' } as const;

export function statusBadge(status: CommandRecord['status']): HTMLSpanElement {
  return h('span', { class: `badge ${STATUS_CLASS[status]}` }, status);
}

/** `deviceName` turns a device id into a name; null leaves the device column out. `commandLabel` names a command for people (default: as sent). */
export function commandsTable(records: readonly CommandRecord[], caption: string, deviceName: ((id: string) => string) | null, commandLabel: (name: string) => string = (name) => name): HTMLElement {
  const rows = records.map((record) => {
    const params = paramsText(record.params);
    return h(
      'tr',
      { 'data-command-id': record.id, 'data-status': record.status },
      cell('Time', {}, h('time', { datetime: record.requestedAt, title: formatTime(Date.parse(record.requestedAt)) }, formatClock(Date.parse(record.requestedAt), Date.now()))),
      deviceName && cell('Device', {}, deviceName(record.deviceId)),
      cell('Command', { title: record.command }, commandLabel(record.command), params && h('span', { class: 'muted' }, ` (${params})`)),
      cell('Status', {}, statusBadge(record.status)),
      cell('Result', {}, outcome(record)),
    );
  });
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'commands-table' },
      h('caption', { class: 'visually-hidden' }, caption),
      h(
        'thead',
        {},
        h('tr', {}, h('th', { scope: 'col' }, 'Time (UTC)'), deviceName && h('th', { scope: 'col' }, 'Device'), h('th', { scope: 'col' }, 'Command'), h('th', { scope: 'col' }, 'Status'), h('th', { scope: 'col' }, 'Result')),
      ),
      h('tbody', {}, ...rows),
    ),
  );
}
