// The fleet's HTTP server: the JSON API of API.md, the SSE stream, the CSV export and the
// dashboard's static files. Binds loopback by default; any other address needs an access token.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { timingSafeEqualString } from '@x/http-core';
import { CommandInputError } from '../commands.js';
import { csvChunks } from '../csv.js';
import type { Logger } from '../log.js';
import { VENDORS } from '../model.js';
import { DEMO_FAULTS, FAULT_TARGETS, type FleetService } from '../service.js';
import { ApiError, badRequest, notFound } from './errors.js';
import { Query, timeRange } from './params.js';
import { SseHub } from './sse.js';
import { resolveAsset, sendFile } from './static.js';

const MAX_BODY_BYTES = 64 * 1024;
const DAY_MS = 86_400_000;
const COOKIE = 'fleet_token';

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

export interface HttpServerOptions {
  host: string;
  port: number;
  accessToken?: string | undefined;
  webDir: string;
  logger: Logger;
  sseHeartbeatInMs?: number;
}

export interface FleetHttpServer {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

type Handler = (ctx: Ctx) => Promise<void>;
interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: string[];
}
interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  handler: Handler;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) throw badRequest('body', 'send JSON with Content-Type: application/json');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ApiError(413, 'payload_too_large', `request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badRequest('body', 'not valid JSON');
  }
}

function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

export async function startHttpServer(fleet: FleetService, options: HttpServerOptions): Promise<FleetHttpServer> {
  const sse = new SseHub(fleet.bus, { heartbeatInMs: options.sseHeartbeatInMs, now: () => fleet.now() });
  const token = options.accessToken;
  const tokenOk = (candidate: string | undefined): boolean => !token || (candidate !== undefined && timingSafeEqualString(candidate, token));

  const deviceOr404 = async (id: string) => {
    const device = await fleet.getDevice(id);
    if (!device) throw notFound(`no device ${JSON.stringify(id.slice(0, 200))}`);
    return device;
  };

  const routes: Route[] = [];
  const route = (method: Route['method'], path: string, handler: Handler): void => {
    const pattern = new RegExp(`^${path.replace(/:[a-z]+/g, '([^/]+)')}$`);
    routes.push({ method, pattern, handler });
  };

  route('GET', '/api/status', async ({ res, url }) => {
    new Query(url.searchParams, []);
    sendJson(res, 200, fleet.status());
    return Promise.resolve();
  });

  route('GET', '/api/devices', async ({ res, url }) => {
    const q = new Query(url.searchParams, ['vendor', 'kind']);
    const vendor = q.oneOf('vendor', VENDORS);
    const kind = q.oneOf('kind', ['genset', 'gateway', 'appliance'] as const);
    sendJson(res, 200, { devices: await fleet.listDevices({ vendor, kind }) });
  });

  route('GET', '/api/devices/:id', async ({ res, url, params }) => {
    new Query(url.searchParams, []);
    sendJson(res, 200, await deviceOr404(params[0] as string));
  });

  route('GET', '/api/devices/:id/readings', async ({ res, url, params }) => {
    const q = new Query(url.searchParams, ['metric', 'from', 'to', 'limit']);
    const metric = q.text('metric');
    const { from, to } = timeRange(q, fleet.now(), DAY_MS);
    const limit = q.integer('limit', 1, 100_000) ?? 10_000;
    const device = await deviceOr404(params[0] as string);
    const result = await fleet.store.queryReadings({ deviceId: device.id, metric, from, to, limit });
    sendJson(res, 200, { deviceId: device.id, from: new Date(from).toISOString(), to: new Date(to).toISOString(), ...result });
  });

  route('GET', '/api/devices/:id/average', async ({ res, url, params }) => {
    const q = new Query(url.searchParams, ['granularity', 'time_window', 'metric']);
    const granularity = q.granularity();
    const windowMs = q.timeWindow();
    const device = await deviceOr404(params[0] as string);
    const metric = q.text('metric') ?? device.primaryMetric;
    if (metric === null) throw badRequest('metric', `${device.name} has no primary metric; name one`);
    const to = fleet.now();
    const from = windowMs === undefined ? 0 : to - windowMs;
    sendJson(res, 200, await fleet.store.average({ deviceId: device.id, metric, granularity, from, to }));
  });

  route('GET', '/api/devices/:id/commands', async ({ res, url, params }) => {
    new Query(url.searchParams, []);
    const device = await deviceOr404(params[0] as string);
    sendJson(res, 200, { deviceId: device.id, vendor: device.vendor, commands: device.commands });
  });

  route('POST', '/api/devices/:id/commands', async ({ req, res, url, params }) => {
    new Query(url.searchParams, []);
    const body = await readJson(req);
    let outcome;
    try {
      outcome = await fleet.commands.run(params[0] as string, body, 'api');
    } catch (err) {
      if (err instanceof CommandInputError) {
        switch (err.problem) {
          case 'not_found':
            throw notFound(err.message);
          case 'unsupported':
            throw new ApiError(409, 'unsupported_command', err.message, { param: 'command' });
          case 'invalid':
            throw new ApiError(400, 'bad_request', err.message, err.param ? { param: err.param } : {});
        }
      }
      throw err;
    }
    switch (outcome.failure) {
      case undefined:
        sendJson(res, 200, outcome.record);
        return;
      case 'vendor_error':
        throw new ApiError(502, 'vendor_error', outcome.record.error ?? 'the vendor refused the command', { extra: { command: outcome.record } });
      case 'vendor_unavailable':
        throw new ApiError(503, 'vendor_unavailable', outcome.record.error ?? 'the vendor is not connected', { extra: { command: outcome.record } });
    }
  });

  route('GET', '/api/commands', async ({ res, url }) => {
    const q = new Query(url.searchParams, ['limit']);
    sendJson(res, 200, { commands: await fleet.store.listCommands({ limit: q.integer('limit', 1, 500) ?? 50 }) });
  });

  route('GET', '/api/events', async ({ req, res, url }) => {
    new Query(url.searchParams, []);
    if (req.method === 'HEAD') {
      res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache' });
      res.end();
      return Promise.resolve();
    }
    sse.attach(req, res, SECURITY_HEADERS);
    return Promise.resolve();
  });

  route('GET', '/api/export.csv', async ({ res, url }) => {
    const q = new Query(url.searchParams, ['from', 'to', 'deviceId', 'metric']);
    const { from, to } = timeRange(q, fleet.now(), 'epoch');
    const deviceId = q.text('deviceId');
    if (deviceId !== undefined) await deviceOr404(deviceId);
    const metric = q.text('metric');
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': 'attachment; filename="fleet-readings.csv"',
      'Cache-Control': 'no-store',
    });
    for await (const chunk of csvChunks(fleet.store.exportReadings({ from, to, deviceId, metric }))) {
      if (res.destroyed) return;
      if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  });

  const demo = fleet.demo;
  if (demo) {
    route('POST', '/api/demo/fault', async ({ req, res }) => {
      const body = (await readJson(req)) as Record<string, unknown>;
      const target = body?.vendor;
      const fault = body?.fault;
      if (!(FAULT_TARGETS as readonly unknown[]).includes(target)) throw badRequest('vendor', `expected one of ${FAULT_TARGETS.join(', ')}`);
      if (!(DEMO_FAULTS as readonly unknown[]).includes(fault)) throw badRequest('fault', `expected one of ${DEMO_FAULTS.join(', ')}`);
      await demo.fault(target as (typeof FAULT_TARGETS)[number], fault as (typeof DEMO_FAULTS)[number]);
      sendJson(res, 200, { vendor: target, fault });
    });
    route('POST', '/api/demo/value', async ({ req, res }) => {
      const body = (await readJson(req)) as Record<string, unknown>;
      const { deviceId, metric, value } = body ?? {};
      if (typeof deviceId !== 'string') throw badRequest('deviceId', 'expected a device id');
      if (typeof metric !== 'string' || metric.length === 0) throw badRequest('metric', 'expected a metric name');
      if (!['number', 'string', 'boolean'].includes(typeof value) || (typeof value === 'number' && !Number.isFinite(value))) {
        throw badRequest('value', 'expected a number, string or boolean');
      }
      await deviceOr404(deviceId);
      try {
        await demo.setValue(deviceId, metric, value as number | string | boolean);
      } catch (err) {
        if (err instanceof RangeError || err instanceof TypeError) throw badRequest('metric', err.message);
        throw err;
      }
      sendJson(res, 200, {});
    });
    route('POST', '/api/demo/sepl-command', async ({ req, res }) => {
      const body = (await readJson(req)) as Record<string, unknown>;
      const { deviceId, command, params } = body ?? {};
      if (typeof deviceId !== 'string') throw badRequest('deviceId', 'expected a device id');
      if (typeof command !== 'string') throw badRequest('command', 'expected a command name');
      if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) throw badRequest('params', 'expected an object');
      await deviceOr404(deviceId);
      sendJson(res, 200, await demo.seplCommand(deviceId, command, (params ?? {}) as Record<string, unknown>));
    });
  }

  const webDir = options.webDir;
  const serveStatic = async (ctx: Ctx, head: boolean): Promise<boolean> => {
    const { url, res } = ctx;
    if (url.pathname === '/' || url.pathname === '/index.html') {
      if (await sendFile(res, join(webDir, 'index.html'), SECURITY_HEADERS, head)) return true;
      res.writeHead(503, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('dashboard not built: run npm run build\n');
      return true;
    }
    if (url.pathname.startsWith('/assets/')) {
      const file = resolveAsset(webDir, url.pathname.slice('/assets/'.length));
      if (file && (await sendFile(res, file, SECURITY_HEADERS, head))) return true;
    }
    return false;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://fleet.invalid');
    const method = req.method ?? 'GET';
    // `/?token=…` once: set the cookie the page (and EventSource) then carries.
    if (token && url.pathname === '/' && url.searchParams.has('token')) {
      if (!tokenOk(url.searchParams.get('token') ?? undefined)) throw new ApiError(401, 'unauthorized', 'wrong access token');
      res.writeHead(303, {
        ...SECURITY_HEADERS,
        Location: '/',
        'Set-Cookie': `${COOKIE}=${encodeURIComponent(url.searchParams.get('token') ?? '')}; HttpOnly; SameSite=Strict; Path=/`,
      });
      res.end();
      return;
    }
    if (token) {
      const header = req.headers.authorization;
      const bearer = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
      if (!tokenOk(bearer ?? cookieValue(req, COOKIE))) {
        throw new ApiError(401, 'unauthorized', 'an access token is required: Authorization: Bearer <token>, or open /?token=<token> once');
      }
    }
    let pathMatched = false;
    for (const r of routes) {
      const m = r.pattern.exec(url.pathname);
      if (!m) continue;
      pathMatched = true;
      if (r.method !== method && !(r.method === 'GET' && method === 'HEAD')) continue;
      let params: string[];
      try {
        params = m.slice(1).map((p) => decodeURIComponent(p));
      } catch {
        throw badRequest('id', 'malformed percent-encoding');
      }
      await r.handler({ req, res, url, params });
      return;
    }
    if (pathMatched) throw new ApiError(405, 'method_not_allowed', `${method} is not allowed on ${url.pathname}`);
    if ((method === 'GET' || method === 'HEAD') && !url.pathname.startsWith('/api/')) {
      if (await serveStatic({ req, res, url, params: [] }, method === 'HEAD')) return;
    }
    throw notFound(`no route ${method} ${url.pathname.slice(0, 200)}`);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const apiError =
        err instanceof ApiError ? err : new ApiError(500, 'internal', 'internal error (see the server log)');
      if (!(err instanceof ApiError)) options.logger.error('request failed', { method: req.method, path: req.url?.split('?')[0], error: err });
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendJson(res, apiError.status, apiError.body());
    });
  });
  server.keepAliveTimeout = 5000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${hostForUrl}:${address.port}`,
    server,
    async close() {
      sse.close();
      server.closeIdleConnections();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive sockets and SSE streams would hold close() open.
        setTimeout(() => server.closeAllConnections(), 100).unref();
      });
    },
  };
}

