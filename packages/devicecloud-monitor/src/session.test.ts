import { connect, createServer, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeviceCloudSimulator } from './testing/index.js';
import { isPushAuthenticationError, isPushConnectionError, isPushHandlerError, isPushProtocolError } from './errors.js';
import { FrameDecoder, encodeConnectionRequest, encodeConnectionResponse, encodePublishMessage, parsePublishMessage } from './frame.js';
import { decodeDocument } from './payload.js';
import { PushSession, createPushSession } from './session.js';
import { resolvePushOptions, type PushBatch, type PushSessionOptions } from './session-options.js';

let sim: DeviceCloudSimulator;
const sessions: PushSession[] = [];

beforeEach(async () => {
  sim = await DeviceCloudSimulator.start({ secondInMs: 20, random: seeded(42) });
});
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.stop({ timeoutInMs: 200 })));
  await sim.close();
});

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Polls for a condition; the generous limit is for loaded CI machines (the test timeout is 20 s). */
async function waitFor(cond: () => boolean, what = 'condition', timeoutInMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutInMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function tcpMonitor(fields: Record<string, string> = {}) {
  return sim.createMonitor({ monTopic: 'DataPoint', monBatchSize: '1', monBatchDuration: '0', ...fields });
}

function session(monitorId: number, extra: Partial<PushSessionOptions> = {}): PushSession {
  const s = new PushSession({
    host: '127.0.0.1',
    port: sim.pushPort,
    secure: false,
    username: sim.username,
    password: sim.password,
    monitorId,
    reconnect: { initialDelayInMs: 5, maxDelayInMs: 20 },
    random: seeded(1),
    ...extra,
  });
  sessions.push(s);
  return s;
}

/** Collects batches through a handler; `values` are the DataPoint data in arrival order. */
function collector() {
  const batches: PushBatch[] = [];
  const values = () => batches.flatMap((b) => b.events.map((e) => (e.type === 'DataPoint' ? e.payload.data : e.type)));
  const replays = () => batches.flatMap((b) => b.events.map((e) => e.replay));
  return { batches, values, replays, handler: (b: PushBatch) => void batches.push(b) };
}

const codeOf = (e: unknown): string => String((e as { code?: unknown } | undefined)?.code);

const publish = (...values: number[]) => values.forEach((v) => sim.publishDataPoint({ streamId: 'dev1/temp', data: v }));

describe('push session against the simulator', () => {
  it('connects, receives size batches in order with typed DataPoint events', async () => {
    const m = tcpMonitor({ monBatchSize: '3', monBatchDuration: '1' });
    const c = collector();
    const s = session(m.id, { handler: c.handler });
    const connected: unknown[] = [];
    s.on('connected', (info) => connected.push(info));
    await s.start();
    expect(s.state).toBe('connected');
    expect(connected).toEqual([{ attempt: 1, connection: 1 }]);
    publish(1, 2, 3, 4, 5, 6, 7);
    await waitFor(() => c.values().length === 7, '7 events');
    expect(c.batches.map((b) => b.events.length)).toEqual([3, 3, 1]);
    expect(c.batches.map((b) => [b.blockId, b.count, b.format, b.compression, b.connection, b.replay])).toEqual([
      [0, 3, 'json', 'none', 1, false],
      [1, 3, 'json', 'none', 1, false],
      [2, 1, 'json', 'none', 1, false],
    ]);
    expect(c.values()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const e = c.batches[0]!.events[0]!;
    expect(e.type).toBe('DataPoint');
    if (e.type !== 'DataPoint') return;
    expect(e.topic).toBe('7603/DataPoint/dev1/temp');
    expect(e.operation).toBe('INSERTION');
    expect(e.group).toBe('*');
    expect(e.payload).toMatchObject({ cstId: 7603, streamId: 'dev1/temp', data: 1, streamType: 'INTEGER', quality: 0 });
    expect(typeof e.payload.serverTimestamp).toBe('number');
    expect(sim.connects).toEqual([{ monitorId: m.id, username: sim.username, status: 200 }]);
  });

  it('decodes zlib-compressed XML batches by the per-frame flags', async () => {
    const m = tcpMonitor({ monBatchSize: '2', monCompression: 'zlib', monFormatType: 'xml' });
    const c = collector();
    await session(m.id, { handler: c.handler }).start();
    sim.publishDataPoint({ streamId: 'a&b<c>', data: 'x "quoted" & <tagged>' });
    sim.publishDataPoint({ streamId: 'n', data: 21.5 });
    await waitFor(() => c.values().length === 2);
    expect(c.batches.map((b) => [b.format, b.compression, b.count])).toEqual([['xml', 'zlib', 2]]);
    expect(c.values()).toEqual(['x "quoted" & <tagged>', 21.5]);
    const [first] = c.batches[0]!.events;
    expect(first).toMatchObject({ type: 'DataPoint', operation: 'create', topic: '7603/DataPoint/a&b<c>', replay: false });
    expect(first?.type === 'DataPoint' && first.payload.cstId).toBe(7603);
  });

  it('explicit acks go out only after the handler promise resolves', async () => {
    const m = tcpMonitor({ monAckOption: 'explicit' });
    const sim1 = sim.monitor(m.id)!;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const seen: unknown[] = [];
    await session(m.id, {
      handler: async (b) => {
        seen.push(b.events.map((e) => e.type === 'DataPoint' && e.payload.data));
        if (seen.length === 1) await gate;
      },
    }).start();
    publish(1);
    await waitFor(() => seen.length === 1);
    await new Promise((r) => setTimeout(r, 30));
    expect([...sim1.inflight.keys()]).toEqual([0]); // no ack while the handler is pending
    release();
    await waitFor(() => sim1.inflight.size === 0, 'ack of block 0');
    publish(2);
    await waitFor(() => seen.length === 2);
    await waitFor(() => sim1.inflight.size === 0, 'ack of block 1');
    expect(seen).toEqual([[1], [2]]);
  });

  it('kill mid-frame, reconnect, replay: nothing lost, nothing duplicated', async () => {
    const m = tcpMonitor({ monAckOption: 'explicit', monAutoReplayOnConnect: 'true', monBatchSize: '2' });
    const c = collector();
    const s = session(m.id, { handler: c.handler, reconnect: { initialDelayInMs: 60, jitter: 'none' } });
    const reconnecting: Array<{ attempt: number; code: string }> = [];
    const connected: number[] = [];
    s.on('reconnecting', (r) => {
      reconnecting.push({ attempt: r.attempt, code: codeOf(r.error) });
      // Published while the client is disconnected (the reconnect timer has not even started yet):
      // the server stores them for the persistent monitor and replays them, however slow the machine.
      if (reconnecting.length === 1) publish(5, 6);
    });
    s.on('connected', (i: { connection: number }) => connected.push(i.connection));
    await s.start();
    publish(1, 2);
    await waitFor(() => c.values().length === 2);
    await waitFor(() => sim.monitor(m.id)!.inflight.size === 0);
    sim.faults.dropMidFrame(m.id);
    publish(3, 4); // this block is cut in half, then the socket dies
    await waitFor(() => c.values().length === 6, 'replayed events');
    publish(7, 8);
    await waitFor(() => c.values().length === 8, 'live events');
    expect(c.values()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(c.batches.map((b) => b.events.length)).toEqual([2, 2, 2, 2]);
    expect(c.replays()).toEqual([false, false, true, true, true, true, false, false]);
    expect(reconnecting).toEqual([{ attempt: 1, code: 'CONNECTION_CLOSED' }]);
    expect(connected).toEqual([1, 2]);
    expect(c.batches.map((b) => b.connection)).toEqual([1, 2, 2, 2]);
  });

  it('replayUnacknowledged: after a lost connection nothing is lost and nothing arrives twice', async () => {
    const run = async (replayUnacknowledged: boolean, firstHandlerFails = false) => {
      const m = tcpMonitor({ monAckOption: 'explicit', monAutoReplayOnConnect: 'true' });
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const c = collector();
      let calls = 0;
      const s = session(m.id, {
        replayUnacknowledged,
        handler: async (b) => {
          if (++calls === 1) {
            await gate;
            if (firstHandlerFails) throw new Error('store down');
          }
          c.handler(b);
        },
      });
      s.on('error', () => undefined);
      const disconnected: unknown[] = [];
      s.on('disconnected', (e) => disconnected.push(e));
      await s.start();
      publish(1, 2, 3, 4);
      await waitFor(() => s.stats.consumed === 1 && s.stats.buffered === 3, 'one batch in the handler, three buffered');
      expect(sim.faults.disconnect(m.id)).toBe(true);
      await waitFor(() => disconnected.length === 1, 'the client saw the disconnect');
      release(); // block 0 finishes after its connection died: it cannot be acknowledged any more
      const sm = sim.monitor(m.id)!;
      await waitFor(() => sim.connects.filter((x) => x.monitorId === m.id).length === 2 && sm.sent.length === 8 && sm.inflight.size === 0 && sm.pending.length === 0, 'replay acknowledged');
      await s.stop();
      return [c.values(), c.replays()];
    };
    // The server replays blocks 0..3 (none was acknowledged). Buffered 1..3 were dropped, and the
    // replay of block 0, handled after the disconnect, is acknowledged without being delivered again.
    expect(await run(true)).toEqual([
      [1, 2, 3, 4],
      [false, true, true, true],
    ]);
    // When the handler failed for block 0, its replay is delivered (it was never handled).
    expect(await run(true, true)).toEqual([
      [1, 2, 3, 4],
      [true, true, true, true],
    ]);
    // Without the option the buffered batches are delivered as well, and then again as replays.
    expect(await run(false)).toEqual([
      [1, 2, 3, 4, 1, 2, 3, 4],
      [false, false, false, false, true, true, true, true],
    ]);
  });

  it('a wrong password is fatal: typed error, no reconnect', async () => {
    const m = tcpMonitor();
    const s = session(m.id, { password: 'wrong' });
    const heard: unknown[] = [];
    s.on('error', (e) => heard.push(e)); // heard, not a process warning
    const err = await s.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isPushAuthenticationError(err)).toBe(true);
    expect(err).toMatchObject({ status: 403, monitorId: m.id, code: 'PUSH_CONNECT_REFUSED' });
    expect(String((err as Error).message)).not.toContain('wrong');
    await expect(s.done).rejects.toBe(err);
    expect(heard).toEqual([err]);
    await new Promise((r) => setTimeout(r, 40));
    expect(sim.connects).toEqual([{ monitorId: m.id, username: sim.username, status: 403 }]);
    expect(s.state).toBe('closed');
  });

  it('an unknown monitor id is refused with status 400', async () => {
    const s = session(999, {});
    const heard: unknown[] = [];
    s.on('error', (e) => heard.push(e));
    await expect(s.start()).rejects.toMatchObject({ name: 'PushAuthenticationError', status: 400 });
    expect(heard).toMatchObject([{ name: 'PushAuthenticationError', status: 400 }]);
  });

  it('reassembles frames split at random points and skips unknown message types', async () => {
    const m = tcpMonitor({ monBatchSize: '3', monCompression: 'zlib' });
    const c = collector();
    await session(m.id, { handler: c.handler }).start();
    sim.faults.splitFrames(true);
    publish(1, 2, 3, 4, 5, 6);
    await waitFor(() => c.values().length === 6);
    expect(sim.faults.garbageFrame(m.id, { type: 9, length: 40 })).toBe(true);
    publish(7, 8, 9);
    await waitFor(() => c.values().length === 9);
    expect(c.values()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(sim.faults.garbageFrame(12345)).toBe(false);
  });

  it('a corrupt block is reported as a typed error and skipped; the stream goes on', async () => {
    const m = tcpMonitor();
    const c = collector();
    const s = session(m.id, { handler: c.handler });
    const errors: unknown[] = [];
    s.on('error', (e) => errors.push(e));
    await s.start();
    // A PublishMessage claiming zlib with bytes that are not zlib.
    sim.faults.rawWrite(m.id, Buffer.from('0003' + '00000010' + '0007' + '0001' + '01' + '01' + '00000006' + 'deadbeefcafe', 'hex'));
    publish(1);
    await waitFor(() => c.values().length === 1);
    expect(errors).toHaveLength(1);
    expect(isPushProtocolError(errors[0])).toBe(true);
    expect(errors[0]).toMatchObject({ code: 'BAD_COMPRESSION' });
    expect(s.state).toBe('connected');
  });

  it('poison blocks (intact frame, bad header) are skipped with typed errors and acknowledged; no reconnect', async () => {
    const m = tcpMonitor({ monAckOption: 'explicit' });
    const c = collector();
    const s = session(m.id, { handler: c.handler });
    const errors: unknown[] = [];
    s.on('error', (e) => errors.push(e));
    await s.start();
    const frame = (payloadHex: string) => {
      const payload = Buffer.from(payloadHex, 'hex');
      return Buffer.concat([Buffer.from([0, 3, 0, 0, (payload.length >> 8) & 0xff, payload.length & 0xff]), payload]);
    };
    const doc = Buffer.from('{"Document":{}}').toString('hex');
    sim.faults.rawWrite(m.id, Buffer.concat([
      frame('0101' + '0001' + '00' + '01' + '000000ff' + doc), // payload size mismatch
      frame('0102' + '0001' + '02' + '01' + '0000000f' + doc), // compression flag 2
      frame('0103' + '0001' + '00' + '02' + '0000000f' + doc), // format byte 2
      frame('0104' + '0001' + '00'), // payload under 10 bytes
    ]));
    publish(7);
    await waitFor(() => c.values().length === 1 && errors.length === 4, 'the valid block behind the poison');
    expect(c.values()).toEqual([7]);
    expect(errors.map((e) => [isPushProtocolError(e), codeOf(e)])).toEqual([
      [true, 'PAYLOAD_SIZE_MISMATCH'],
      [true, 'UNKNOWN_COMPRESSION'],
      [true, 'UNKNOWN_FORMAT'],
      [true, 'SHORT_PUBLISH_MESSAGE'],
    ]);
    await waitFor(() => sim.monitor(m.id)!.acks.length === 5, 'five acks');
    expect(sim.monitor(m.id)!.acks).toEqual([0x101, 0x102, 0x103, 0x104, 0]);
    expect(sim.connects).toHaveLength(1);
    expect(s.stats.connections).toBe(1);
  });

  it('a desynchronised stream (oversized frame) reconnects', async () => {
    const m = tcpMonitor();
    const c = collector();
    const s = session(m.id, { handler: c.handler, maxFrameBytes: 1024 });
    const errors: Array<{ code: string }> = [];
    s.on('error', (e) => errors.push({ code: codeOf(e) }));
    await s.start();
    sim.faults.rawWrite(m.id, Buffer.from('0003ffff0000', 'hex'));
    await waitFor(() => errors.length === 1 && s.state === 'connected' && sim.connects.length === 2, 'reconnect');
    expect(errors[0]!.code).toBe('FRAME_TOO_LARGE');
    publish(5);
    await waitFor(() => c.values().length === 1);
    expect(c.values()).toEqual([5]);
  });

  it('without an error listener a bad block becomes a process warning and the stream goes on', async () => {
    const m = tcpMonitor();
    const s = session(m.id);
    // Caught at process.emitWarning, so the expected warning is checked without being printed.
    const emitWarning = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const warnings = (): unknown[] => emitWarning.mock.calls.map((call) => call[0]);
    try {
      await s.start();
      const it = s[Symbol.asyncIterator]();
      sim.faults.rawWrite(m.id, Buffer.from('0003' + '00000010' + '0007' + '0001' + '00' + '01' + '00000006' + 'deadbeefcafe', 'hex'));
      publish(1);
      const r = await it.next();
      expect(r.done === false && r.value.events.map((e) => e.type === 'DataPoint' && e.payload.data)).toEqual([1]);
      await waitFor(() => warnings().length === 1, 'process warning');
      expect(warnings()[0]).toMatchObject({ name: 'PushProtocolError', code: 'BAD_DOCUMENT' });
      expect(s.state).toBe('connected');
      expect(sim.connects).toHaveLength(1);
    } finally {
      emitWarning.mockRestore();
    }
  });

  it('without an error listener a logger hears transient errors (warn) and the fatal one (error); the session survives the transient ones', async () => {
    const m = tcpMonitor();
    const lines: Array<[string, string, Record<string, unknown> | undefined]> = [];
    const logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: (msg: string, f?: Record<string, unknown>) => void lines.push(['warn', msg, f]),
      error: (msg: string, f?: Record<string, unknown>) => void lines.push(['error', msg, f]),
    };
    const c = collector();
    const s = session(m.id, {
      logger,
      ackOption: 'off',
      maxFrameBytes: 1024,
      handler: (b) => {
        if (b.events.some((e) => e.type === 'DataPoint' && e.payload.data === 2)) throw new Error('store down');
        c.handler(b);
      },
    });
    await s.start();
    publish(1, 2); // the handler fails for block 1: logged, not acknowledged, the session goes on
    await waitFor(() => lines.length === 1 && c.values().length === 1, 'handler failure logged');
    sim.faults.rawWrite(m.id, Buffer.from('0003ffff0000', 'hex')); // desynchronised stream: logged, reconnected
    await waitFor(() => lines.length === 2 && sim.connects.length === 2 && s.state === 'connected', 'reconnect after a lost stream');
    publish(3);
    await waitFor(() => c.values().includes(3), 'events after the reconnect');
    expect(lines).toEqual([
      ['warn', `devicecloud push ${m.id}: error: handler failed for data block 1; block not acknowledged`, { namespace: 'devicecloud-monitor', error: 'PushHandlerError', code: 'PUSH_HANDLER_FAILED' }],
      ['warn', `devicecloud push ${m.id}: error: frame of type 3 declares 4294901760 bytes, more than maxFrameBytes (1024)`, { namespace: 'devicecloud-monitor', error: 'PushProtocolError', code: 'FRAME_TOO_LARGE' }],
    ]);
    // The fatal end: the account password changed while streaming.
    const password = sim.password;
    (sim as unknown as { password: string }).password = 'rotated';
    sim.faults.disconnect(m.id);
    await expect(s.done).rejects.toMatchObject({ name: 'PushAuthenticationError', status: 403 });
    expect(lines.slice(2)).toEqual([['error', `devicecloud push ${m.id}: ended by a fatal error: push server refused monitor ${m.id}: ConnectionResponse status 403`, { namespace: 'devicecloud-monitor', error: 'PushAuthenticationError', code: 'PUSH_CONNECT_REFUSED' }]]);
    expect(JSON.stringify(lines)).not.toContain(password);
  });

  it('idle watchdog reconnects a silent connection', async () => {
    const m = tcpMonitor();
    const s = session(m.id, { idleTimeoutInMs: 40 });
    const codes: string[] = [];
    s.on('reconnecting', (r) => codes.push(codeOf(r.error)));
    await s.start();
    await waitFor(() => codes.length >= 1, 'watchdog');
    expect(codes[0]).toBe('TIMEOUT_BODY');
    await waitFor(() => s.state === 'connected' && sim.connects.length >= 2);
  });

  it('reconnects with growing backoff while the server is gone, then stops on stop()', async () => {
    const m = tcpMonitor();
    const s = session(m.id, { reconnect: { initialDelayInMs: 4, maxDelayInMs: 16, jitter: 'none' } });
    const delays: number[] = [];
    s.on('reconnecting', (r: { delayInMs: number }) => delays.push(r.delayInMs));
    await s.start();
    await sim.close();
    await waitFor(() => delays.length >= 4, 'reconnect attempts');
    expect(delays.slice(0, 4)).toEqual([4, 8, 16, 16]);
    await s.stop();
    expect(s.state).toBe('closed');
    const n = delays.length;
    await new Promise((r) => setTimeout(r, 40));
    expect(delays.length).toBe(n);
    sim = await DeviceCloudSimulator.start();
  });

  it('reconnect: false ends the session on the first disconnect', async () => {
    const m = tcpMonitor();
    const s = session(m.id, { reconnect: false });
    s.on('error', () => undefined);
    await s.start();
    sim.faults.disconnect(m.id);
    await expect(s.done).rejects.toSatisfy(isPushConnectionError);
  });

  it('async iterator: ack when the loop comes back; leaving the loop stops the session and leaves its batch unacknowledged', async () => {
    const m = tcpMonitor({ monAckOption: 'explicit', monAutoReplayOnConnect: 'true' });
    const s = session(m.id);
    const got: unknown[] = [];
    const loop = (async () => {
      for await (const b of s) {
        got.push(b.events.map((e) => e.type === 'DataPoint' && e.payload.data));
        if (got.length === 3) break; // a throw here would leave the loop the same way
      }
    })();
    await waitFor(() => s.state === 'connected');
    publish(1, 2, 3, 4);
    await loop;
    expect(got).toEqual([[1], [2], [3]]);
    expect(s.state).toBe('closed');
    expect(() => s[Symbol.asyncIterator]()).toThrow(/one consumer/);
    // Blocks 0 and 1 were acknowledged; the one held at the break (3) and the one never taken (4) come back.
    const sm = sim.monitor(m.id)!;
    await waitFor(() => sm.fields.monStatus === 'SUSPENDED', 'disconnect seen by the server');
    expect(sm.pending.map((e) => [e.body.data, e.replay])).toEqual([
      [3, true],
      [4, true],
    ]);
    const c = collector();
    await session(m.id, { handler: c.handler }).start();
    await waitFor(() => c.values().length === 2, 'replayed blocks');
    expect([c.values(), c.replays()]).toEqual([
      [3, 4],
      [true, true],
    ]);
  });

  it('events() flattens batches', async () => {
    const m = tcpMonitor({ monBatchSize: '2' });
    const s = session(m.id);
    const out: unknown[] = [];
    const loop = (async () => {
      for await (const e of s.events()) {
        out.push(e.type === 'DataPoint' ? e.payload.data : null);
        if (out.length === 4) break;
      }
    })();
    await waitFor(() => s.state === 'connected');
    publish(1, 2, 3, 4);
    await loop;
    expect(out).toEqual([1, 2, 3, 4]);
  });

  it('backpressure: at most highWaterMark batches are buffered under a slow consumer', async () => {
    const m = tcpMonitor({ monBatchSize: '1' });
    const s = session(m.id, { highWaterMark: 2 });
    const it = s[Symbol.asyncIterator]();
    await s.start();
    publish(...Array.from({ length: 40 }, (_, i) => i));
    await waitFor(() => s.stats.buffered === 2, 'a full buffer');
    await new Promise((r) => setTimeout(r, 50)); // more frames are waiting in the socket, unread
    expect(s.stats.buffered).toBe(2);
    expect(sim.monitor(m.id)!.sent.length).toBe(40);
    const got: unknown[] = [];
    while (got.length < 40) {
      const r = await it.next();
      if (r.done) break;
      got.push(r.value.events.map((e) => e.type === 'DataPoint' && e.payload.data)[0]);
      expect(s.stats.buffered).toBeLessThanOrEqual(2);
    }
    expect(got).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it('one slow monitor never blocks another', async () => {
    const slow = tcpMonitor({ monTopic: 'DataPoint/slow' });
    const fast = tcpMonitor({ monTopic: 'DataPoint/fast' });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slowSeen: number[] = [];
    const fastSeen: number[] = [];
    await session(slow.id, {
      handler: async (b) => {
        slowSeen.push(b.blockId);
        await gate;
      },
    }).start();
    await session(fast.id, { handler: (b) => void fastSeen.push(b.blockId) }).start();
    for (let i = 0; i < 5; i++) {
      sim.publishDataPoint({ streamId: 'slow', data: i });
      sim.publishDataPoint({ streamId: 'fast', data: i });
    }
    await waitFor(() => fastSeen.length === 5, 'fast monitor');
    expect(slowSeen).toEqual([0]);
    release();
    await waitFor(() => slowSeen.length === 5, 'slow monitor');
  });

  it('stop() drains queued batches through the handler, acks them, then closes', async () => {
    const m = tcpMonitor({ monAckOption: 'explicit' });
    const handled: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const s = session(m.id, {
      handler: async (b) => {
        if (b.blockId === 0) await gate;
        handled.push(b.blockId);
      },
    });
    await s.start();
    publish(1, 2, 3);
    await waitFor(() => s.stats.buffered === 2, 'two batches queued behind the first');
    const stopped = s.stop();
    release();
    await stopped;
    expect(handled).toEqual([0, 1, 2]);
    expect(s.state).toBe('closed');
    await waitFor(() => sim.monitor(m.id)!.inflight.size === 0, 'acks for drained blocks');
  });

  it('stop() gives up on a stuck handler after its timeout and closes', async () => {
    const m = tcpMonitor();
    const s = session(m.id, { handler: () => new Promise<void>(() => undefined) });
    await s.start();
    publish(1);
    await waitFor(() => sim.monitor(m.id)!.inflight.size === 0 && s.stats.consumed === 1, 'stuck handler');
    const t0 = Date.now();
    await s.stop({ timeoutInMs: 40 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(35);
    expect(s.state).toBe('closed');
    await expect(s.done).resolves.toBeUndefined();
  });

  it('a paused (backpressured) connection is not treated as idle', async () => {
    const m = tcpMonitor();
    const s = session(m.id, { highWaterMark: 1, idleTimeoutInMs: 250 });
    const codes: string[] = [];
    s.on('reconnecting', (r) => codes.push(codeOf(r.error)));
    const it = s[Symbol.asyncIterator]();
    await s.start();
    publish(1, 2, 3, 4);
    await waitFor(() => s.stats.buffered === 1, 'a full buffer: the socket is paused');
    await new Promise((r) => setTimeout(r, 600)); // consumer asleep, socket paused for over twice the idle timeout
    expect(codes).toEqual([]);
    const got: unknown[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await it.next();
      got.push(!r.done && r.value.events[0]?.type === 'DataPoint' ? r.value.events[0].payload.data : null);
    }
    expect(got).toEqual([1, 2, 3, 4]);
  });

  it('a failed or `false` handler: typed error, no ack, the session reconnects and the replay is handled (nothing stalls)', async () => {
    const m = tcpMonitor({ monAckOption: 'explicit', monAutoReplayOnConnect: 'true' });
    const errors: unknown[] = [];
    const c = collector();
    const tries = new Map<unknown, number>();
    const s = session(m.id, {
      replayUnacknowledged: true,
      handler: (b) => {
        const value = b.events.map((e) => e.type === 'DataPoint' && e.payload.data)[0];
        const n = (tries.get(value) ?? 0) + 1;
        tries.set(value, n);
        if (value === 1 && n === 1) throw new Error('boom');
        if (value === 2 && n === 1) return false;
        c.handler(b);
        return true;
      },
    });
    s.on('error', (e) => errors.push(e));
    await s.start();
    publish(1, 2);
    const sm = sim.monitor(m.id)!;
    await waitFor(() => c.values().length === 2 && sm.inflight.size === 0 && sm.pending.length === 0, 'both handled and acknowledged');
    expect(c.values()).toEqual([1, 2]);
    expect(c.replays()).toEqual([true, true]);
    expect(errors.map((e) => [isPushHandlerError(e), codeOf(e), (e as { blockId: number }).blockId])).toEqual([
      [true, 'PUSH_HANDLER_FAILED', 0],
      [true, 'PUSH_NOT_HANDLED', 3], // the replay of event 2 on the second connection (block ids go on)
    ]);
    expect(errors[0]).toMatchObject({ cause: new Error('boom'), category: 'input' });
    expect(sim.connects.filter((x) => x.monitorId === m.id)).toHaveLength(3);
    expect(s.state).toBe('connected');
  });

  it('ackOption off: no ack is ever written; a false handler neither acks nor reconnects', async () => {
    const m = tcpMonitor();
    const c = collector();
    let calls = 0;
    const s = session(m.id, { ackOption: 'off', handler: (b) => (++calls === 1 ? false : c.handler(b)) });
    s.on('error', () => undefined);
    await s.start();
    publish(1, 2, 3);
    await waitFor(() => c.values().length === 2, 'two handled');
    await new Promise((r) => setTimeout(r, 30));
    expect(c.values()).toEqual([2, 3]);
    expect(sim.monitor(m.id)!.ignoredBytes).toBe(0);
    expect(sim.connects).toHaveLength(1);
  });

  it('at-least-once: an ack lost in flight brings the event again, unless the dedupe window drops it', async () => {
    const run = async (extra: Partial<PushSessionOptions>) => {
      const m = tcpMonitor({ monAckOption: 'explicit', monAutoReplayOnConnect: 'true' });
      const c = collector();
      const s = session(m.id, { handler: (b) => c.handler(b), ...extra });
      await s.start();
      const sm = sim.monitor(m.id)!;
      sim.faults.loseAcks(m.id, 2);
      publish(1, 2);
      await waitFor(() => c.values().length === 2 && sm.acks.length === 2, 'two handled, their acks lost');
      expect(sm.inflight.size).toBe(2);
      sim.faults.disconnect(m.id);
      await waitFor(() => sim.connects.filter((x) => x.monitorId === m.id).length === 2 && sm.inflight.size === 0 && sm.pending.length === 0, 'replay acknowledged');
      publish(3);
      await waitFor(() => c.values().includes(3), 'live event');
      return { values: c.values(), duplicatesDropped: s.duplicatesDropped };
    };
    expect(await run({})).toEqual({ values: [1, 2, 1, 2, 3], duplicatesDropped: 0 });
    expect(await run({ dedupeWindow: 100 })).toEqual({ values: [1, 2, 3], duplicatesDropped: 2 });
    expect(await run({ replayUnacknowledged: true })).toEqual({ values: [1, 2, 3], duplicatesDropped: 2 });
  });

  it('iterator face: nack() reconnects for a replay, ack() acknowledges at once', async () => {
    const m = tcpMonitor({ monAckOption: 'explicit', monAutoReplayOnConnect: 'true' });
    const s = session(m.id);
    const sm = sim.monitor(m.id)!;
    await s.start();
    publish(1);
    const seen: Array<[unknown, boolean, number]> = [];
    for await (const b of s) {
      seen.push([b.events[0]!.type === 'DataPoint' && b.events[0]!.payload.data, b.replay, b.connection]);
      if (seen.length === 1) {
        s.nack(b);
        s.ack(b); // no effect on a nacked batch
        continue;
      }
      s.ack(b);
      await waitFor(() => sm.inflight.size === 0, 'ack before the loop comes back');
      break;
    }
    expect(seen).toEqual([
      [1, false, 1],
      [1, true, 2],
    ]);
    expect(sm.acks).toEqual([1]);
    expect(() => s.ack({} as never)).toThrow(TypeError);
    expect(() => s.nack(null as never)).toThrow(/nack\(\) batch/);
  });

  it('the idle watchdog is on by default (15 minutes): the protocol has no keep-alive', () => {
    expect(resolvePushOptions({ host: 'h', username: 'u', password: 'p', monitorId: 1 }).base.idleTimeoutInMs).toBe(15 * 60_000);
    expect(resolvePushOptions({ host: 'h', username: 'u', password: 'p', monitorId: 1, idleTimeoutInMs: 0 }).base.idleTimeoutInMs).toBe(0);
    expect(() => resolvePushOptions({ host: 'h', username: 'u', password: 'p', monitorId: 1, ackOption: 'on' as never })).toThrow(/ackOption/);
    expect(() => resolvePushOptions({ host: 'h', username: 'u', password: 'p', monitorId: 1, dedupeWindow: -1 })).toThrow(/dedupeWindow/);
    expect(() => resolvePushOptions({ host: 'h', username: 'u', password: 'p', monitorId: 1, concurrency: 0 })).toThrow(/concurrency/);
    expect(() => resolvePushOptions({ host: 'h', username: 'u', password: 'p', monitorId: 1, orderingKey: 'x' as never })).toThrow(/orderingKey/);
  });

  it('concurrency: handlers overlap across streams, keep order per stream, and each batch is acknowledged when its handler is done', async () => {
    const m = tcpMonitor({ monAckOption: 'explicit' });
    const order: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const s = session(m.id, {
      concurrency: 3,
      handler: async (b) => {
        const e = b.events[0]!;
        const label = `${e.type === 'DataPoint' ? e.payload.streamId : ''}:${e.type === 'DataPoint' ? String(e.payload.data) : ''}`;
        running++;
        maxRunning = Math.max(maxRunning, running);
        // Stream "slow" takes longer: the others overtake it, but never reorder within a stream.
        await new Promise((r) => setTimeout(r, label.startsWith('slow') ? 40 : 5));
        order.push(label);
        running--;
      },
    });
    await s.start();
    for (let i = 0; i < 3; i++) {
      sim.publishDataPoint({ streamId: 'slow', data: i });
      sim.publishDataPoint({ streamId: 'fast', data: i });
    }
    const sm = sim.monitor(m.id)!;
    await waitFor(() => order.length === 6 && sm.inflight.size === 0, 'all handled and acknowledged');
    expect(order.filter((l) => l.startsWith('slow'))).toEqual(['slow:0', 'slow:1', 'slow:2']);
    expect(order.filter((l) => l.startsWith('fast'))).toEqual(['fast:0', 'fast:1', 'fast:2']);
    expect(order.indexOf('fast:2')).toBeLessThan(order.indexOf('slow:1'));
    expect(maxRunning).toBeGreaterThan(1);
    expect(maxRunning).toBeLessThanOrEqual(3);
    expect([...sm.acks].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('validates options naming the parameter', () => {
    const base = { host: 'h', username: 'u', password: 'p', monitorId: 1 };
    expect(() => new PushSession({ ...base, host: '' })).toThrow(/host/);
    expect(() => new PushSession({ ...base, monitorId: -1 })).toThrow(/monitorId/);
    expect(() => new PushSession({ ...base, port: 70000 })).toThrow(/port/);
    expect(() => new PushSession({ ...base, highWaterMark: 0 })).toThrow(/highWaterMark/);
    expect(() => new PushSession({ ...base, username: 1 as never })).toThrow(/username/);
    expect(() => new PushSession({ ...base, password: null as never })).toThrow(/password/);
    expect(() => new PushSession({ ...base, handler: 'x' as never })).toThrow(/handler/);
    expect(() => new PushSession({ ...base, reconnect: { factor: 0.5 } })).toThrow(/factor/);
    expect(() => new PushSession(null as never)).toThrow(/options/);
  });

  it('a session aborted before start never connects', async () => {
    const ac = new AbortController();
    ac.abort();
    const s = createPushSession({ host: '127.0.0.1', port: sim.pushPort, secure: false, username: 'u', password: 'p', monitorId: 1, signal: ac.signal });
    await expect(s.start()).rejects.toMatchObject({ name: 'AbortError', category: 'aborted' });
    await expect(s.done).resolves.toBeUndefined();
    expect(sim.connects).toEqual([]);
  });
});

describe('handshake against a hand-written server', () => {
  async function rawServer(script: (socket: Socket) => Promise<void> | void) {
    const server = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => void script(socket));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    return { port, close: () => new Promise<void>((r) => server.close(() => r())) };
  }
  const pause = () => new Promise((r) => setTimeout(r, 3));

  it('buffers a ConnectionResponse that arrives one byte at a time, with a frame glued to its tail', async () => {
    const data = Buffer.from(JSON.stringify({ Document: { Msg: { topic: '1/DataPoint/s', operation: 'INSERTION', timestamp: 't', DataPoint: { data: 5 } } } }));
    const srv = await rawServer(async (socket) => {
      const bytes = Buffer.concat([encodeConnectionResponse(200), encodePublishMessage({ blockId: 65535, count: 1, compression: 'none', format: 'json', data })]);
      for (let i = 0; i < 12; i++) {
        socket.write(bytes.subarray(i, i + 1));
        await pause();
      }
      socket.write(bytes.subarray(12));
    });
    const c = collector();
    const s = session(1, { port: srv.port, handler: c.handler });
    await s.start();
    await waitFor(() => c.values().length === 1);
    expect(c.batches.map((b) => [b.blockId, b.count])).toEqual([[65535, 1]]);
    expect(c.values()).toEqual([5]);
    await s.stop();
    await srv.close();
  });

  it('status 1 (the documentation example) is refused, and a wrong first message is a protocol error', async () => {
    const refused = await rawServer((socket) => void socket.end(encodeConnectionResponse(1)));
    const first = session(1, { port: refused.port });
    const heard: unknown[] = [];
    first.on('error', (e) => heard.push(e));
    await expect(first.start()).rejects.toMatchObject({ name: 'PushAuthenticationError', status: 1 });
    expect(heard).toMatchObject([{ name: 'PushAuthenticationError', status: 1 }]);
    await refused.close();
    const wrong = await rawServer((socket) => void socket.write(encodePublishMessage({ blockId: 0, count: 0, compression: 'none', format: 'json', data: Buffer.from('{}') })));
    const s = session(1, { port: wrong.port, reconnect: false });
    s.on('error', (e) => heard.push(e));
    await expect(s.start()).rejects.toMatchObject({ name: 'PushProtocolError', code: 'UNEXPECTED_MESSAGE' });
    expect(heard).toMatchObject([{ status: 1 }, { code: 'UNEXPECTED_MESSAGE' }]);
    await wrong.close();
  });

  it('a server that never answers hits the connect timeout and is retried', async () => {
    const silent = await rawServer(() => undefined);
    const s = session(1, { port: silent.port, connectTimeoutInMs: 30 });
    const codes: string[] = [];
    s.on('reconnecting', (r) => codes.push(codeOf(r.error)));
    void s.start().catch(() => undefined);
    await waitFor(() => codes.length >= 2, 'connect timeouts');
    expect(codes.slice(0, 2)).toEqual(['TIMEOUT_CONNECT', 'TIMEOUT_CONNECT']);
    await s.stop();
    await silent.close();
  });
});

describe('TLS push', () => {
  it('verifies the server against the given CA and host name, then streams', async () => {
    const m = tcpMonitor({ monBatchSize: '2', monCompression: 'zlib' });
    const c = collector();
    await session(m.id, { secure: true, port: sim.tlsPort, host: 'localhost', ca: sim.ca!, handler: c.handler }).start();
    publish(1, 2);
    await waitFor(() => c.values().length === 2);
    expect(c.values()).toEqual([1, 2]);
  });

  it('an untrusted certificate is fatal (no silent fallback, no reconnect loop)', async () => {
    const m = tcpMonitor();
    const s = session(m.id, { secure: true, port: sim.tlsPort });
    const heard: unknown[] = [];
    s.on('error', (e) => heard.push(e));
    await expect(s.start()).rejects.toMatchObject({ name: 'PushConnectionError', code: 'TLS_VERIFICATION_FAILED', fatal: true });
    expect(heard).toMatchObject([{ code: 'TLS_VERIFICATION_FAILED' }]);
    expect(sim.connects).toEqual([]);
  });

  it('a host-name mismatch is fatal', async () => {
    const m = tcpMonitor();
    const s = session(m.id, { secure: true, port: sim.tlsPort, ca: sim.ca!, servername: 'push.example.com' });
    const heard: unknown[] = [];
    s.on('error', (e) => heard.push(e));
    await expect(s.start()).rejects.toMatchObject({ code: 'TLS_VERIFICATION_FAILED' });
    expect(heard).toMatchObject([{ code: 'TLS_VERIFICATION_FAILED' }]);
  });
});

describe('simulator push server with reference-client behaviour', () => {
  it('keeps streaming to an ack-off monitor after the malformed 6-byte Python ack', async () => {
    const m = tcpMonitor();
    const socket = connect(sim.pushPort, '127.0.0.1');
    const decoder = new FrameDecoder();
    const frames: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => {
      decoder.push(chunk);
      for (let f = decoder.next(); f; f = decoder.next()) frames.push(f.payload);
    });
    await new Promise((r) => socket.once('connect', r));
    socket.write(encodeConnectionRequest({ username: sim.username, password: sim.password, monitorId: m.id }));
    await waitFor(() => frames.length === 1, 'ConnectionResponse');
    publish(1);
    await waitFor(() => frames.length === 2);
    const block = parsePublishMessage(frames[1]!);
    // struct.pack('!HHH', 4, blockId, 200): no length field.
    const pyAck = Buffer.alloc(6);
    pyAck.writeUInt16BE(4, 0);
    pyAck.writeUInt16BE(block.blockId, 2);
    pyAck.writeUInt16BE(200, 4);
    socket.write(pyAck);
    publish(2);
    await waitFor(() => frames.length === 3);
    const next = parsePublishMessage(frames[2]!);
    expect(decodeDocument(next.data, next.compression, next.format).map((e) => e.type === 'DataPoint' && e.payload.data)).toEqual([2]);
    socket.destroy();
  });
});

describe('session base behaviour (issue 12)', () => {
  let server: DeviceCloudSimulator;
  beforeEach(async () => {
    server = await DeviceCloudSimulator.start({ secondInMs: 20 });
  });
  afterEach(async () => {
    await server.close();
  });

  const open = (monitorId: number, extra: Partial<PushSessionOptions> = {}) =>
    new PushSession({ host: '127.0.0.1', port: server.pushPort, secure: false, username: server.username, password: server.password, monitorId, ...extra });

  it('a bad block on every accepted connection makes the reconnect delays grow (no reset on accept)', async () => {
    const m = server.createMonitor({ monTopic: 'DataPoint', monBatchSize: '1', monBatchDuration: '0' });
    server.faults.badBlockOnConnect(true);
    const s = open(m.id, { reconnect: { initialDelayInMs: 2, maxDelayInMs: 64, jitter: 'none' } });
    s.on('error', () => undefined);
    const delays: number[] = [];
    s.on('reconnecting', (r) => delays.push(r.delayInMs));
    void s.start();
    await waitFor(() => delays.length >= 6, 'six reconnects');
    await s.close();
    expect(delays.slice(0, 6)).toEqual([2, 4, 8, 16, 32, 64]);
    expect(server.connects.filter((c) => c.status === 200).length).toBeGreaterThanOrEqual(6);
  });

  it('close() from inside the handler returns at once and the session ends', async () => {
    const m = server.createMonitor({ monTopic: 'DataPoint', monBatchSize: '1', monBatchDuration: '0' });
    let closedInHandlerInMs = -1;
    const s = open(m.id, {
      handler: async () => {
        const t0 = Date.now();
        await s.close();
        closedInHandlerInMs = Date.now() - t0;
      },
    });
    await s.start();
    server.publishDataPoint({ streamId: 'd/t', data: 1 });
    await s.done;
    expect(s.state).toBe('closed');
    await waitFor(() => closedInHandlerInMs >= 0, 'the handler returned');
    expect(closedInHandlerInMs).toBeLessThan(1000);
  });

  it('the deprecated stop() from inside the handler does not wait for itself', async () => {
    const m = server.createMonitor({ monTopic: 'DataPoint', monBatchSize: '1', monBatchDuration: '0' });
    let stoppedInMs = -1;
    const s = open(m.id, {
      handler: async () => {
        const t0 = Date.now();
        await s.stop({ timeoutInMs: 10_000 });
        stoppedInMs = Date.now() - t0;
      },
    });
    await s.start();
    server.publishDataPoint({ streamId: 'd/t', data: 1 });
    await waitFor(() => stoppedInMs >= 0, 'stop() returned');
    expect(stoppedInMs).toBeLessThan(1000);
    expect(s.state).toBe('closed');
  });

  it('leaves no listener on a shared AbortSignal after close', async () => {
    const m = server.createMonitor({ monTopic: 'DataPoint' });
    const shared = new AbortController();
    let listeners = 0;
    const add = shared.signal.addEventListener.bind(shared.signal);
    const remove = shared.signal.removeEventListener.bind(shared.signal);
    shared.signal.addEventListener = ((...args: Parameters<typeof add>) => (listeners++, add(...args)));
    shared.signal.removeEventListener = ((...args: Parameters<typeof remove>) => (listeners--, remove(...args)));
    for (let i = 0; i < 3; i++) {
      const s = open(m.id, { signal: shared.signal });
      await s.start();
      await s.close();
    }
    expect(listeners).toBe(0);
    expect(shared.signal.aborted).toBe(false);
  });

  it('a refused login ends the session with a category auth error that error listeners hear', async () => {
    const m = server.createMonitor({ monTopic: 'DataPoint' });
    const s = open(m.id, { password: 'wrong-password' });
    const heard: unknown[] = [];
    s.on('error', (e) => heard.push(e));
    const closed: unknown[] = [];
    s.on('closed', (e) => closed.push(e.error));
    await expect(s.start()).rejects.toMatchObject({ name: 'PushAuthenticationError', category: 'auth', status: 403 });
    await expect(s.done).rejects.toMatchObject({ category: 'auth' });
    expect(heard).toHaveLength(1);
    expect(closed).toEqual([heard[0]]);
    expect(server.connects).toHaveLength(1);
  });
});
