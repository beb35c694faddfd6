// Benchmark: requests per second through @x/http-core vs raw undici.request() on the same
// loopback server (a child process), same concurrency (50), same run; then peak RSS over
// 100,000 requests through the client. Run by the root `npm run bench` on the built dist.
//   node --expose-gc client-vs-undici.mjs [requestsPerRound]
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';

const CONCURRENCY = 50;
const RSS_REQUESTS = 100_000;

async function startServer() {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'server'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

/** Runs `total` calls of `fn` with `CONCURRENCY` workers; returns requests per second. */
async function run(total, fn) {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      next += 1;
      await fn();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return total / ((performance.now() - started) / 1000);
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fmt = (n) => Math.round(n).toLocaleString('en-US');

async function main() {
  const { createHttpClient, staticHeaders, VERSION } = await import('../dist/index.js');
  const perRound = Number(process.argv[2] ?? 20_000);
  const server = await startServer();
  const headers = { 'x-api-key': 'bench-key-0123456789', accept: 'application/json', 'user-agent': `@x/http-core/${VERSION} node/${process.versions.node}` };
  // Same pool shape for both: one Agent with CONCURRENCY connections.
  const rawAgent = new Agent({ connections: CONCURRENCY });
  const rawUrl = `${server.url}/units/abc/values?guids=a,b`;
  const raw = async () => {
    const res = await request(rawUrl, { dispatcher: rawAgent, method: 'GET', headers });
    if (res.statusCode !== 200) throw new Error(`raw: HTTP ${res.statusCode}`);
    await res.body.json();
  };
  // Retries (defaults: 3 attempts, budget) and redaction are on; auth adds its header per attempt.
  const http = createHttpClient({ baseUrl: server.url, maxConnections: CONCURRENCY, auth: staticHeaders({ 'x-api-key': 'bench-key-0123456789' }) });
  const viaClient = async () => {
    const res = await http.request({ path: 'units/abc/values', query: { guids: 'a,b' } });
    if (res.status !== 200) throw new Error(`client: HTTP ${res.status}`);
  };

  console.log(`node ${process.version}, ${CONCURRENCY} concurrent, ${fmt(perRound)} requests per round, server in a child process`);
  await run(5_000, raw);
  await run(5_000, viaClient);
  const rawRates = [];
  const clientRates = [];
  for (let round = 0; round < 5; round++) {
    // Alternate the order so drift on a shared machine hits both alike.
    if (round % 2 === 0) {
      rawRates.push(await run(perRound, raw));
      clientRates.push(await run(perRound, viaClient));
    } else {
      clientRates.push(await run(perRound, viaClient));
      rawRates.push(await run(perRound, raw));
    }
  }
  const rawRate = median(rawRates);
  const clientRate = median(clientRates);
  console.log(`raw undici.request: ${fmt(rawRate)} req/s (median of ${rawRates.length} rounds: ${rawRates.map(fmt).join(', ')})`);
  console.log(`@x/http-core client: ${fmt(clientRate)} req/s (median of ${clientRates.length} rounds: ${clientRates.map(fmt).join(', ')})`);
  console.log(`http-core vs raw undici ratio: ${(clientRate / rawRate).toFixed(3)}`);

  globalThis.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  await run(RSS_REQUESTS, viaClient);
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  globalThis.gc?.();
  const rssAfter = process.memoryUsage().rss;
  const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1);
  console.log(
    `peak RSS after ${fmt(RSS_REQUESTS)} client requests: ${mb(peak)} MiB (before ${mb(rssBefore)} MiB, after gc ${mb(rssAfter)} MiB, process maxRSS ${mb(process.resourceUsage().maxRSS * 1024)} MiB)`,
  );

  await http.close();
  await rawAgent.close();
  server.stop();
}

if (process.argv[2] === 'server') {
  const body = JSON.stringify({ ok: true, value: 42, unit: 'kW' });
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1', () => process.send?.(server.address().port));
  process.on('disconnect', () => process.exit(0));
} else {
  await main();
}
