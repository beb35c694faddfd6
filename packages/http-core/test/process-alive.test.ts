// A script in its own process, against a server in another, must get its answer even when the
// call waits for a retry: the bug that in-process tests could not see (the server kept them alive).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');

// Answers 503 (Retry-After: 1) to the first request of each path, then 200 with a count.
const serverSource = `
const http = require('node:http');
const seen = new Map();
const server = http.createServer((req, res) => {
  const n = (seen.get(req.url) ?? 0) + 1;
  seen.set(req.url, n);
  if (n === 1) { res.writeHead(503, { 'retry-after': '1' }); res.end('busy'); return; }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ path: req.url, requests: n }));
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
`;

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return once(child, 'close').then(([code]) => ({ code: code as number | null, stdout, stderr }));
}

// Skipped only outside CI when nothing is built yet; CI builds first, so there it always runs.
describe.skipIf(!existsSync(join(dist, 'index.js')) && process.env.CI !== 'true')('a script in its own process', () => {
  let server: ReturnType<typeof spawn>;
  let baseUrl = '';

  beforeAll(async () => {
    server = spawn(process.execPath, ['-e', serverSource], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(server.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
    baseUrl = `http://127.0.0.1:${(JSON.parse(line.toString()) as { port: number }).port}`;
  });
  afterAll(() => {
    server.kill();
  });

  it('ESM: waits out a 503 with Retry-After and prints the answer', async () => {
    const script = `
      const { createHttpClient } = await import(${JSON.stringify(join(dist, 'index.js'))});
      const client = createHttpClient({ baseUrl: ${JSON.stringify(baseUrl)} });
      const res = await client.request({ path: '/esm' });
      console.log(JSON.stringify({ body: res.body, attempts: res.attempts }));
      await client.close();`;
    const result = await run(['--input-type=module', '-e', script]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ body: { path: '/esm', requests: 2 }, attempts: 2 });
  });

  it('CJS: the same through require', async () => {
    const script = `
      const { createHttpClient } = require(${JSON.stringify(join(dist, 'index.cjs'))});
      const client = createHttpClient({ baseUrl: ${JSON.stringify(baseUrl)} });
      client.request({ path: '/cjs' }).then(async (res) => {
        console.log(JSON.stringify({ body: res.body, attempts: res.attempts }));
        await client.close();
      });`;
    const result = await run(['-e', script]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ body: { path: '/cjs', requests: 2 }, attempts: 2 });
  });

  it('a rate-limit wait holds the process too', async () => {
    const script = `
      const { createHttpClient, createRateLimiter } = await import(${JSON.stringify(join(dist, 'index.js'))});
      const client = createHttpClient({ baseUrl: ${JSON.stringify(baseUrl)}, retry: false,
        rateLimiter: createRateLimiter({ tokensPerInterval: 1, intervalInMs: 700 }) });
      const bodies = [];
      for (const path of ['/rl', '/rl', '/rl']) {
        try { bodies.push((await client.request({ path })).body.requests); } catch (e) { bodies.push(e.status); }
      }
      console.log(JSON.stringify(bodies));
      await client.close();`;
    const result = await run(['--input-type=module', '-e', script]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([503, 2, 3]);
  });

  it('an idle client does not keep the process alive', async () => {
    const script = `
      const { createHttpClient } = await import(${JSON.stringify(join(dist, 'index.js'))});
      const client = createHttpClient({ baseUrl: ${JSON.stringify(baseUrl)} });
      await client.request({ path: '/idle' }).catch(() => undefined);
      await client.request({ path: '/idle' });
      console.log('done');`;
    const started = Date.now();
    const result = await run(['--input-type=module', '-e', script]);
    expect(result.stdout.trim()).toBe('done');
    expect(result.code).toBe(0);
    // undici's keep-alive sockets are unref'd: the process ends well before their 4 s timeout.
    expect(Date.now() - started).toBeLessThan(3_500);
  });
});
