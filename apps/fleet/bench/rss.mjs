// Memory of a long demo run: the demo fleet (simulators, PGlite on disk, readings flowing) in a
// child process with 5 dashboards attached (an SSE stream each, /api/devices every 5 s), its RSS
// and JS heap sampled every `--sample` seconds for `--minutes` minutes after a one-minute warm-up
// (the database and caches fill first). Reported: the samples, and the change from the median of
// the first tenth to the median of the last tenth of the run (target: within ±10%), for the RSS and
// for each part of it: the JS heap (live after a forced GC, and what V8 holds for it), PGlite's
// WebAssembly memory (its size, and how much of it is resident: Linux only, from /proc/self/smaps)
// and the database's size on disk.
//   node --expose-gc rss.mjs [--minutes 2] [--sample 10]   (the 60-minute run: --minutes 60)
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg, fmt, machineLine, median } from './lib/stats.mjs';

const MINUTES = Number(arg('minutes', process.argv.includes('--quick') ? 1 : 2));
const SAMPLE_S = Number(arg('sample', MINUTES >= 30 ? 60 : 10));
const WARM_UP_S = Number(arg('warmup', 60));
const DASHBOARDS = 5;

if (!(MINUTES > 0) || !(SAMPLE_S > 0)) throw new RangeError('--minutes and --sample must be positive numbers');

/** Resident bytes of the anonymous mapping exactly `bytes` long (the WebAssembly memory); NaN off Linux. */
function residentOfMapping(bytes) {
  let smaps;
  try {
    smaps = readFileSync('/proc/self/smaps', 'utf8');
  } catch {
    return NaN;
  }
  let match = false;
  for (const line of smaps.split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) match = head[3] === '' && parseInt(head[2], 16) - parseInt(head[1], 16) === bytes;
    else if (match && line.startsWith('Rss:')) return Number(line.split(/\s+/)[1]) * 1024;
  }
  return NaN;
}

async function child() {
  // The app keeps its PGlite private: the bench wraps PGlite.create (same module instance as the
  // built app's) to read the size of the database's WebAssembly memory.
  const { PGlite } = await import('@electric-sql/pglite');
  let pglite;
  const create = PGlite.create.bind(PGlite);
  PGlite.create = async (...args) => (pglite = await create(...args));
  const { startFleet } = await import('../dist/index.js');
  const { silentLogger } = await import('@x/http-core');
  const dir = await mkdtemp(join(tmpdir(), 'fleet-bench-rss-'));
  const app = await startFleet({ demo: true, port: 0, dataDir: join(dir, 'data'), logger: silentLogger });
  process.on('message', async (m) => {
    if (m === 'sample') {
      // Live objects only: without a collection first, the heap figure swings by 20 MiB with garbage.
      globalThis.gc?.();
      const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
      const [db] = await app.store.db.query('SELECT count(*)::int AS n, pg_database_size(current_database())::float8 AS bytes FROM readings');
      const wasm = pglite?.mod?.HEAPU8?.length ?? NaN;
      process.send({ rss, heapUsed, heapTotal, external, arrayBuffers, wasm, wasmResident: residentOfMapping(wasm), dbBytes: db.bytes, readings: db.n });
    }
    if (m === 'stop') {
      await app.stop();
      await rm(dir, { recursive: true, force: true });
      process.exit(0);
    }
  });
  process.send({ url: app.url });
}

function get(url) {
  return new Promise((resolve) => {
    request(url, (res) => {
      res.resume();
      res.on('end', resolve);
    })
      .on('error', resolve)
      .end();
  });
}

async function main() {
  console.log(machineLine(`fleet demo memory over ${MINUTES} min (sample every ${SAMPLE_S} s after a ${WARM_UP_S} s warm-up, ${DASHBOARDS} dashboards)`));
  const proc = fork(fileURLToPath(import.meta.url), ['child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--expose-gc'] });
  const { url } = await new Promise((resolve, reject) => {
    proc.once('message', resolve);
    proc.once('exit', (code) => reject(new Error(`the demo exited with ${code}`)));
  });
  const sample = () =>
    new Promise((resolve) => {
      proc.once('message', resolve);
      proc.send('sample');
    });
  const streams = Array.from({ length: DASHBOARDS }, () => {
    const req = request(`${url}/api/events`, (res) => res.resume());
    req.on('error', () => undefined);
    req.end();
    return req;
  });
  const poller = setInterval(() => void get(`${url}/api/devices`), 5000 / DASHBOARDS);
  await new Promise((resolve) => setTimeout(resolve, WARM_UP_S * 1000));
  const samples = [];
  const started = Date.now();
  const count = Math.max(2, Math.round((MINUTES * 60) / SAMPLE_S) + 1);
  for (let i = 0; i < count; i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, started + i * SAMPLE_S * 1000 - Date.now()));
    const s = await sample();
    samples.push(s);
    console.log(
      `  ${fmt((Date.now() - started) / 60_000, 1).padStart(5)} min  RSS ${mib(s.rss)}  heap ${mib(s.heapUsed)} of ${mib(s.heapTotal)}  external ${mib(s.external)} (array buffers ${mib(s.arrayBuffers)})  ` +
        `PGlite memory ${mib(s.wasm)}, resident ${mib(s.wasmResident)}  database ${mib(s.dbBytes)} on disk, ${fmt(s.readings)} readings`,
    );
  }
  clearInterval(poller);
  for (const req of streams) req.destroy();
  await new Promise((resolve) => proc.once('exit', resolve).send('stop'));
  const tenth = Math.max(1, Math.floor(samples.length / 10));
  const ends = (key) => [median(samples.slice(0, tenth).map((s) => s[key])), median(samples.slice(-tenth).map((s) => s[key]))];
  const [first, last] = ends('rss');
  const change = (last - first) / first;
  const parts = [['JS heap', 'heapUsed'], ['JS heap reserved', 'heapTotal'], ['external', 'external'], ['PGlite memory resident', 'wasmResident'], ['database on disk', 'dbBytes']];
  console.log(`change, first tenth → last tenth: ${parts.map(([name, key]) => `${name} ${ends(key).map(mib).join(' → ')}`).join('; ')}`);
  const rss = samples.map((s) => s.rss / 2 ** 20);
  console.log(
    `RSS ${fmt(first / 2 ** 20, 1)} → ${fmt(last / 2 ** 20, 1)} MiB (${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)}%; min ${fmt(Math.min(...rss), 1)}, max ${fmt(Math.max(...rss), 1)} MiB); ` +
      (MINUTES >= 60
        ? `target ±10% over 60 min: ${Math.abs(change) <= 0.1 ? 'PASS' : 'MISSED'}`
        : `${Math.abs(change) <= 0.1 ? 'within' : 'outside'} ±10% over these ${MINUTES} min (the 60-minute target needs --minutes 60)`),
  );
}

const mib = (bytes) => `${fmt(bytes / 2 ** 20, 1)} MiB`;

if (process.argv[2] === 'child') await child();
else await main();
