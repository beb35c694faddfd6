// The fleet's HTTP server: the JSON API of API.md, the SSE stream, the CSV export and the
// dashboard's static files. Binds loopback by default; any other address needs an access token.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { timingSafeEqualString } from '@x/http-core';
import type { Logger } from '../log.js';
import type { FleetService } from '../service.js';
import { addCommandRoutes, addDeviceRoutes, addStreamRoutes } from './api-routes.js';
import { addDemoRoutes } from './demo-routes.js';
import { ApiError, notFound } from './errors.js';
import { checkHostAndOrigin, createHostCheck, type HostCheck } from './host-check.js';
import { SECURITY_HEADERS, cookieValue, sendJson } from './respond.js';
import { Router } from './router.js';
import { SseHub } from './sse.js';
import { resolveAsset, sendFile } from './static.js';

const COOKIE = 'fleet_token';

export interface HttpServerOptions {
  host: string;
  port: number;
  accessToken?: string | undefined;
  /** Names besides the bound address and `localhost` that `Host` may carry (`server.allowedHosts`). */
  allowedHosts?: readonly string[] | undefined;
  webDir: string;
  logger: Logger;
  sseHeartbeatInMs?: number;
}

export interface FleetHttpServer {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

/** The dashboard's files: true when one was sent. */
async function serveStatic(webDir: string, url: URL, res: ServerResponse, head: boolean): Promise<boolean> {
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
}


/** Answers with 401 unless the request carries the access token (or sets its cookie with `/?token=`); true when answered. */
function checkAccess(token: string, req: IncomingMessage, res: ServerResponse, url: URL): boolean {
  const tokenOk = (candidate: string | undefined): boolean => candidate !== undefined && timingSafeEqualString(candidate, token);
  // `/?token=…` once: set the cookie the page (and EventSource) then carries.
  if (url.pathname === '/' && url.searchParams.has('token')) {
    if (!tokenOk(url.searchParams.get('token') ?? undefined)) throw new ApiError(401, 'unauthorized', 'wrong access token');
    res.writeHead(303, {
      ...SECURITY_HEADERS,
      Location: '/',
      'Set-Cookie': `${COOKIE}=${encodeURIComponent(url.searchParams.get('token') ?? '')}; HttpOnly; SameSite=Strict; Path=/`,
    });
    res.end();
    return true;
  }
  const header = req.headers.authorization;
  const bearer = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
  if (!tokenOk(bearer ?? cookieValue(req, COOKIE))) {
    throw new ApiError(401, 'unauthorized', 'an access token is required: Authorization: Bearer <token>, or open /?token=<token> once');
  }
  return false;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export async function startHttpServer(fleet: FleetService, options: HttpServerOptions): Promise<FleetHttpServer> {
  const sse = new SseHub(fleet.bus, { heartbeatInMs: options.sseHeartbeatInMs, now: () => fleet.now() });
  const token = options.accessToken;
  const router = new Router();
  addDeviceRoutes(router, fleet);
  addCommandRoutes(router, fleet);
  addStreamRoutes(router, fleet, sse);
  if (fleet.demo) addDemoRoutes(router, fleet, fleet.demo);

  let hostCheck: HostCheck | undefined;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://fleet.invalid');
    const method = req.method ?? 'GET';
    // Before the token: a rebinding page must learn nothing, not even that a token is needed.
    hostCheck ??= createHostCheck({ host: options.host, boundAddress: (server.address() as AddressInfo).address, allowedHosts: options.allowedHosts });
    checkHostAndOrigin(req, method, hostCheck);
    if (token && checkAccess(token, req, res, url)) return;
    if (await router.dispatch(req, res, url, method)) return;
    if ((method === 'GET' || method === 'HEAD') && !url.pathname.startsWith('/api/')) {
      if (await serveStatic(options.webDir, url, res, method === 'HEAD')) return;
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

  await listen(server, options.port, options.host);
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

