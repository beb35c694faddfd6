import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { testCertificate } from './certificate.js';

/** A request handler of a test server; a throw or rejection becomes a 500. */
export type TestHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** Options of {@link startTestServer}. */
export interface TestServerOptions {
  /** true: HTTPS with `testCertificate()`; or your own key/cert. Default false. */
  tls?: boolean | { key: string | Buffer; cert: string | Buffer };
  /** Default 0 (an ephemeral port). */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
}

/** A running loopback server made by {@link startTestServer}. */
export interface TestServer {
  /** `http://127.0.0.1:PORT` (or https), without a trailing slash. */
  url: string;
  port: number;
  server: Server;
  /** Open sockets (destroyed by `close()`). */
  connections: Set<Socket>;
  /** Requests handled so far. */
  readonly requestCount: number;
  /** Destroys open connections and stops listening. */
  close(): Promise<void>;
}

/** Starts a loopback HTTP(S) server for `handler`. */
export async function startTestServer(handler: TestHandler, options: TestServerOptions = {}): Promise<TestServer> {
  if (typeof handler !== 'function') throw new TypeError('handler must be a function');
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  const connections = new Set<Socket>();
  let requestCount = 0;
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    requestCount += 1;
    let result: void | Promise<void>;
    try {
      result = handler(req, res);
    } catch (error) {
      fail(res, error);
      return;
    }
    if (result instanceof Promise) result.catch((error: unknown) => fail(res, error));
  };
  let server: Server;
  if (options.tls) {
    const material = options.tls === true ? testCertificate() : options.tls;
    server = createHttpsServer({ key: material.key, cert: material.cert }, listener);
  } else {
    server = createServer(listener);
  }
  const connectionEvent = options.tls ? 'secureConnection' : 'connection';
  server.on(connectionEvent, (socket: Socket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  });
  server.on('clientError', (_error, socket: Socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `${options.tls ? 'https' : 'http'}://${hostPart}:${address.port}`,
    port: address.port,
    server,
    connections,
    get requestCount() {
      return requestCount;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of connections) socket.destroy();
        connections.clear();
        server.closeAllConnections?.();
      });
      return closing;
    },
  };
}

function fail(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy(error instanceof Error ? error : undefined);
    return;
  }
  sendJson(res, 500, { error: 'handler failed', message: error instanceof Error ? error.message : String(error) });
}

/** Reads a request body (up to `limitInBytes`, default 1 MiB) as text. */
export async function readBody(req: IncomingMessage, limitInBytes = 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitInBytes) throw new RangeError(`request body exceeds ${limitInBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads and parses a JSON request body; an empty body gives undefined. */
export async function readJsonBody(req: IncomingMessage, limitInBytes?: number): Promise<unknown> {
  const text = await readBody(req, limitInBytes);
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

/** Sends `body` as JSON with `status` (and extra headers). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | number> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}
