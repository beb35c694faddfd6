/**
 * The simulator's REST side: `/ws/Monitor` (create, list with condition/start/size, single, PUT
 * reset, DELETE) in the legacy string-typed envelope (JSON with `Accept: application/json` or a
 * `.json` suffix, XML otherwise), `POST /ws/DataPoint/{streamId}` which publishes DataPoint events, and
 * `GET /ws/v1/monitors/history/{id}` (saved events of persistent and polling monitors, `schema`
 * templates), `GET /ws/v1/monitors/inventory[/{id}]` (a v1 view of the monitors).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkBasicAuth } from '../basic-auth.js';
import { createXmlParser, element, escapeXml } from '../xml.js';
import { compileCondition } from './condition-eval.js';
import { DataRouteFailure, deletePoints, deleteStream, getDevices, getPoints, getStreams, streamCreated, streamFromXml } from './rest-data.js';
import { getHistory } from './rest-history.js';
import { getInventory } from './rest-inventory.js';
import type { DataPointInput } from './sim-events.js';
import type { SimMonitor } from './sim-monitor.js';
import type { SimStore } from './sim-store.js';

export interface RestHost {
  username: string;
  password: string;
  customerId: number;
  /** Streams, their points and the device inventory. */
  store: SimStore;
  monitors(): SimMonitor[];
  monitor(id: number): SimMonitor | undefined;
  createMonitor(fields: Record<string, string>): SimMonitor;
  resetMonitor(monitor: SimMonitor, changes: Record<string, string>): void;
  deleteMonitor(monitor: SimMonitor): void;
  publishDataPoint(input: DataPointInput): { body: Record<string, unknown> };
  /** Every request seen (method, path with query, selected headers) for assertions. */
  requests: Array<{ method: string; url: string; accept: string | undefined; contentType: string | undefined; body: string }>;
}

const MAX_BODY = 1 << 20;
const XML_DECL = '<?xml version="1.0" encoding="ISO-8859-1"?>';
const parser = createXmlParser(['DataPoint']);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

const MONITOR_FIELDS = new Set([
  'monTopic', 'monFormatType', 'monTransportType', 'monTransportUrl', 'monTransportToken', 'monTransportMethod',
  'monTransportHeaders', 'monConnectTimeout', 'monResponseTimeout', 'monAckOption', 'monBatchSize', 'monBatchDuration',
  'monCompression', 'monAutoReplayOnConnect', 'monDescription', 'monSchemaType', 'monSchemaData',
]);

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function wantsJson(req: IncomingMessage, path: string): boolean {
  return path.endsWith('.json') || (req.headers.accept ?? '').includes('application/json');
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new HttpFailure(413, 'request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseMonitorXml(body: string, verb: string): Record<string, string> {
  let doc: unknown;
  try {
    doc = parser.parse(body, true);
  } catch {
    throw new HttpFailure(400, `${verb} Monitor error. Invalid request. Malformed XML`);
  }
  const m = (doc as { Monitor?: unknown }).Monitor;
  if (typeof m !== 'object' || m === null) throw new HttpFailure(400, `${verb} Monitor error. Invalid request. Expected a Monitor element`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}

function validate(fields: Record<string, string>, verb: string, creating: boolean): Record<string, string> {
  const bad = (what: string) => new HttpFailure(400, `${verb} Monitor error. Invalid request. Invalid ${what} specified`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) if (MONITOR_FIELDS.has(k)) out[k] = v;
  if (creating || 'monTopic' in out) {
    if (!out.monTopic || out.monTopic.split(',').some((t) => t.trim() === '')) throw bad('monTopic');
  }
  const oneOf = (key: string, allowed: string[]) => {
    if (key in out && !allowed.includes(out[key] as string)) throw bad(key);
  };
  oneOf('monTransportType', ['tcp', 'http', 'polling']);
  oneOf('monFormatType', ['json', 'xml']);
  oneOf('monCompression', ['none', 'zlib', 'gzip']);
  oneOf('monAckOption', ['off', 'explicit']);
  oneOf('monTransportMethod', ['PUT', 'POST']);
  oneOf('monAutoReplayOnConnect', ['true', 'false']);
  for (const key of ['monBatchSize', 'monBatchDuration', 'monConnectTimeout', 'monResponseTimeout']) {
    if (key in out && !/^\d+$/.test(out[key] as string)) throw bad(key);
  }
  if (out.monCompression === 'gzip') out.monCompression = 'zlib';
  if (creating && out.monTransportType === 'http' && !/^https?:\/\//.test(out.monTransportUrl ?? '')) throw bad('monTransportUrl');
  return out;
}

function envelopeJson(items: SimMonitor[], total: number, start: number, size: number): string {
  return JSON.stringify({
    resultTotalRows: String(total),
    requestedStartRow: String(start),
    resultSize: String(items.length),
    requestedSize: String(size),
    remainingSize: String(Math.max(0, total - start - items.length)),
    items: items.map((m) => ({ ...m.fields })),
  });
}

function envelopeXml(items: SimMonitor[], total: number, start: number, size: number): string {
  const monitors = items
    .map((m) => `<Monitor>${Object.entries(m.fields).map(([k, v]) => element(k, v)).join('')}</Monitor>`)
    .join('');
  return (
    `${XML_DECL}<result>` +
    element('resultTotalRows', total) +
    element('requestedStartRow', start) +
    element('resultSize', items.length) +
    element('requestedSize', size) +
    element('remainingSize', Math.max(0, total - start - items.length)) +
    `${monitors}</result>`
  );
}

function send(res: ServerResponse, status: number, body: string, type: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function sendError(res: ServerResponse, status: number, message: string, json: boolean, headers: Record<string, string> = {}): void {
  if (json) send(res, status, JSON.stringify({ error: [message] }), 'application/json;charset=UTF-8', headers);
  else send(res, status, `${XML_DECL}<result><error>${escapeXml(message)}</error></result>`, 'text/xml;charset=ISO-8859-1', headers);
}

function intParam(value: string | null, name: string, fallback: number): number {
  if (value === null || value === '') return fallback;
  if (!/^\d+$/.test(value)) throw new HttpFailure(400, `GET Monitor error. Invalid ${name} parameter`);
  return Number(value);
}

/** A number, or a bigint for an integer a double cannot hold (a LONG stays exact). */
function exactNumber(text: string): number | bigint {
  const t = text.trim();
  if (/^-?\d+$/.test(t)) {
    const big = BigInt(t);
    if (big > MAX_SAFE || big < -MAX_SAFE) return big;
  }
  return Number(t);
}

function dataPointsFromXml(body: string, streamId: string): DataPointInput[] {
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(body, true) as Record<string, unknown>;
  } catch {
    throw new HttpFailure(400, 'POST DataPoint error. Invalid request. Malformed XML');
  }
  const list = (doc.list as Record<string, unknown> | undefined)?.DataPoint ?? doc.DataPoint;
  if (!Array.isArray(list) || list.length === 0) throw new HttpFailure(400, 'POST DataPoint error. Invalid request. Expected DataPoint');
  return list.map((raw: unknown) => {
    const dp = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, string>;
    const text = dp.data;
    if (text === undefined) throw new HttpFailure(400, 'POST DataPoint error. Invalid request. Missing data');
    const type = dp.streamType?.toUpperCase();
    const numeric = type === 'INTEGER' || type === 'LONG' || type === 'FLOAT' || type === 'DOUBLE' || (type === undefined && text.trim() !== '' && Number.isFinite(Number(text)));
    const input: DataPointInput = { streamId: dp.streamId ?? streamId, data: numeric ? exactNumber(text) : text };
    if (type !== undefined) input.streamType = type;
    if (dp.streamUnits !== undefined) input.streamUnits = dp.streamUnits;
    if (dp.description !== undefined) input.description = dp.description;
    if (dp.quality !== undefined && /^-?\d+$/.test(dp.quality)) input.quality = Number(dp.quality);
    if (dp.timestamp !== undefined) {
      const t = /^\d+$/.test(dp.timestamp) ? Number(dp.timestamp) : Date.parse(dp.timestamp);
      if (Number.isFinite(t)) input.timestamp = t;
    }
    return input;
  });
}

const segments = (text: string) => text.split('/').map(decodeURIComponent).join('/');

/** DataStream, DataPoint reads and DeviceCore; false when the request is none of them. */
function dataRoute(host: RestHost, method: string, path: string, params: URLSearchParams, body: string, res: ServerResponse): boolean {
  const ds = /^\/ws\/DataStream(?:\/(.+?))?(?:\.json)?\/?$/.exec(path);
  if (ds) {
    if (method === 'GET') getStreams(host.store, host.customerId, ds[1] === undefined ? undefined : segments(ds[1]), params, res);
    else if (method === 'DELETE' && ds[1] !== undefined) deleteStream(host.store, segments(ds[1]), res);
    else if (method === 'POST' && ds[1] === undefined) {
      let doc: Record<string, unknown>;
      try {
        doc = parser.parse(body, true) as Record<string, unknown>;
      } catch {
        throw new HttpFailure(400, 'POST DataStream error. Invalid request. Malformed XML');
      }
      const stream = host.store.upsertStream(streamFromXml(doc));
      streamCreated(res, stream.streamId);
    } else throw new HttpFailure(405, `${method} DataStream error. Method not allowed`);
    return true;
  }
  const dp = /^\/ws\/DataPoint\/(.+?)(?:\.json)?$/.exec(path);
  if (dp && method === 'GET') {
    getPoints(host.store, host.customerId, segments(dp[1] as string), params, res);
    return true;
  }
  if (dp && method === 'DELETE') {
    deletePoints(host.store, segments(dp[1] as string), params, res);
    return true;
  }
  const history = /^\/ws\/v1\/monitors\/history\/(\d+)\/?$/.exec(path);
  if (history) {
    if (method !== 'GET') throw new HttpFailure(405, `${method} monitors/history error. Method not allowed`);
    getHistory(host.monitor(Number(history[1])), history[1] as string, params, res);
    return true;
  }
  const inventory = /^\/ws\/v1\/monitors\/inventory(?:\/(\d+))?\/?$/.exec(path);
  if (inventory) {
    if (method !== 'GET') throw new HttpFailure(405, `${method} monitors/inventory error. Method not allowed in this simulator`);
    getInventory(host.monitors(), inventory[1] === undefined ? undefined : Number(inventory[1]), params, res);
    return true;
  }
  const dc = /^\/ws\/DeviceCore(?:\/(\d+))?(?:\.json)?\/?$/.exec(path);
  if (dc) {
    if (method !== 'GET') throw new HttpFailure(405, `${method} DeviceCore error. Method not allowed`);
    getDevices(host.store, dc[1] === undefined ? undefined : Number(dc[1]), params, res);
    return true;
  }
  return false;
}

export function createRestHandler(host: RestHost): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void handle(host, req, res).catch((err: unknown) => {
      const status = err instanceof HttpFailure || err instanceof DataRouteFailure ? err.status : 500;
      const message = err instanceof Error ? err.message : 'internal error';
      if (!res.headersSent) sendError(res, status, message, (req.headers.accept ?? '').includes('application/json'));
      else res.destroy();
    });
  };
}

async function handle(host: RestHost, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sim.invalid');
  const path = url.pathname;
  const method = req.method ?? 'GET';
  const body = method === 'GET' || method === 'DELETE' || method === 'HEAD' ? '' : await readBody(req);
  host.requests.push({ method, url: `${path}${url.search}`, accept: req.headers.accept, contentType: req.headers['content-type'], body });
  if (host.requests.length > 1000) host.requests.shift();
  const json = wantsJson(req, path);
  if (!checkBasicAuth(req.headers.authorization, host.username, host.password)) {
    sendError(res, 401, 'Invalid user name or password', json, { 'WWW-Authenticate': 'Basic realm="SecurityRealm"' });
    return;
  }

  if (dataRoute(host, method, path, url.searchParams, body, res)) return;
  const dp = /^\/ws\/DataPoint\/(.+)$/.exec(path);
  if (dp) {
    if (method !== 'POST') throw new HttpFailure(405, `${method} DataPoint error. Method not allowed`);
    const streamId = decodeURIComponent(dp[1] ?? '');
    const locations = dataPointsFromXml(body, streamId).map((input) => {
      const event = host.publishDataPoint(input);
      return `DataPoint/${input.streamId}/${String(event.body.id)}`;
    });
    send(res, 201, `${XML_DECL}<result>${locations.map((l) => element('location', l)).join('')}</result>`, 'text/xml;charset=ISO-8859-1');
    return;
  }

  const mon = /^\/ws\/Monitor(?:\/(\.json)?|\/(\d+)(?:\.json)?)?$/.exec(path);
  if (!mon) {
    sendError(res, 404, `${method} error. Unknown resource ${path}`, json);
    return;
  }
  const id = mon[2] === undefined ? undefined : Number(mon[2]);
  const verb = method;
  const notFound = () => sendError(res, 404, `${verb} Monitor error. Error reading Monitor entity id='${id}'`, json);

  switch (method) {
    case 'POST': {
      if (id !== undefined) throw new HttpFailure(405, 'POST Monitor error. Method not allowed on an id');
      const monitor = host.createMonitor(validate(parseMonitorXml(body, 'POST'), 'POST', true));
      send(res, 201, `${XML_DECL}<result><location>Monitor/${monitor.id}</location></result>`, 'text/xml;charset=ISO-8859-1', {
        Location: `Monitor/${monitor.id}`,
      });
      return;
    }
    case 'GET': {
      if (id !== undefined) {
        const m = host.monitor(id);
        if (!m) return notFound();
        if (json) send(res, 200, envelopeJson([m], 1, 0, 1), 'application/json;charset=UTF-8');
        else send(res, 200, envelopeXml([m], 1, 0, 1), 'text/xml;charset=ISO-8859-1');
        return;
      }
      const start = intParam(url.searchParams.get('start'), 'start', 0);
      const size = intParam(url.searchParams.get('size'), 'size', 1000);
      const condition = url.searchParams.get('condition');
      let all = host.monitors();
      if (condition !== null && condition.trim() !== '') {
        let pred;
        try {
          pred = compileCondition(condition);
        } catch (err) {
          throw new HttpFailure(400, `GET Monitor error. Invalid condition: ${(err as Error).message}`);
        }
        all = all.filter((m) => pred(m.fields));
      }
      const page = all.slice(start, start + size);
      if (json) send(res, 200, envelopeJson(page, all.length, start, size), 'application/json;charset=UTF-8');
      else send(res, 200, envelopeXml(page, all.length, start, size), 'text/xml;charset=ISO-8859-1');
      return;
    }
    case 'PUT': {
      const fields = parseMonitorXml(body, 'PUT');
      const target = id ?? (fields.monId !== undefined && /^\d+$/.test(fields.monId) ? Number(fields.monId) : undefined);
      if (target === undefined) throw new HttpFailure(400, 'PUT Monitor error. Invalid request. Missing monId');
      const m = host.monitor(target);
      if (!m) return notFound();
      host.resetMonitor(m, validate(fields, 'PUT', false));
      send(res, 200, `${XML_DECL}<result/>`, 'text/xml;charset=ISO-8859-1');
      return;
    }
    case 'DELETE': {
      if (id === undefined) throw new HttpFailure(405, 'DELETE Monitor error. Monitor id required');
      const m = host.monitor(id);
      if (!m) return notFound();
      host.deleteMonitor(m);
      send(res, 200, `${XML_DECL}<result><message>1 items deleted</message></result>`, 'text/xml;charset=ISO-8859-1');
      return;
    }
    default:
      throw new HttpFailure(405, `${method} Monitor error. Method not allowed`);
  }
}
