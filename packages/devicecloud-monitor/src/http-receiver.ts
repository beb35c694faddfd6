/**
 * Receiver for HTTP monitors: the cloud PUTs (or POSTs) each batch to your URL with Basic auth.
 * A 2xx answer means delivered, anything else makes the cloud retry, so the answer is sent only
 * after the user's handler succeeded.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { gunzipSync } from 'node:zlib';
import { createRedactor, type Redactor } from '@x/http-core';
import { PushProtocolError } from './errors.js';
import type { LongMode, MonitorEvent } from './events.js';
import { DEFAULT_MAX_INFLATED_BYTES, inflateCapped, parseDocument } from './payload.js';
import { checkBasicAuth } from './basic-auth.js';

/** How one HTTP delivery arrived, passed to the handler with its events. */
export interface DeliveryInfo {
  method: 'PUT' | 'POST';
  format: 'json' | 'xml';
  /** True when the body was deflate-compressed. */
  compressed: boolean;
  /** Request headers (lower-case names; Authorization removed). */
  headers: Record<string, string>;
}

/** Options of `createMonitorRequestHandler()` and `startMonitorReceiver()`; only `handler` is required. */
export interface MonitorReceiverOptions {
  /** Called once per delivered document with its events; the cloud gets 200 once this resolves. */
  handler: (events: MonitorEvent[], info: DeliveryInfo) => void | Promise<void>;
  /** When set (with `password`), requests must carry these Basic credentials (the monitor's transport token). */
  username?: string;
  password?: string;
  /** Only this path is served (default: any path). */
  path?: string;
  /** Largest accepted request body (default 16 MiB). */
  maxBodyBytes?: number;
  /** Largest accepted inflated document (default 64 MiB). */
  maxInflatedBytes?: number;
  /** LONG data points: `number` (default), or exact as `string` or `bigint`. */
  longs?: LongMode;
  /** Told about every rejected delivery and failed handler (the response already says 4xx/5xx). */
  onError?: (err: unknown) => void;
}

class Reject extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly reason?: unknown,
  ) {
    super(message);
  }
}

const DEFAULT_MAX_BODY = 16 * 1024 * 1024;

function readCapped(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > max) {
      reject(new Reject(413, `body of ${declared} bytes exceeds ${max}`));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        reject(new Reject(413, `body exceeds ${max} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function looksLikeZlib(b: Buffer): boolean {
  return b.length >= 2 && (b[0]! & 0x0f) === 8 && ((b[0]! << 8) | b[1]!) % 31 === 0;
}

function firstChar(b: Buffer): string {
  for (const byte of b) {
    if (byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09 || byte === 0xef || byte === 0xbb || byte === 0xbf) continue;
    return String.fromCharCode(byte);
  }
  return '';
}

function check(options: MonitorReceiverOptions): void {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  if (typeof options.handler !== 'function') throw new TypeError('handler must be a function');
  if ((options.username === undefined) !== (options.password === undefined)) throw new TypeError('username and password go together');
  if (options.username !== undefined && typeof options.username !== 'string') throw new TypeError('username must be a string');
  if (options.password !== undefined && typeof options.password !== 'string') throw new TypeError('password must be a string');
  if (options.longs !== undefined && !['number', 'string', 'bigint'].includes(options.longs)) {
    throw new RangeError(`longs must be 'number', 'string' or 'bigint', got ${JSON.stringify(options.longs)}`);
  }
  for (const key of ['maxBodyBytes', 'maxInflatedBytes'] as const) {
    const v = options[key];
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new RangeError(`${key} must be a positive integer`);
  }
}

/**
 * The transport token (and the Basic credential it travels in) scrubbed from every preview and
 * error this receiver makes: a sender may echo it in a body or a URL.
 */
function receiverRedactor(options: MonitorReceiverOptions): Redactor {
  const secrets: string[] = [];
  if (options.password !== undefined && options.password !== '') {
    secrets.push(options.password, Buffer.from(`${options.username ?? ''}:${options.password}`).toString('base64'));
  }
  return createRedactor({ secrets });
}

/**
 * A `node:http` request handler: checks the method (PUT/POST → else 405), path (404), Basic auth in
 * constant time (401), size (413), encoding (415), document (400), then awaits `handler` (its
 * failure answers 503 so the cloud retries). Empty documents (keep-alives) get 200 without a call.
 */
export function createMonitorRequestHandler(options: MonitorReceiverOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  check(options);
  const redactor = receiverRedactor(options);
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const maxInflated = options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES;
  return async (req, res) => {
    try {
      const method = req.method ?? '';
      if (method !== 'PUT' && method !== 'POST') throw new Reject(405, `method ${method} not allowed`, { Allow: 'PUT, POST' });
      const path = new URL(req.url ?? '/', 'http://receiver.invalid').pathname;
      if (options.path !== undefined && path !== options.path) throw new Reject(404, 'not found');
      if (options.username !== undefined && !checkBasicAuth(req.headers.authorization, options.username, options.password ?? '')) {
        throw new Reject(401, 'authentication required', { 'WWW-Authenticate': 'Basic realm="monitor"' });
      }
      let body = await readCapped(req, maxBody);
      const encoding = (req.headers['content-encoding'] ?? '').trim().toLowerCase();
      let compressed = false;
      try {
        if (encoding === 'deflate' || (encoding === '' && looksLikeZlib(body))) {
          body = inflateCapped(body, maxInflated, redactor);
          compressed = true;
        } else if (encoding === 'gzip') {
          body = gunzipSync(body, { maxOutputLength: maxInflated });
          compressed = true;
        } else if (encoding !== '' && encoding !== 'identity') {
          throw new Reject(415, `unsupported content encoding ${encoding}`);
        }
      } catch (err) {
        if (err instanceof Reject) throw err;
        const code = (err as { code?: string }).code;
        throw new Reject(code === 'INFLATED_TOO_LARGE' || code === 'ERR_BUFFER_TOO_LARGE' ? 413 : 400, 'body cannot be inflated', {}, err);
      }
      const type = (req.headers['content-type'] ?? '').toLowerCase();
      const c = firstChar(body);
      const format = type.includes('json') || (!type.includes('xml') && (c === '{' || c === '['))
        ? 'json'
        : type.includes('xml') || c === '<'
          ? 'xml'
          : undefined;
      if (format === undefined) throw new Reject(415, 'body is neither JSON nor XML');
      let events: MonitorEvent[];
      try {
        events = body.length === 0 ? [] : parseDocument(body, format, { redactor, ...(options.longs ? { longs: options.longs } : {}) });
      } catch (err) {
        throw new Reject(400, 'body is not a monitor document', {}, err);
      }
      if (events.length > 0) {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) {
          if (k !== 'authorization' && typeof v === 'string') headers[k] = v;
        }
        try {
          await options.handler(events, { method, format, compressed, headers });
        } catch (err) {
          throw new Reject(503, 'handler failed; retry later', {}, err);
        }
      }
      res.writeHead(200, { 'Content-Length': 0 });
      res.end();
    } catch (err) {
      const reject = err instanceof Reject ? err : new Reject(500, 'internal error', {}, err);
      options.onError?.(
        reject.reason ?? new PushProtocolError(`HTTP_${reject.status}`, `rejected monitor delivery: ${reject.message}`, redactor.url(req.url ?? ''), { redactor }),
      );
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const text = `${reject.message}\n`;
      res.writeHead(reject.status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), Connection: 'close', ...reject.headers });
      res.end(text);
    }
  };
}

/** A running receiver, from `startMonitorReceiver()`. */
export interface MonitorReceiver {
  /** Base URL, e.g. `http://127.0.0.1:PORT` (plus `path` when one was given). */
  url: string;
  port: number;
  server: Server;
  /** Stops the server (open connections closed too); resolves once it is closed. */
  close(): Promise<void>;
}

/** Starts a standalone receiver (HTTP, or HTTPS with `tls`). */
export async function startMonitorReceiver(
  options: MonitorReceiverOptions & { port?: number; host?: string; tls?: { key: string | Buffer; cert: string | Buffer } },
): Promise<MonitorReceiver> {
  const handler = createMonitorRequestHandler(options);
  const listener = (req: IncomingMessage, res: ServerResponse) => void handler(req, res);
  const server: Server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, listener) : createHttpServer(listener);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  const scheme = options.tls ? 'https' : 'http';
  return {
    url: `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}${options.path ?? ''}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
