// HTTP API benchmark of the fleet app: the demo fleet (its simulators running, readings flowing)
// in a child process with 200 SSE clients (another child process) connected to /api/events, then
//  1. GET /api/devices closed loop (50 connections): req/s, p50/p99, server CPU per request; with
//     If-None-Match (304); against a bare node:http server answering the same bytes (baseline, its
//     own child process), rounds interleaved;
//  2. GET /api/devices open loop at 1,000 req/s: p50/p99 from the scheduled send time;
//  3. the SSE clients: time to connect (p50/p99) and events each received (none may fall behind);
//  4. 10,000 devices (another child, PGlite): build time of the list, a page of 1,000 (req/s, p99), 304s.
//   node --expose-gc api.mjs [--quick]   (run by `npm run bench` on the built dist)
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { arg, fmt, machineLine, median, percentile, rounds } from './lib/stats.mjs';

const quick = process.argv.includes('--quick');
const SSE_CLIENTS = Number(arg('sse', 200));
const CONCURRENCY = 50;
const PER_ROUND = quick ? 3_000 : 10_000;
const ROUNDS = quick ? 3 : 5;
const RATE = 1_000;
const RATE_SECONDS = quick ? 5 : 15;
const BIG = 10_000;

// ---- child processes ---------------------------------------------------------------------------

async function serveDemo(dir) {
  const { startFleet } = await import('../dist/index.js');
  const { silentLogger } = await import('@x/http-core');
  const app = await startFleet({ demo: true, port: 0, dataDir: dir, logger: silentLogger });
  await app.waitFor((s) => s.vendors.comap.state === 'connected' && s.vendors.devicecloud.state === 'connected' && s.vendors.thinq.state === 'connected', 60_000);
  return { url: app.url, stop: () => app.stop() };
}

async function serveBig() {
  const { startFleet } = await import('../dist/index.js');
  const { silentLogger } = await import('@x/http-core');
  const app = await startFleet({ port: 0, dataDir: 'memory://', offline: true, logger: silentLogger });
  const ids = Array.from({ length: BIG }, (_, i) => `gw-${String(i).padStart(5, '0')}`);
  const now = Date.now();
  await app.store.db.query(
    `INSERT INTO devices (id, vendor, vendor_id, name, kind, model, online, primary_metric, commands, created_at, updated_at)
     SELECT 'devicecloud:' || v, 'devicecloud', v, 'Gateway ' || v, 'gateway', 'ConnectPort X4', true, 'temperature', '[]'::jsonb, $2, $2 FROM unnest($1::text[]) AS v`,
    [ids, now],
  );
  // Three readings per device, so every device has last values.
  for (const metric of ['temperature', 'humidity', 'rssi']) {
    await app.ingest.readings(ids.map((v, i) => ({ deviceId: `devicecloud:${v}`, metric, value: 20 + (i % 50) / 10, unit: 'C', ts: now })), { live: false });
  }
  return { url: app.url, stop: () => app.stop() };
}

async function serveBare(body) {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-cache' });
    res.end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, stop: () => new Promise((resolve) => server.close(resolve)) };
}

/** The SSE clients, in a process of their own so reading 200 streams does not slow the load generator. */
async function sseChild(url) {
  const sse = await sseClients(url, SSE_CLIENTS);
  process.on('message', (m) => {
    if (m === 'counts') process.send({ counts: sse.counts() });
    if (m === 'stop') {
      sse.close();
      process.exit(0);
    }
  });
  process.send({ connectMs: sse.connectMs });
}

async function child(mode) {
  if (mode === 'sse') return sseChild(await new Promise((resolve) => process.once('message', resolve)));
  let dir;
  let served;
  if (mode === 'demo') {
    dir = await mkdtemp(join(tmpdir(), 'fleet-bench-api-'));
    served = await serveDemo(join(dir, 'data'));
  } else if (mode === 'big') {
    served = await serveBig();
  } else {
    served = await serveBare(await new Promise((resolve) => process.once('message', resolve)));
  }
  // How long the server's event loop was held up (GC, PGlite queries, the machine's other work).
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  process.on('message', async (m) => {
    if (m === 'cpu') {
      process.send({ cpu: process.cpuUsage(), rss: process.memoryUsage().rss, loopP99: loop.percentile(99) / 1e6, loopMax: loop.max / 1e6 });
      loop.reset();
    }
    if (m === 'stop') {
      await served.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
      process.exit(0);
    }
  });
  process.send({ url: served.url });
}

function startChild(mode, message) {
  const proc = fork(fileURLToPath(import.meta.url), ['child', mode], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  if (message !== undefined) proc.send(message);
  const ask = () =>
    new Promise((resolve) => {
      proc.once('message', resolve);
      proc.send('cpu');
    });
  return new Promise((resolve, reject) => {
    proc.once('message', (m) => resolve({ url: m.url, cpu: ask, stop: () => new Promise((done) => proc.once('exit', done).send('stop')) }));
    proc.once('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
  });
}

// ---- load --------------------------------------------------------------------------------------

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

/** One GET; resolves with status, ETag and body length. */
function get(url, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers }, (res) => {
      let bytes = 0;
      res.on('data', (chunk) => (bytes += chunk.length));
      res.on('end', () => resolve({ status: res.statusCode, etag: res.headers.etag, bytes }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** `total` GETs by CONCURRENCY workers; rate, latencies, server CPU µs per request. */
async function closedLoop(server, url, total, headers, expectStatus) {
  const latencies = [];
  let next = 0;
  const before = await server.cpu();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < total) {
        next++;
        const t = performance.now();
        const res = await get(url, headers);
        if (res.status !== expectStatus) throw new Error(`${url}: HTTP ${res.status}, expected ${expectStatus}`);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const after = await server.cpu();
  const cpuUs = (after.cpu.user - before.cpu.user + after.cpu.system - before.cpu.system) / total;
  return { rate: total / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), cpuUs };
}

/** GETs at a fixed rate for `seconds`; latency from each request's scheduled time. */
async function openLoop(url, rate, seconds) {
  const latencies = [];
  const total = rate * seconds;
  const started = performance.now();
  const pending = [];
  let errors = 0;
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    // From the earlier of the scheduled time and the send: a request sent late (the loop stalled)
    // counts its wait too; one sent early (timers fire to the millisecond, so up to 1 ms before it
    // is due) counts from its send, never from a time after it left.
    const from = Math.min(due, performance.now());
    pending.push(
      get(url).then(
        (res) => {
          if (res.status !== 200) errors++;
          latencies.push(performance.now() - from);
        },
        () => errors++,
      ),
    );
  }
  await Promise.all(pending);
  const achieved = total / ((performance.now() - started) / 1000);
  return { achieved, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: Math.max(...latencies), errors };
}

/** SSE clients on /api/events: connect times and events received per client. */
async function sseClients(url, count) {
  const clients = [];
  const connectMs = [];
  await Promise.all(
    Array.from({ length: count }, async () => {
      const t = performance.now();
      await new Promise((resolve, reject) => {
        const client = { events: 0, req: undefined };
        client.req = request(`${url}/api/events`, { headers: { accept: 'text/event-stream' } }, (res) => {
          res.setEncoding('utf8');
          res.on('data', (text) => {
            if (connectMs.length < count && client.events === 0 && text.includes('event: hello')) {
              connectMs.push(performance.now() - t);
              resolve();
            }
            client.events += text.split('event: ').length - 1;
          });
        });
        client.req.on('error', reject);
        client.req.end();
        clients.push(client);
      });
    }),
  );
  return {
    connectMs,
    counts: () => clients.map((c) => c.events),
    close: () => {
      for (const c of clients) c.req.destroy();
    },
  };
}

const ms = (x) => `${x.toFixed(1)} ms`;

async function main() {
  console.log(machineLine(`fleet API benchmark, ${SSE_CLIENTS} SSE clients, ${CONCURRENCY} connections`));
  const demo = await startChild('demo');
  const devicesUrl = `${demo.url}/api/devices`;
  const first = await get(devicesUrl);
  const body = await new Promise((resolve, reject) => {
    request(devicesUrl, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    }).on('error', reject).end();
  });
  const bare = await startChild('bare', body);
  const sseProc = fork(fileURLToPath(import.meta.url), ['child', 'sse'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  sseProc.send(demo.url);
  const askSse = (what) =>
    new Promise((resolve) => {
      sseProc.once('message', resolve);
      if (what) sseProc.send(what);
    });
  const sse = await askSse();
  const eventsBefore = (await askSse('counts')).counts;
  const rssBefore = (await demo.cpu()).rss;
  console.log(`demo fleet: ${JSON.parse(body).devices.length} devices, /api/devices ${fmt(first.bytes)} bytes; ${SSE_CLIENTS} SSE clients connected: p50 ${ms(percentile(sse.connectMs, 50))}, p99 ${ms(percentile(sse.connectMs, 99))}`);

  // 1. Closed loop, interleaved.
  for (const url of [devicesUrl, `${bare.url}/`]) await closedLoop(url === devicesUrl ? demo : bare, url, 1000, {}, 200);
  const results = await rounds(ROUNDS, {
    devices: () => closedLoop(demo, devicesUrl, PER_ROUND, {}, 200),
    notModified: async () => {
      const { etag } = await get(devicesUrl);
      return closedLoop(demo, devicesUrl, PER_ROUND, { 'if-none-match': etag }, 304).catch(async (err) => {
        // The list changed in the middle of the round (readings keep arriving): count it as a 200 round.
        if (!/HTTP 200/.test(err.message)) throw err;
        return closedLoop(demo, devicesUrl, PER_ROUND, {}, 200);
      });
    },
    bare: () => closedLoop(bare, `${bare.url}/`, PER_ROUND, {}, 200),
  });
  const line = (name, rs) =>
    `${fmt(median(rs.map((r) => r.rate)))} req/s [${rs.map((r) => fmt(r.rate)).join(', ')}], p50 ${ms(median(rs.map((r) => r.p50)))}, p99 ${ms(median(rs.map((r) => r.p99)))}, server CPU ${fmt(median(rs.map((r) => r.cpuUs)))} µs/request`;
  console.log(`closed loop, ${CONCURRENCY} connections, median of ${ROUNDS} interleaved rounds of ${fmt(PER_ROUND)} requests:`);
  console.log(`  GET /api/devices (200, full answer):   ${line('devices', results.devices)}`);
  console.log(`  GET /api/devices If-None-Match (304):  ${line('304', results.notModified)}`);
  console.log(`  bare node:http, same bytes (baseline): ${line('bare', results.bare)}`);
  const paired = median(results.devices.map((r, i) => r.rate / results.bare[i].rate));
  const devicesRate = median(results.devices.map((r) => r.rate));
  console.log(`  ratio /api/devices / bare: ${paired.toFixed(2)}; target >= 1,500 req/s: ${fmt(devicesRate)} ${devicesRate >= 1500 ? 'PASS' : 'MISSED'}`);

  // 2. Open loop at 1,000 req/s.
  await demo.cpu();
  const open = await openLoop(devicesUrl, RATE, RATE_SECONDS);
  const loop = await demo.cpu();
  console.log(
    `open loop, ${fmt(RATE)} req/s for ${RATE_SECONDS} s (latency from the scheduled time): achieved ${fmt(open.achieved)} req/s, p50 ${ms(open.p50)}, p99 ${ms(open.p99)}, max ${ms(open.max)}, errors ${open.errors}; target p99 < 100 ms: ${open.p99 < 100 ? 'PASS' : 'MISSED'}`,
  );
  console.log(`  the server's event loop meanwhile: delay p99 ${ms(loop.loopP99)}, max ${ms(loop.loopMax)}`);

  // 3. The SSE clients kept up.
  const counts = (await askSse('counts')).counts.map((c, i) => c - eventsBefore[i]);
  const rssAfter = (await demo.cpu()).rss;
  console.log(`/api/events: each of ${SSE_CLIENTS} clients received ${fmt(Math.min(...counts))}–${fmt(Math.max(...counts))} events during the load (all the same: ${new Set(counts).size === 1}); server RSS ${fmt(rssBefore / 2 ** 20)} → ${fmt(rssAfter / 2 ** 20)} MiB`);
  await new Promise((resolve) => sseProc.once('exit', resolve).send('stop'));
  await bare.stop();
  await demo.stop();

  // 4. 10,000 devices.
  const big = await startChild('big');
  const t = performance.now();
  const full = await get(`${big.url}/api/devices`);
  const buildMs = performance.now() - t;
  const pageUrl = `${big.url}/api/devices?limit=1000&cursor=5000`;
  const page = await closedLoop(big, pageUrl, quick ? 500 : 2000, {}, 200);
  const { etag } = await get(pageUrl);
  const cached = await closedLoop(big, pageUrl, quick ? 500 : 2000, { 'if-none-match': etag }, 304);
  console.log(
    `${fmt(BIG)} devices: whole list ${fmt(full.bytes / 2 ** 20, 1)} MiB built and sent in ${ms(buildMs)}; a page of 1,000 (limit=1000): ${fmt(page.rate)} req/s, p99 ${ms(page.p99)}; its 304: ${fmt(cached.rate)} req/s, p99 ${ms(cached.p99)}`,
  );
  await big.stop();
  agent.destroy();
}

if (process.argv[2] === 'child') await child(process.argv[3]);
else await main();
