/**
 * The simulator's v1 monitor inventory: `GET /ws/v1/monitors/inventory` (v1 envelope, `size` up to
 * 1000, opaque `cursor`, `query`) and `GET /ws/v1/monitors/inventory/{id}`, a v1 view of the same
 * monitors `/ws/Monitor` manages. The field names follow public programs that call Remote Manager
 * (not Digi's pages) and are unconfirmed; `query` is read with the simulator's condition subset
 * (`=`, `<`, `>`, `like`, `and`, `or`, parentheses on the v1 field names): other v1 query
 * operators (`startsWith`, `contains`, ...) are answered 400 here.
 */
import type { ServerResponse } from 'node:http';
import { compileCondition } from './condition-eval.js';
import { DataRouteFailure } from './rest-data.js';
import type { SimMonitor } from './sim-monitor.js';

/** A monitor as the v1 inventory shows it. */
export function inventoryView(m: SimMonitor): Record<string, unknown> {
  const f = m.fields;
  const view: Record<string, unknown> = {
    id: m.id,
    type: m.transport,
    topics: (f.monTopic ?? '').split(',').filter(Boolean),
    status: (f.monStatus ?? 'INACTIVE').toLowerCase(),
    description: f.monDescription ?? '',
    format: f.monFormatType ?? 'xml',
    persistent: m.persistent,
    batch_size: Number(f.monBatchSize ?? 100),
    batch_duration: Number(f.monBatchDuration ?? 10),
  };
  if (f.monSchemaType) view.schema_type = f.monSchemaType;
  if (f.monSchemaData) view.schema = f.monSchemaData;
  return view;
}

const flat = (view: Record<string, unknown>): Record<string, string> => Object.fromEntries(Object.entries(view).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)]));
const encodeCursor = (id: number): string => Buffer.from(`id:${id}`).toString('base64url');

function decodeCursor(value: string): number {
  const m = /^id:(\d+)$/.exec(Buffer.from(value, 'base64url').toString('utf8'));
  if (!m) throw new DataRouteFailure(400, 'Invalid cursor parameter');
  return Number(m[1]);
}

function send(res: ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { 'Content-Type': 'application/json;charset=UTF-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Answers one inventory request: the list (`id` undefined) or one monitor (404 when unknown). */
export function getInventory(monitors: SimMonitor[], id: number | undefined, params: URLSearchParams, res: ServerResponse): void {
  if (id !== undefined) {
    const monitor = monitors.find((m) => m.id === id);
    if (!monitor) throw new DataRouteFailure(404, `Monitor ${id} not found`);
    send(res, inventoryView(monitor));
    return;
  }
  const sizeText = params.get('size') ?? '1000';
  if (!/^\d+$/.test(sizeText) || Number(sizeText) < 1 || Number(sizeText) > 1000) throw new DataRouteFailure(400, 'Invalid size parameter');
  const size = Number(sizeText);
  const cursor = params.get('cursor');
  const after = cursor === null || cursor === '' ? -1 : decodeCursor(cursor);
  const query = params.get('query');
  let keep: (fields: Record<string, string>) => boolean = () => true;
  if (query !== null && query.trim() !== '') {
    try {
      keep = compileCondition(query);
    } catch (error) {
      throw new DataRouteFailure(400, `Invalid query parameter: ${(error as Error).message}`);
    }
  }
  const matching = [...monitors].sort((a, b) => a.id - b.id).filter((m) => m.id > after).map(inventoryView).filter((v) => keep(flat(v)));
  const page = matching.slice(0, size);
  const last = page.at(-1);
  const more = last !== undefined && matching.length > page.length;
  send(res, { count: page.length, size, ...(more ? { cursor: encodeCursor(last.id as number) } : {}), list: page });
}
