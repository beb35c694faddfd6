// Benchmark of @x/comap against its simulator (run by the root `npm run bench` on the built dist):
//  1. rate limit off: poll the values of 1,000 units (1,000 GET .../values per round) through
//     ComapClient, and through a raw undici.request() loop on the same server in the same run
//     (undici is resolved from @x/http-core's own dependency: only http-core may depend on it);
//  2. rate limit on (the simulator's documented flat 1 request/s and 60 per rolling 60 s, the client's default shared
//     1 request/s per key): 120 values calls must finish within 1.05x the 1 req/s floor
//     ((120 - 1) x 1 s: the first call goes at once) with zero 429s.
// The simulator runs in a child process so it does not share the client's event loop.
//   node --expose-gc values-poll.mjs [--quick]   (--quick: 20 rate-limited calls instead of 120)
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { forkSimulator, serveSimulator } from './lib/simulator-child.mjs';

const UNITS = 1000;
const CONCURRENCY = 32;
const ROUNDS = 5;
const quick = process.argv.includes('--quick');
const LIMITED_CALLS = quick ? 20 : 120;

if (process.argv[2] === 'server') {
  const { startComapSimulator } = await import('../dist/testing.js');
  const rateLimit = process.argv[3] === 'on' ? undefined : false;
  const sim = await startComapSimulator({ units: UNITS, seed: 2026, fileRows: 10, requestLogLimit: 100, ...(rateLimit === false ? { rateLimit } : {}) });
  serveSimulator(sim);
} else {
  await runBench();
}

function startServer(rateLimit) {
  return forkSimulator(fileURLToPath(import.meta.url), ['server', rateLimit]);
}

async function pool(total, fn) {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < total) await fn(next++);
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

async function runBench() {
  const { ComapClient } = await import('../dist/index.js');
  const httpCoreRequire = createRequire(fileURLToPath(new URL('../../http-core/package.json', import.meta.url)));
  const undici = await import(pathToFileURL(httpCoreRequire.resolve('undici')).href);
  const date = new Date().toISOString().slice(0, 10);
  console.log(`@x/comap values poll benchmark, ${date}, node ${process.version}, ${UNITS} units, concurrency ${CONCURRENCY}`);

  // 1. Rate limit off.
  const sim = await startServer('off');
  const client = new ComapClient({ ...sim, baseUrl: sim.url, rateLimit: false, maxConnections: CONCURRENCY });
  const guids = (await client.units()).map((u) => u.unitGuid);
  if (guids.length !== UNITS) throw new Error(`expected ${UNITS} units, got ${guids.length}`);
  const token = client.token.access_token;
  const agent = new undici.Agent({ connections: CONCURRENCY });
  const headers = { 'comap-key': sim.key, authorization: `Bearer ${token}`, accept: 'application/json' };
  const base = `${sim.url}/v1.1/${encodeURIComponent(sim.loginId)}/units/`;
  const raw = async (i) => {
    const res = await undici.request(`${base}${guids[i % UNITS]}/values`, { headers, dispatcher: agent });
    const body = await res.body.json();
    if (res.statusCode !== 200 || body.values.length !== 36) throw new Error(`raw: HTTP ${res.statusCode}`);
  };
  // The lower-level call http-core itself makes, parsing like it does (text + JSON.parse): the tight baseline.
  const origin = sim.url;
  const prefix = `/v1.1/${encodeURIComponent(sim.loginId)}/units/`;
  const dispatch = async (i) => {
    const res = await agent.request({ origin, path: `${prefix}${guids[i % UNITS]}/values`, method: 'GET', headers });
    const body = JSON.parse(await res.body.text());
    if (res.statusCode !== 200 || body.values.length !== 36) throw new Error(`dispatch: HTTP ${res.statusCode}`);
  };
  const viaClient = async (i) => {
    const values = await client.values(guids[i % UNITS]);
    if (values.length !== 36) throw new Error('client: wrong values');
  };
  for (const fn of [raw, viaClient, dispatch]) await pool(UNITS, fn); // warm-up
  const rates = { raw: [], client: [], dispatch: [] };
  const order = [
    () => pool(UNITS, raw).then((r) => rates.raw.push(r)),
    () => pool(UNITS, viaClient).then((r) => rates.client.push(r)),
    () => pool(UNITS, dispatch).then((r) => rates.dispatch.push(r)),
  ];
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order so drift on a shared machine hits all alike.
    for (let k = 0; k < order.length; k++) await order[(k + round) % order.length]();
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const fmt = (xs) => xs.map((x) => x.toFixed(0)).join(', ');
  const rawRate = median(rates.raw);
  const clientRate = median(rates.client);
  const dispatchRate = median(rates.dispatch);
  console.log(`rate limit off (median of ${ROUNDS} rounds of ${UNITS} GET .../values, parsed):`);
  console.log(`  ComapClient.values() (parses and types 36 values, dates): ${clientRate.toFixed(0)} req/s [${fmt(rates.client)}]`);
  console.log(`  raw undici.request(url) + body.json() (undici from @x/http-core's dependency): ${rawRate.toFixed(0)} req/s [${fmt(rates.raw)}]`);
  console.log(`  raw Agent.request({ origin, path }) + JSON.parse(text): ${dispatchRate.toFixed(0)} req/s [${fmt(rates.dispatch)}]`);
  console.log(`  ratio client / raw undici.request: ${(clientRate / rawRate).toFixed(2)}; client / raw Agent.request: ${(clientRate / dispatchRate).toFixed(2)}`);
  await client.close();
  await agent.close();
  sim.stop();

  // 2. Rate limit on, client default (1 request/s shared per key).
  const limited = await startServer('on');
  const paced = new ComapClient({ ...limited, baseUrl: limited.url });
  const unit = (await paced.units())[0].unitGuid;
  // The units call above took the first slot; measure LIMITED_CALLS more, all issued at once.
  await new Promise((r) => setTimeout(r, 1100));
  const started = performance.now();
  await Promise.all(Array.from({ length: LIMITED_CALLS }, () => paced.values(unit)));
  const elapsed = (performance.now() - started) / 1000;
  const floor = LIMITED_CALLS - 1;
  const stats = await limited.stats();
  const ratio = elapsed / floor;
  console.log(`rate limit on: ${LIMITED_CALLS} calls in ${elapsed.toFixed(2)} s; floor ${floor} s at 1 req/s; ratio ${ratio.toFixed(3)} (limit 1.05); 429s: ${stats.rateLimited}; X-RateLimit-Remaining last seen ${paced.rateLimit?.remaining}`);
  await paced.close();
  limited.stop();
  const ok = ratio <= 1.05 && stats.rateLimited === 0;
  console.log(ok ? 'PASS' : 'FAIL');
  if (!ok) process.exitCode = 1;
}
