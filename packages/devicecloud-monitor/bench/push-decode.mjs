// Push-session decode throughput against a raw consumer over the same TCP loopback, JSON and XML.
// Run from this folder on the built package: `node push-decode.mjs` (root: `npm run bench -- devicecloud`).
// The feeding server runs in a child process, so `process.cpuUsage()` here counts only the consumer.
// Each repetition runs every path once, interleaved (REPS ≥ 5); lines report medians of events/s and
// CPU microseconds per event, one JSON line per path, then the ratios against their targets.
import { fork } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { inflateSync, deflateSync } from 'node:zlib';
import { DeviceCloudPushSession, FrameDecoder, encodeConnectionRequest, encodeConnectionResponse, encodePublishMessage, parseConnectionRequest, parseDocument } from '../dist/index.js';
import { renderDocument } from '../dist/testing.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000);
const REPS = Math.max(5, Number(process.env.BENCH_REPS ?? 5));
const DISTINCT_BLOCKS = 64;

function batchEvents(first, size) {
  const events = [];
  for (let seq = first; seq < first + size; seq++) {
    const now = 1_700_000_000_000 + seq;
    const streamId = `00000000-00000000-00409DFF-FF${String(seq % 50).padStart(6, '0')}/temperature`;
    events.push({
      type: 'DataPoint', topic: `7603/DataPoint/${streamId}`, operation: 'create', timestamp: new Date(now).toISOString(), seq,
      body: { id: `5f0c${String(seq).padStart(8, '0')}-1b2c-11ee-9a6b-0242ac120002`, cstId: 7603, streamId, data: (seq % 4000) / 100, timestamp: now, serverTimestamp: now + 12, quality: 0, description: '', streamUnits: 'C', streamType: 'DOUBLE' },
    });
  }
  return events;
}

/** Pre-encoded PublishMessages of one path: `batch` events each, zlib, `format`. */
function frames(format, batch) {
  const list = [];
  for (let b = 0; b < DISTINCT_BLOCKS; b++) {
    const data = deflateSync(renderDocument(batchEvents(b * batch, batch), format));
    list.push(encodePublishMessage({ blockId: b, count: batch, compression: 'zlib', format, data }));
  }
  return list;
}

// ---------------------------------------------------------------- the server (child process)

if (process.argv[2] === 'serve') {
  const server = createServer((socket) => {
    const decoder = new FrameDecoder();
    socket.on('error', () => {});
    socket.on('data', async (chunk) => {
      decoder.push(chunk);
      const first = decoder.next();
      if (!first || socket.started) return;
      socket.started = true;
      const { format, batch, blocks } = JSON.parse(parseConnectionRequest(first.payload).username);
      const list = frames(format, batch);
      socket.write(encodeConnectionResponse(200));
      for (let i = 0; i < blocks; i++) {
        if (!socket.write(list[i % list.length])) await new Promise((r) => socket.once('drain', r));
      }
    });
  });
  server.listen(0, '127.0.0.1', () => process.send(server.address().port));
  process.on('message', () => server.close(() => process.exit(0)));
}

// ---------------------------------------------------------------- the consumers

/** The run's parameters travel in the username of the ConnectionRequest (both consumers send one). */
const request = (params) => JSON.stringify(params);

/** Raw bound: frames, inflate, parse (JSON.parse; for XML the same document reader); no session, no typed events, no acks. */
function raw(port, params) {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const decoder = new FrameDecoder({ maxFrameBytes: 1 << 24 });
    const parse = params.format === 'json' ? (b) => JSON.parse(b.toString('utf8')) : (b) => parseDocument(b, 'xml');
    let events = 0;
    let blocks = 0;
    socket.on('error', reject);
    socket.once('connect', () => socket.write(encodeConnectionRequest({ username: request(params), password: 'bench', monitorId: 1 })));
    socket.on('data', (chunk) => {
      decoder.push(chunk);
      for (let f = decoder.next(); f; f = decoder.next()) {
        if (f.type !== 3) continue;
        const doc = parse(inflateSync(f.payload.subarray(10)));
        events += params.format === 'json' ? (Array.isArray(doc.Document.Msg) ? doc.Document.Msg.length : 1) : doc.length;
        if (++blocks === params.blocks) {
          socket.destroy();
          resolve(events);
        }
      }
    });
  });
}

async function session(port, params) {
  const s = new DeviceCloudPushSession({
    host: '127.0.0.1', port, secure: false, username: request(params), password: 'bench', monitorId: 1, highWaterMark: 8,
    ackOption: params.acks ? 'explicit' : 'off', idleTimeoutInMs: 0,
  });
  let events = 0;
  for await (const batch of s) {
    events += batch.events.length;
    if (events >= params.blocks * params.batch) break;
  }
  return events;
}

async function measure(fn) {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const events = await fn();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  return { events, perSecond: events / seconds, cpuMicrosPerEvent: (used.user + used.system) / events };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const child = fork(new URL(import.meta.url), ['serve'], { stdio: 'inherit' });
  const port = await new Promise((r) => child.once('message', r));
  const paths = {
    'raw-json': (p) => raw(port, { format: 'json', batch: 100, blocks: p }),
    'session-json': (p) => session(port, { format: 'json', batch: 100, blocks: p, acks: false }),
    'raw-xml': (p) => raw(port, { format: 'xml', batch: 100, blocks: p }),
    'session-xml': (p) => session(port, { format: 'xml', batch: 100, blocks: p, acks: false }),
    'session-json-b1-acks': (p) => session(port, { format: 'json', batch: 1, blocks: p * 20, acks: true }),
    'session-json-b1-noacks': (p) => session(port, { format: 'json', batch: 1, blocks: p * 20, acks: false }),
  };
  const blocks = Math.ceil(EVENTS / 100);
  for (const run of Object.values(paths)) await run(50); // JIT warm-up
  const results = Object.fromEntries(Object.keys(paths).map((k) => [k, []]));
  for (let rep = 0; rep < REPS; rep++) {
    for (const [name, run] of Object.entries(paths)) results[name].push(await measure(() => run(name.includes('-b1-') ? Math.ceil(blocks / 20) : blocks)));
  }
  const summary = {};
  for (const [name, runs] of Object.entries(results)) {
    summary[name] = { path: name, reps: runs.length, eventsPerSecond: Math.round(median(runs.map((r) => r.perSecond))), cpuMicrosPerEvent: Number(median(runs.map((r) => r.cpuMicrosPerEvent)).toFixed(3)) };
    console.log(JSON.stringify(summary[name]));
  }
  const cpuRatio = (a, b) => summary[b].cpuMicrosPerEvent / summary[a].cpuMicrosPerEvent;
  const line = (what, value, target) => console.log(JSON.stringify({ ratio: what, value: Number(value.toFixed(2)), target, ok: value >= target }));
  console.log(`# node ${process.version}, ${REPS} interleaved repetitions, ${EVENTS} events per path and repetition, zlib`);
  line('session-json / raw-json (by CPU per event)', cpuRatio('session-json', 'raw-json'), 0.9);
  line('session-xml / session-json (events per CPU-second)', cpuRatio('session-xml', 'session-json'), 0.3);
  // Before issue 15 every session sent acks, also to ack-off monitors: acks on is the old cost.
  line('batch size 1: acks off (ackOption off) / acks on (before) (events per CPU-second)', cpuRatio('session-json-b1-noacks', 'session-json-b1-acks'), 1.8);
  child.send('stop');
}

if (process.argv[2] !== 'serve') await main();
