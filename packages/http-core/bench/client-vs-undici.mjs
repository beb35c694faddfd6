// Benchmark: requests per second through @x/http-core vs raw undici.request() on the same
// loopback server (a child process), same concurrency (50), same run; then peak RSS over
// 100,000 requests through the client, and peak RSS while downloading 512 MiB to a file. Run by
// the root `npm run bench` on the built dist.
//   node --expose-gc client-vs-undici.mjs [requestsPerRound]   (BENCH_ROUNDS=9 rounds; BENCH_QUICK=1 skips the RSS runs)
//   node client-vs-undici.mjs stub   (the client's own CPU per call, against a dispatcher that answers at once)
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';

const CONCURRENCY = 50;
const RSS_REQUESTS = 100_000;
const DOWNLOAD_MIB = 512;

async function startServer() {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'server'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

/** CPU time of this process per request (µs) of the last `run`, next to its rate. */
let lastCpuPerRequest = 0;

/** Runs `total` calls of `fn` with `CONCURRENCY` workers; returns requests per second. */
async function run(total, fn) {
  let next = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      next += 1;
      await fn();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const elapsed = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  lastCpuPerRequest = (cpu.user + cpu.system) / total;
  return total / (elapsed / 1000);
}

/** 100,000 client requests in a fresh process; reports RSS at start, peak and after gc (MiB). */
async function rssChild(url) {
  const { createHttpClient, staticHeaders } = await import('../dist/index.js');
  const mib = (bytes) => (bytes / 1024 / 1024).toFixed(1);
  globalThis.gc?.();
  const start = process.memoryUsage().rss;
  const http = createHttpClient({ baseUrl: url, maxConnections: CONCURRENCY, auth: staticHeaders({ 'x-api-key': 'bench-key-0123456789' }) });
  await run(RSS_REQUESTS, async () => {
    const res = await http.request({ path: 'units/abc/values', query: { guids: 'a,b' } });
    if (res.status !== 200) throw new Error(`client: HTTP ${res.status}`);
  });
  const peak = process.resourceUsage().maxRSS * 1024;
  await http.close();
  globalThis.gc?.();
  process.send?.({ startMiB: mib(start), peakMiB: mib(peak), endMiB: mib(process.memoryUsage().rss) });
}

/** Downloads DOWNLOAD_MIB from the server into a temporary folder; reports RSS before and the peak (MiB). */
async function downloadChild(url) {
  const { createHttpClient } = await import('../dist/index.js');
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const mib = (bytes) => (bytes / 1024 / 1024).toFixed(1);
  const dir = await mkdtemp(join(tmpdir(), 'http-core-bench-'));
  const http = createHttpClient({ baseUrl: url });
  try {
    globalThis.gc?.();
    const start = process.memoryUsage().rss;
    const started = performance.now();
    const { bytes } = await http.download({ path: `big/${DOWNLOAD_MIB}`, dir, fileName: 'big.bin' });
    const seconds = (performance.now() - started) / 1000;
    process.send?.({ startMiB: mib(start), peakMiB: mib(process.resourceUsage().maxRSS * 1024), mib: mib(bytes), mibPerSecond: (bytes / 1024 / 1024 / seconds).toFixed(0) });
  } finally {
    await http.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function measureRssInChild(url, mode = 'rss') {
  const child = spawn(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), mode, url], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (message) => {
      child.disconnect();
      resolve(message);
    });
    child.once('exit', (code) => reject(new Error(`rss child exited with ${code}`)));
  });
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
  // The lower-level undici call the client itself uses (no URL parsing per call), for reference.
  const origin = server.url;
  const dispatch = async () => {
    const res = await rawAgent.request({ origin, path: '/units/abc/values?guids=a%2Cb', method: 'GET', headers });
    if (res.statusCode !== 200) throw new Error(`raw dispatcher: HTTP ${res.statusCode}`);
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
  await run(5_000, dispatch);
  const rawRates = [];
  const clientRates = [];
  const dispatchRates = [];
  const clientCpu = [];
  const dispatchCpu = [];
  const rounds = Number(process.env.BENCH_ROUNDS ?? 9);
  for (let round = 0; round < rounds; round++) {
    // Rotate the order so drift on a shared machine hits all alike.
    const order = [
      () => run(perRound, raw).then((r) => rawRates.push(r)),
      () => run(perRound, viaClient).then((r) => { clientRates.push(r); clientCpu.push(lastCpuPerRequest); }),
      () => run(perRound, dispatch).then((r) => { dispatchRates.push(r); dispatchCpu.push(lastCpuPerRequest); }),
    ];
    for (let i = 0; i < order.length; i++) await order[(i + round) % order.length]();
  }
  const rawRate = median(rawRates);
  const clientRate = median(clientRates);
  const dispatchRate = median(dispatchRates);
  // Ratios within each round (measured seconds apart) are steadier than ratios of medians when
  // other work on the machine comes and goes.
  const pairedRaw = median(clientRates.map((r, i) => r / rawRates[i]));
  const pairedDispatch = median(clientRates.map((r, i) => r / dispatchRates[i]));
  console.log(`raw undici.request: ${fmt(rawRate)} req/s (median of ${rawRates.length} rounds: ${rawRates.map(fmt).join(', ')})`);
  console.log(`@x/http-core client: ${fmt(clientRate)} req/s (median of ${clientRates.length} rounds: ${clientRates.map(fmt).join(', ')})`);
  console.log(`raw Agent.request({ origin, path }): ${fmt(dispatchRate)} req/s (median of ${dispatchRates.length} rounds: ${dispatchRates.map(fmt).join(', ')})`);
  console.log(`http-core vs raw undici ratio: ${(clientRate / rawRate).toFixed(3)} (median of per-round ratios: ${pairedRaw.toFixed(3)})`);
  console.log(`http-core vs raw Agent.request ratio: ${(clientRate / dispatchRate).toFixed(3)} (median of per-round ratios: ${pairedDispatch.toFixed(3)})`);
  // The load generator's own CPU per request: less sensitive to other work on a shared machine than rates.
  console.log(`CPU of this process per request: client ${median(clientCpu).toFixed(1)} µs, Agent.request ${median(dispatchCpu).toFixed(1)} µs (medians)`);

  if (process.env.BENCH_QUICK) { await http.close(); await rawAgent.close(); server.stop(); return; }
  const rss = await measureRssInChild(server.url);
  console.log(
    `peak RSS after ${fmt(RSS_REQUESTS)} client requests: ${rss.peakMiB} MiB (fresh process; RSS at start ${rss.startMiB} MiB, after the run and gc ${rss.endMiB} MiB)`,
  );

  const download = await measureRssInChild(server.url, 'download');
  console.log(
    `download of ${download.mib} MiB to a file: peak RSS ${download.peakMiB} MiB (fresh process; RSS at start ${download.startMiB} MiB), ${download.mibPerSecond} MiB/s`,
  );

  await http.close();
  await rawAgent.close();
  server.stop();
}


/**
 * The client's own CPU per call: the client against a dispatcher that answers every dispatch on the
 * next turn with the bench's JSON, minus the same answer handed to a bare handler and parsed.
 */
async function stubCost() {
  const { createHttpClient, staticHeaders } = await import('../dist/index.js');
  const payload = Buffer.from(JSON.stringify({ ok: true, value: 42, unit: 'kW' }));
  const headers = { 'content-type': 'application/json', 'content-length': String(payload.length) };
  const controller = { abort() {}, pause() {}, resume() {}, aborted: false, paused: false, reason: null };
  const answer = (handler) =>
    setImmediate(() => {
      handler.onRequestStart(controller, {});
      handler.onResponseStart(controller, 200, headers, 'OK');
      handler.onResponseData(controller, payload);
      handler.onResponseEnd(controller, {});
    });
  const dispatcher = { dispatch: (_options, handler) => (answer(handler), true), close: () => Promise.resolve() };
  const http = createHttpClient({ baseUrl: 'http://127.0.0.1:9', dispatcher, auth: staticHeaders({ 'x-api-key': 'bench-key-0123456789' }) });
  const viaClient = () => http.request({ path: 'units/abc/values', query: { guids: 'a,b' } });
  const bare = () =>
    new Promise((resolve) => {
      const chunks = [];
      answer({ onRequestStart() {}, onResponseStart() {}, onResponseData: (_c, chunk) => chunks.push(chunk), onResponseEnd: () => resolve(JSON.parse(Buffer.concat(chunks).toString())) });
    });
  const client = [];
  const base = [];
  for (let round = 0; round < 11; round++) {
    await run(100_000, viaClient);
    client.push(lastCpuPerRequest);
    await run(100_000, bare);
    base.push(lastCpuPerRequest);
  }
  const own = median(client.map((c, i) => c - base[i]));
  console.log(`stub dispatcher: client ${median(client).toFixed(2)} µs, bare answer ${median(base).toFixed(2)} µs, client's own work ${own.toFixed(2)} µs per call (medians of 11 rounds)`);
  await http.close();
}

if (process.argv[2] === 'stub') {
  await stubCost();
} else if (process.argv[2] === 'rss') {
  await rssChild(process.argv[3]);
} else if (process.argv[2] === 'download') {
  await downloadChild(process.argv[3]);
} else if (process.argv[2] === 'server') {
  const body = JSON.stringify({ ok: true, value: 42, unit: 'kW' });
  const chunk = Buffer.alloc(256 * 1024, 'b');
  const server = createServer((req, res) => {
    req.resume();
    const big = /^\/big\/(\d+)$/.exec(req.url ?? '');
    if (big) {
      // A large body written with backpressure, so the client's reading speed sets the pace.
      const total = Number(big[1]) * 1024 * 1024;
      let sent = 0;
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': total });
      const pump = () => {
        while (sent < total) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1', () => process.send?.(server.address().port));
  process.on('disconnect', () => process.exit(0));
} else {
  await main();
}
