// Benchmark of the fleet poller (pollFleet) against the simulator, on the built dist (run by the
// root `npm run bench`; `npm run bench -- fleet-poll` runs only this one):
//  1. rate limit off: one sweep of 200 units through pollFleet, and through a baseline in the same
//     run: the same client calling values() for the same units with the same 2 workers, nothing
//     else (no diffing, alarms, ordering, events). Rounds interleaved (order rotated), medians of
//     wall time and of this process's CPU time per unit, and the median of per-round ratios;
//  2. the real limit (the simulator's flat 1 request/s per key, the client's default shared 1
//     request/s): one 200-unit sweep while a 50 MB download on the same key comes in over a 256 KiB/s
//     link (the simulator trickles it, so it lasts about the whole sweep). Pass: the sweep within
//     1.02x the 200 s floor, zero 429s, every unit read, the whole file received.
// The simulator runs in a child process so it does not share the client's event loop.
//   node --expose-gc fleet-poll.mjs [--quick]   (--quick: 20 units in part 2; BENCH_ROUNDS=7 rounds in part 1)
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { forkSimulator, serveSimulator } from './lib/simulator-child.mjs';

const UNITS = 200;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const quick = process.argv.includes('--quick');
const LIMITED_UNITS = quick ? 20 : UNITS;
const DOWNLOAD_BYTES = 50 * 1024 * 1024;
// A link so slow the download lasts as long as the sweep's floor (256 KiB/s for 200 units).
const LINK_BYTES_PER_SECOND = DOWNLOAD_BYTES / LIMITED_UNITS;
const LIMIT_RATIO = 1.02;

const servers = [];

async function startServer(rateLimit) {
  const server = await forkSimulator(fileURLToPath(import.meta.url), ['server', rateLimit, String(LINK_BYTES_PER_SECOND)]);
  servers.push(server);
  return server;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Runs `fn`, returns wall milliseconds and this process's CPU microseconds. */
async function timed(fn) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await fn();
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - started, cpuUs: used.user + used.system };
}

async function partOne(ComapClient, pollFleet) {
  const server = await startServer('off');
  const client = new ComapClient({ ...server, baseUrl: server.url, rateLimit: false });
  const units = server.units;
  const sweep = async () => {
    let seen = 0;
    for await (const e of pollFleet(client, { units, sweeps: 1 })) if (e.type === 'unit') seen += 1;
    if (seen !== units.length) throw new Error(`pollFleet reported ${seen} of ${units.length} units`);
  };
  const baseline = async () => {
    let next = 0;
    await Promise.all(
      Array.from({ length: 2 }, async () => {
        while (next < units.length) await client.values(units[next++]);
      }),
    );
  };
  await sweep();
  await baseline();
  const poll = [];
  const base = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = [async () => poll.push(await timed(sweep)), async () => base.push(await timed(baseline))];
    for (let i = 0; i < order.length; i++) await order[(i + round) % order.length]();
  }
  await client.close();
  server.stop();
  const ms = (list) => list.map((r) => r.ms.toFixed(0));
  const cpuPerUnit = (list) => median(list.map((r) => r.cpuUs / UNITS));
  console.log(`rate limit off, one sweep of ${UNITS} units (median of ${ROUNDS} interleaved rounds):`);
  console.log(`  pollFleet (values, changes, alarms, offline, ordering, events): ${median(poll.map((r) => r.ms)).toFixed(0)} ms [${ms(poll).join(', ')}], CPU ${cpuPerUnit(poll).toFixed(0)} µs/unit`);
  console.log(`  baseline (client.values() per unit, same 2 workers): ${median(base.map((r) => r.ms)).toFixed(0)} ms [${ms(base).join(', ')}], CPU ${cpuPerUnit(base).toFixed(0)} µs/unit`);
  console.log(`  ratio pollFleet / baseline: wall ${median(poll.map((r, i) => r.ms / base[i].ms)).toFixed(3)}, CPU ${median(poll.map((r, i) => r.cpuUs / base[i].cpuUs)).toFixed(3)} (medians of per-round ratios)`);
}

async function partTwo(ComapClient, pollFleet) {
  const server = await startServer('on');
  const client = new ComapClient({ ...server, baseUrl: server.url });
  const units = server.units.slice(0, LIMITED_UNITS);
  await client.getToken();
  const floorS = LIMITED_UNITS;
  let downloaded;
  const download = client
    .download(server.units[0], 'big history.csv', new PassThrough().resume(), { deadlineInMs: 900_000 })
    .then((r) => (downloaded = { ...r, at: performance.now() }));
  const started = performance.now();
  let summary;
  for await (const e of pollFleet(client, { units, sweeps: 1 })) if (e.type === 'sweep') summary = e;
  const sweepS = (performance.now() - started) / 1000;
  const stillDownloading = downloaded === undefined;
  await download;
  const stats = await server.stats();
  await client.close();
  server.stop();
  const ratio = sweepS / floorS;
  console.log(
    `rate limit on (1 request/s flat per key): sweep of ${LIMITED_UNITS} units in ${sweepS.toFixed(2)} s; floor ${floorS} s; ratio ${ratio.toFixed(3)} (limit ${LIMIT_RATIO}); ok ${summary.ok}, failed ${summary.failed}; 429s: ${stats.rateLimited}`,
  );
  console.log(
    `  with a ${(DOWNLOAD_BYTES / 1024 / 1024).toFixed(0)} MB download on the same key over a ${(LINK_BYTES_PER_SECOND / 1024).toFixed(0)} KiB/s link: ${downloaded.bytes} bytes, finished ${((downloaded.at - started) / 1000).toFixed(1)} s after the sweep started (still running when the sweep ended: ${stillDownloading})`,
  );
  const pass = ratio <= LIMIT_RATIO && stats.rateLimited === 0 && summary.ok === LIMITED_UNITS && downloaded.bytes === DOWNLOAD_BYTES;
  console.log(pass ? 'PASS' : 'FAIL');
  if (!pass) process.exitCode = 1;
}

async function runBench() {
  const { ComapClient, pollFleet } = await import('../dist/index.js');
  // A failure must not leave a simulator child behind.
  process.on('exit', () => servers.forEach((s) => s.stop()));
  console.log(`@x/comap fleet poller benchmark, ${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${UNITS} units, simulator in a child process`);
  await partOne(ComapClient, pollFleet);
  await partTwo(ComapClient, pollFleet);
}

if (process.argv[2] === 'server') {
  const { startComapSimulator } = await import('../dist/testing.js');
  const limited = process.argv[3] === 'on';
  const sim = await startComapSimulator({ units: UNITS, seed: 2026, fileRows: 10, requestLogLimit: 100, downloadBytesPerSecond: Number(process.argv[4]), ...(limited ? {} : { rateLimit: false }) });
  if (limited) sim.addFile(sim.units[0].unitGuid, { fileName: 'big history.csv', bytes: DOWNLOAD_BYTES });
  serveSimulator(sim, { units: sim.units.map((u) => u.unitGuid) });
} else {
  await runBench();
}
