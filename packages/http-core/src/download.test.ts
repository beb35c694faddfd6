import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHttpClient, type HttpClient } from './client.js';
import { isAbortError, isHttpError, isNetworkError, isSizeLimitError, isTimeoutError } from './errors.js';
import { safeJoin, writeFileAtomic } from './files.js';
import { resetMidBody, slowBody, startTestServer, type TestHandler, type TestServer } from './testing/index.js';

let dir: string;
const servers: TestServer[] = [];
const clients: HttpClient[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'http-core-dl-'));
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});
async function setup(handler: TestHandler): Promise<HttpClient> {
  const srv = await startTestServer(handler);
  servers.push(srv);
  // Generous: only the stall test wants a short timeout, and sets it per call.
  const c = createHttpClient({ baseUrl: srv.url, retry: false, timeoutInMs: 10_000 });
  clients.push(c);
  return c;
}
const payload = Buffer.alloc(256 * 1024, 'abcdefgh');
const fileHandler: TestHandler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': payload.length });
  // several chunks so progress is reported more than once
  for (let i = 0; i < payload.length; i += 64 * 1024) res.write(payload.subarray(i, i + 64 * 1024));
  res.end();
};

describe('download', () => {
  it('streams to a temp file and renames it to the target, reporting progress', async () => {
    const http = await setup(fileHandler);
    const progress: [number, number | undefined][] = [];
    const result = await http.download({ path: '/files/report.bin', dir, fileName: 'a b.txt', onProgress: (p) => progress.push([p.bytesDone, p.bytesTotal]) });
    expect(result).toEqual({ path: join(dir, 'a b.txt'), bytes: payload.length });
    expect((await readFile(join(dir, 'a b.txt'))).equals(payload)).toBe(true);
    expect(await readdir(dir)).toEqual(['a b.txt']);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toEqual([payload.length, payload.length]);
    expect(progress.every(([, total]) => total === payload.length)).toBe(true);
  });

  it('takes the file name from the URL when none is given, and can write into a stream', async () => {
    const http = await setup(fileHandler);
    expect(await http.download({ path: '/files/report%201.bin?x=1', dir })).toEqual({ path: join(dir, 'report 1.bin'), bytes: payload.length });
    const chunks: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk);
        cb();
      },
    });
    expect(await http.download({ path: '/f', to: sink })).toEqual({ bytes: payload.length });
    expect(Buffer.concat(chunks).equals(payload)).toBe(true);
  });

  it('leaves no file when the connection is killed halfway', async () => {
    const http = await setup(resetMidBody(fileHandler, 100 * 1024));
    await writeFile(join(dir, 'other.txt'), 'keep');
    const error = await http.download({ path: '/f', dir, fileName: 'target.bin' }).catch((e: unknown) => e);
    expect(isNetworkError(error)).toBe(true);
    expect(await readdir(dir)).toEqual(['other.txt']);
  });

  it('leaves no file when aborted halfway', async () => {
    const http = await setup(slowBody(['one', 'two', 'three', 'four'], 30));
    const controller = new AbortController();
    const error = await http
      .download({ path: '/f', dir, fileName: 't.bin', signal: controller.signal, onProgress: () => controller.abort('enough') })
      .catch((e: unknown) => e);
    expect(isAbortError(error)).toBe(true);
    expect((error as Error).cause).toBe('enough');
    expect(await readdir(dir)).toEqual([]);
  });

  it('leaves no file when the body stalls past the timeout', async () => {
    const http = await setup(slowBody(['one', 'two'], 3000));
    const error = await http.download({ path: '/f', dir, fileName: 't.bin', timeoutInMs: 200 }).catch((e: unknown) => e);
    expect(isTimeoutError(error)).toBe(true);
    expect((error as { phase: string }).phase).toBe('body');
    expect(await readdir(dir)).toEqual([]);
  });

  it('enforces maxBytes from Content-Length up front and while streaming', async () => {
    const http = await setup(fileHandler);
    const announced = await http.download({ path: '/f', dir, fileName: 't.bin', maxBytes: 1000 }).catch((e: unknown) => e);
    expect(isSizeLimitError(announced)).toBe(true);
    expect((announced as { bytes: number }).bytes).toBe(payload.length);
    const chunked = await setup(slowBody(['x'.repeat(600), 'y'.repeat(600)], 5));
    const streamed = await chunked.download({ path: '/f', dir, fileName: 't.bin', maxBytes: 1000 }).catch((e: unknown) => e);
    expect(isSizeLimitError(streamed)).toBe(true);
    expect((streamed as { bytes: number }).bytes).toBe(1200);
    expect(await readdir(dir)).toEqual([]);
  });

  it('throws an HttpError for a failed status and writes nothing', async () => {
    const http = await setup((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('missing');
    });
    const error = await http.download({ path: '/f', dir, fileName: 't.bin' }).catch((e: unknown) => e);
    expect(isHttpError(error)).toBe(true);
    expect((error as { bodyPreview: string }).bodyPreview).toBe('missing');
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses target names that escape the folder, before any request', async () => {
    let requests = 0;
    const http = await setup((_req, res) => {
      requests += 1;
      res.end();
    });
    for (const bad of ['../x', '..', '.', 'a/b', 'a\\b', '/etc/passwd', 'C:evil', 'nul\u0000byte', '']) {
      await expect(http.download({ path: '/f', dir, fileName: bad })).rejects.toThrow(RangeError);
    }
    await expect(http.download({ path: '/', dir })).rejects.toThrow(TypeError);
    await expect(http.download({ path: '/f' })).rejects.toThrow('Pass exactly one of dir and to');
    await expect(http.download({ path: '/f', dir, maxBytes: -1 })).rejects.toThrow(RangeError);
    expect(requests).toBe(0);
  });
});

describe('safeJoin and writeFileAtomic', () => {
  it('joins safe names and rejects unsafe ones', () => {
    expect(safeJoin('/data/out', 'report 1.csv')).toBe('/data/out/report 1.csv');
    expect(safeJoin('/data/out/', '..hidden')).toBe('/data/out/..hidden');
    expect(() => safeJoin('/data', '../etc')).toThrow(RangeError);
    expect(() => safeJoin('', 'a')).toThrow(TypeError);
    expect(() => safeJoin('/d', 1 as never)).toThrow(TypeError);
  });

  it('writes atomically and cleans up after a failure', async () => {
    const target = join(dir, 'state.json');
    await writeFileAtomic(target, '{"v":1}');
    await writeFileAtomic(target, new Uint8Array(Buffer.from('{"v":2}')));
    expect(await readFile(target, 'utf8')).toBe('{"v":2}');
    expect(await readdir(dir)).toEqual(['state.json']);
    await expect(writeFileAtomic(join(dir, 'missing', 'x'), 'y')).rejects.toThrow(/ENOENT/);
    await expect(writeFileAtomic(join(dir, 'state.json', 'x'), 'y')).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['state.json']);
    await expect(writeFileAtomic('', 'x')).rejects.toThrow(TypeError);
    await expect(writeFileAtomic(target, 5 as never)).rejects.toThrow(TypeError);
  });
});

describe('download streams', () => {
  it('holds at most a few MiB in flight while the writer is slow (backpressure reaches the server)', async () => {
    const total = 32 * 1024 * 1024; // about 4 MiB sit in socket and stream buffers on loopback
    const chunk = Buffer.alloc(64 * 1024, 'z');
    const server = { written: 0, blockedSince: 0 };
    const http = await setup((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': total });
      const pump = (): void => {
        while (server.written < total) {
          server.written += chunk.length;
          if (!res.write(chunk)) {
            server.blockedSince = Date.now();
            res.once('drain', () => {
              server.blockedSince = 0;
              pump();
            });
            return;
          }
        }
        res.end();
      };
      pump();
    });
    let received = 0;
    let hold: (() => void) | undefined;
    const held = new Promise<void>((resolve) => {
      hold = resolve;
    });
    let holding = false;
    const sink = new Writable({
      write(data: Buffer, _enc, cb) {
        received += data.length;
        if (!holding) {
          holding = true;
          void held.then(() => cb());
          return;
        }
        cb();
      },
    });
    const done = http.download({ path: '/big', to: sink });
    // Wait until the server has been stuck on a full socket for a while: a client that buffered
    // the body would keep reading and let it drain at once.
    while (server.blockedSince === 0 || Date.now() - server.blockedSince < 300) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.written).toBeLessThan(16 * 1024 * 1024);
    expect(received).toBeLessThan(1024 * 1024);
    hold?.();
    expect(await done).toEqual({ bytes: total });
    expect(received).toBe(total);
  });
});
