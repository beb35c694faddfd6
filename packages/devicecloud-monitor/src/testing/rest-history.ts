/**
 * The simulator's `GET /ws/v1/monitors/history/{monitorId}`: the saved events of a persistent or
 * polling monitor, oldest first, bounded by `start_time` (inclusive) and `end_time` (exclusive) on
 * server time, `size` per page (at most 1000) and an opaque `cursor`. The parameters are Digi's
 * (v1/monitors); the answer, the v1 paging envelope `{ count, size, cursor, next_uri, list }` with
 * JSON `Msg` items, is this simulator's reading of that API and unconfirmed against the service.
 * With `schema` (Digi's monitors tutorial) the page's events are rendered by that Handlebars
 * template (the simulator's subset, sim-template.ts) into `output`, in place of `list`.
 */
import type { ServerResponse } from 'node:http';
import { DataRouteFailure } from './rest-data.js';
import { jsonMsg, jsonWithBigints } from './sim-events.js';
import type { SimMonitor } from './sim-monitor.js';
import { TemplateError, renderTemplate } from './sim-template.js';

function timeParam(params: URLSearchParams, name: string): number | undefined {
  const value = params.get(name);
  if (value === null || value === '') return undefined;
  const t = /^-?\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(t)) throw new DataRouteFailure(400, `Invalid ${name} parameter`);
  return t;
}

const encodeCursor = (seq: number): string => Buffer.from(`seq:${seq}`).toString('base64url');

function decodeCursor(value: string): number {
  const m = /^seq:(\d+)$/.exec(Buffer.from(value, 'base64url').toString('utf8'));
  if (!m) throw new DataRouteFailure(400, 'Invalid cursor parameter');
  return Number(m[1]);
}

/** `schema` rendered over the page's events (the template's `this`); 400 for what the simulator's subset does not read. */
function templated(schema: string, events: Array<Record<string, unknown>>): string {
  if (schema.trim() === '') throw new DataRouteFailure(400, 'Invalid schema parameter');
  try {
    return renderTemplate(schema, events);
  } catch (error) {
    if (error instanceof TemplateError) throw new DataRouteFailure(400, `Invalid schema parameter: ${error.message}`);
    throw error;
  }
}

/** Answers one history request for `monitor` (404 when it does not exist). */
export function getHistory(monitor: SimMonitor | undefined, monitorId: string, params: URLSearchParams, res: ServerResponse): void {
  if (!monitor) throw new DataRouteFailure(404, `Monitor ${monitorId} not found`);
  const sizeText = params.get('size') ?? '1000';
  if (!/^\d+$/.test(sizeText) || Number(sizeText) < 1 || Number(sizeText) > 1000) throw new DataRouteFailure(400, 'Invalid size parameter');
  const size = Number(sizeText);
  const from = timeParam(params, 'start_time');
  const to = timeParam(params, 'end_time');
  const cursor = params.get('cursor');
  const after = cursor === null || cursor === '' ? 0 : decodeCursor(cursor);
  const matching = monitor.history.filter((e) => {
    const at = Date.parse(e.timestamp);
    return e.seq > after && (from === undefined || at >= from) && (to === undefined || at < to);
  });
  const page = matching.slice(0, size);
  const last = page.at(-1);
  const more = last !== undefined && matching.length > page.length;
  const next = new URLSearchParams(params);
  if (more) next.set('cursor', encodeCursor(last.seq));
  const schema = params.get('schema');
  const body = jsonWithBigints({
    count: page.length,
    size,
    ...(more ? { cursor: encodeCursor(last.seq), next_uri: `/ws/v1/monitors/history/${monitor.id}?${next.toString()}` } : {}),
    ...(schema === null ? { list: page.map(jsonMsg) } : { output: templated(schema, page.map(jsonMsg)) }),
  });
  res.writeHead(200, { 'Content-Type': 'application/json;charset=UTF-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
