// Push-session decode throughput vs raw inflate + JSON.parse, and RSS across one million events.
// Run from this folder on the built package: `node --expose-gc push-decode.mjs` (root: `npm run bench -- devicecloud`).
import { createServer } from 'node:net';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { inflateSync, deflateSync } from 'node:zlib';
import { FrameDecoder, PushSession, encodeConnectionResponse, encodePublishMessage } from '../dist/index.js';
import { renderDocument } from '../dist/testing.js';

const TOTAL_EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const BATCH = 100;
const DISTINCT_BLOCKS = 200;
const BLOCKS = Math.ceil(TOTAL_EVENTS / BATCH);
const gc = globalThis.gc ?? (() => {});
const mb = (n) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

// Realistic DataPoint batches (JSON, zlib, 100 events each), pre-encoded.
const payloads = [];
const frames = [];
let seq = 0;
for (let b = 0; b < DISTINCT_BLOCKS; b++) {
  const events = [];
  for (let i = 0; i < BATCH; i++, seq++) {
    const now = 1_700_000_000_000 + seq;
    events.push({
      type: 'DataPoint',
      topic: `7603/DataPoint/00000000-00000000-00409DFF-FF${String(seq % 50).padStart(6, '0')}/temperature`,
      operation: 'create',
      timestamp: new Date(now).toISOString(),
      seq,
      body: {
        id: `5f0c${String(seq).padStart(8, '0')}-1b2c-11ee-9a6b-0242ac120002`,
        cstId: 7603,
        streamId: `00000000-00000000-00409DFF-FF${String(seq % 50).padStart(6, '0')}/temperature`,
        data: Math.round(Math.random() * 4000) / 100,
        timestamp: now,
        serverTimestamp: now + 12,
        quality: 0,
        description: '',
        streamUnits: 'C',
        streamType: 'DOUBLE',
      },
    });
  }
  const data = deflateSync(renderDocument(events, 'json'));
  payloads.push(data);
  frames.push(encodePublishMessage({ blockId: b, count: BATCH, compression: 'zlib', format: 'json', data }));
}

function baseline(blocks) {
  const start = process.hrtime.bigint();
  let events = 0;
  for (let i = 0; i < blocks; i++) {
    const doc = JSON.parse(inflateSync(payloads[i % DISTINCT_BLOCKS]).toString('utf8'));
    const msg = doc.Document.Msg;
    events += Array.isArray(msg) ? msg.length : 1;
  }
  const s = Number(process.hrtime.bigint() - start) / 1e9;
  return { events, seconds: s, perSecond: events / s };
}

// The feeding server runs in a worker thread so its writes do not share the measured event loop.
if (!isMainThread) {
  const { blocks, frames: list } = workerData;
  const server = createServer((socket) => {
    const decoder = new FrameDecoder();
    socket.on('error', () => {});
    socket.once('data', async (chunk) => {
      decoder.push(Buffer.from(chunk));
      if (!decoder.next()) return;
      socket.write(encodeConnectionResponse(200));
      for (let i = 0; i < blocks; i++) {
        if (!socket.write(Buffer.from(list[i % list.length]))) await new Promise((r) => socket.once('drain', r));
      }
    });
  });
  server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
  parentPort.on('message', () => server.close(() => process.exit(0)));
}

async function session(blocks, sampleRss) {
  const worker = new Worker(new URL(import.meta.url), { workerData: { blocks, frames } });
  const port = await new Promise((r) => worker.once('message', r));
  const s = new PushSession({ host: '127.0.0.1', port, secure: false, username: 'bench', password: 'bench', monitorId: 1, highWaterMark: 8 });
  const rss = { start: 0, peak: 0, end: 0, samples: [] };
  gc();
  rss.start = process.memoryUsage().rss;
  let events = 0;
  let start;
  for await (const batch of s) {
    start ??= process.hrtime.bigint();
    events += batch.events.length;
    if (sampleRss && events % 100_000 === 0) {
      const now = process.memoryUsage().rss;
      rss.samples.push(now);
      rss.peak = Math.max(rss.peak, now);
    }
    if (events >= blocks * BATCH) break;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  worker.postMessage('stop');
  await new Promise((r) => worker.once('exit', r));
  gc();
  rss.end = process.memoryUsage().rss;
  rss.peak = Math.max(rss.peak, rss.end);
  return { events, seconds, perSecond: events / seconds, rss };
}

if (isMainThread) {
  // Warm-up (JIT) for both paths.
  baseline(500);
  await session(500, false);

  const base = baseline(BLOCKS);
  const push = await session(BLOCKS, true);
  const base2 = baseline(BLOCKS);
  const baselineRate = (base.perSecond + base2.perSecond) / 2;
  const ratio = push.perSecond / baselineRate;

  console.log(`node ${process.version}, ${new Date().toISOString().slice(0, 10)}, ${TOTAL_EVENTS} events, batches of ${BATCH}, JSON + zlib`);
  console.log(`baseline inflate+JSON.parse: ${Math.round(baselineRate).toLocaleString('en-US')} events/s (runs: ${Math.round(base.perSecond)}, ${Math.round(base2.perSecond)})`);
  console.log(`push session (TCP loopback, framing, inflate, JSON, typed events, acks): ${Math.round(push.perSecond).toLocaleString('en-US')} events/s`);
  console.log(`ratio: ${ratio.toFixed(2)} (target >= 0.70) ${ratio >= 0.7 ? 'OK' : 'BELOW TARGET'}`);
  console.log(`RSS start ${mb(push.rss.start)}, peak ${mb(push.rss.peak)}, end ${mb(push.rss.end)}; every 100k events: ${push.rss.samples.map(mb).join(', ')}`);

}
