// Shared by this package's tests (not part of the published API): servers and clients closed
// after each test, a scripted random source, a refused port and a line-collecting console.
import { createServer } from 'node:net';
import { afterEach } from 'vitest';
import { createHttpClient, type HttpClient, type HttpClientOptions } from './client.js';
import { startTestServer, type TestHandler, type TestServer, type TestServerOptions } from './testing/index.js';

export interface Loopback {
  serve: (handler: TestHandler, options?: TestServerOptions) => Promise<TestServer>;
  client: (options: HttpClientOptions) => HttpClient;
}

/** Call at the top of a test file: what `serve`/`client` create is closed after each test. */
export function useLoopback(): Loopback {
  const servers: TestServer[] = [];
  const clients: HttpClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  return {
    serve: async (handler, options) => {
      const srv = await startTestServer(handler, options);
      servers.push(srv);
      return srv;
    },
    client: (options) => {
      const c = createHttpClient(options);
      clients.push(c);
      return c;
    },
  };
}

/** A random source that hands out the given values in order (and fails when asked for more). */
export function sequence(...values: number[]): () => number {
  let i = 0;
  return () => {
    const v = values[i++];
    if (v === undefined) throw new Error('random called more often than expected');
    return v;
  };
}

/** A loopback port nobody listens on. */
export async function refusedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** A console stand-in for `consoleLogger(level, sink)` that keeps the lines. */
export function lineSink(): { lines: string[]; sink: Pick<Console, 'debug' | 'info' | 'warn' | 'error'> } {
  const lines: string[] = [];
  const push = (line: string): void => {
    lines.push(line);
  };
  return { lines, sink: { debug: push, info: push, warn: push, error: push } };
}
