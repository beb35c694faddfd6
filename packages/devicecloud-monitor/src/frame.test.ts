// Fixture frames: digidotcom/idigi-java-monitor-api @ 0b902b8,
// netty/src/test/resources/com/idigi/api/monitor/netty/ (MPL-2.0), copied to /work/shared/fixtures/devicecloud.
// Encoder vectors: the same project's ConnectRequestEncoderTest and PublishMessageReceivedEncoderTest.
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPushProtocolError } from './errors.js';
import {
  FrameDecoder,
  encodeAck,
  encodeConnectionRequest,
  encodeConnectionResponse,
  encodePublishMessage,
  parseAck,
  parseConnectionRequest,
  parseConnectionResponse,
  parsePublishMessage,
  type Frame,
} from './frame.js';
import { decodeDocument } from './payload.js';

const FIXTURES = '/work/shared/fixtures/devicecloud';
const fixture = (name: string) => readFileSync(`${FIXTURES}/${name}`);

function decodeAll(chunks: Buffer[], max?: number): Frame[] {
  const d = new FrameDecoder(max === undefined ? {} : { maxFrameBytes: max });
  const out: Frame[] = [];
  for (const c of chunks) {
    d.push(c);
    for (let f = d.next(); f; f = d.next()) out.push(f);
  }
  return out;
}

describe('encoders', () => {
  it('ConnectionRequest matches the pepsi/cola vector', () => {
    expect(encodeConnectionRequest({ username: 'pepsi', password: 'cola', monitorId: 10 }).toString('hex')).toBe(
      '0001' + '00000013' + '0001' + '0005' + Buffer.from('pepsi').toString('hex') + '0004' + Buffer.from('cola').toString('hex') + '0000000a',
    );
  });

  it('ConnectionRequest reproduces the captured connect-request.bin (first 29 bytes)', () => {
    const bin = fixture('connect-request.bin');
    expect(encodeConnectionRequest({ username: 'jfocht', password: 'digidev', monitorId: 390 })).toEqual(bin.subarray(0, 29));
    const frames = decodeAll([bin.subarray(0, 29)]);
    expect(parseConnectionRequest(frames[0]!.payload)).toEqual({ protocolVersion: 1, username: 'jfocht', password: 'digidev', monitorId: 390 });
  });

  it('ConnectionRequest lengths count UTF-8 bytes', () => {
    const buf = encodeConnectionRequest({ username: 'jürgen', password: 'pässwörd€', monitorId: 0x104 });
    expect(buf.readUInt32BE(2)).toBe(10 + 7 + 13);
    expect(buf.readUInt16BE(8)).toBe(7);
    expect(parseConnectionRequest(buf.subarray(6))).toEqual({ protocolVersion: 1, username: 'jürgen', password: 'pässwörd€', monitorId: 260 });
  });

  it('rejects bad input naming the parameter', () => {
    expect(() => encodeConnectionRequest({ username: 'a', password: 'b', monitorId: -1 })).toThrow(/monitorId/);
    expect(() => encodeConnectionRequest({ username: 'x'.repeat(70000), password: 'b', monitorId: 1 })).toThrow(/username/);
    expect(() => encodeConnectionRequest({ username: 'a', password: 'x'.repeat(70000), monitorId: 1 })).toThrow(/password/);
    expect(() => encodeConnectionRequest({ username: 1 as never, password: 'b', monitorId: 1 })).toThrow(TypeError);
    expect(() => encodeAck(70000)).toThrow(/blockId/);
    expect(() => new FrameDecoder({ maxFrameBytes: 3 })).toThrow(/maxFrameBytes/);
  });

  it('ack is the 10-byte PublishMessageReceived of the reference vector', () => {
    expect(encodeAck(300, 200).toString('hex')).toBe('0004000000040' + '12c00c8');
    expect(parseAck(encodeAck(300).subarray(6))).toEqual({ blockId: 300, status: 200 });
  });

  it('ConnectionResponse equals connect-response.bin and decodes status then version', () => {
    const bin = fixture('connect-response.bin');
    expect(encodeConnectionResponse(200)).toEqual(bin);
    const [frame] = decodeAll([bin]);
    expect(frame!.type).toBe(2);
    expect(parseConnectionResponse(frame!.payload)).toEqual({ status: 200, protocolVersion: 1 });
  });
});

describe('publish-message.bin (two back-to-back captured frames)', () => {
  const bin = fixture('publish-message.bin');

  it('decodes both frames and their DeviceCore events with native types', () => {
    const frames = decodeAll([bin]);
    expect(frames.map((f) => [f.type, f.payload.length])).toEqual([
      [3, 518],
      [3, 518],
    ]);
    const msgs = frames.map((f) => parsePublishMessage(f.payload));
    expect(msgs.map((m) => [m.blockId, m.count, m.compression, m.format, m.data.length])).toEqual([
      [0, 1, 'none', 'json', 508],
      [1, 1, 'none', 'json', 508],
    ]);
    const events = msgs.flatMap((m) => decodeDocument(m.data, m.compression, m.format));
    expect(events.map((e) => [e.type, e.topic, e.operation, e.timestamp, e.replay])).toEqual([
      ['DeviceCore', '1654/DeviceCore/6283/0', 'UPDATE', '2012-04-17T14:14:07.028Z', false],
      // The capture's second event is a DELETE (specs/devicecloud.md §D says UPDATE; the bytes win).
      ['DeviceCore', '1654/DeviceCore/6283/0', 'DELETE', '2012-04-17T14:14:07.203Z', false],
    ]);
    const first = events[0]!;
    if (first.type !== 'DeviceCore') throw new Error('type');
    expect(first.payload).toMatchObject({
      id: { devId: 6283, devVersion: 0 },
      devConnectwareId: '00000000-00000000-00409DFF-FF458726',
      devMac: '00:40:9D:45:87:26',
      cstId: 1654,
      grpId: 1654,
      devTerminated: false,
      dpDeviceType: 'unknown',
      dpConnectionStatus: 0,
      dpRestrictedStatus: 0,
      dpCapabilities: 0,
      dpFirmwareLevel: 0,
      devRecordStartDate: '2012-04-16T21:43:00.000Z',
    });
  });

  it('yields the same events for every split of the captured stream', () => {
    const events = (frames: Frame[]) =>
      frames.flatMap((f) => {
        const m = parsePublishMessage(f.payload);
        return decodeDocument(m.data, m.compression, m.format).map((e) => ({ blockId: m.blockId, ...e }));
      });
    const expected = events(decodeAll([bin]));
    expect(expected).toHaveLength(2);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: bin.length - 1 }), { maxLength: 40 }), (cuts) => {
        const points = [0, ...cuts.sort((a, b) => a - b), bin.length];
        const chunks = points.slice(1).map((p, i) => bin.subarray(points[i], p));
        expect(events(decodeAll(chunks))).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe('FrameDecoder properties', () => {
  const frameArb = fc.record({
    type: fc.integer({ min: 0, max: 0xffff }),
    payload: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  });
  const encode = (f: { type: number; payload: Buffer }) => {
    const b = Buffer.alloc(6 + f.payload.length);
    b.writeUInt16BE(f.type, 0);
    b.writeUInt32BE(f.payload.length, 2);
    f.payload.copy(b, 6);
    return b;
  };

  it('any sequence of frames split anywhere decodes to the same frames', () => {
    fc.assert(
      fc.property(fc.array(frameArb, { maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1 }), (frames, sizes) => {
        const stream = Buffer.concat(frames.map(encode));
        const chunks: Buffer[] = [];
        for (let o = 0, i = 0; o < stream.length; i++) {
          const n = sizes[i % sizes.length]!;
          chunks.push(stream.subarray(o, o + n));
          o += n;
        }
        const out = decodeAll(chunks);
        expect(out.map((f) => [f.type, f.payload.toString('hex')])).toEqual(frames.map((f) => [f.type, f.payload.toString('hex')]));
      }),
      { numRuns: 300 },
    );
  });

  it('garbage never crashes or hangs: frames or a typed FRAME_TOO_LARGE error, bounded buffering', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 20 }), (chunks) => {
        const d = new FrameDecoder({ maxFrameBytes: 1024 });
        let consumed = 0;
        let total = 0;
        try {
          for (const c of chunks) {
            d.push(Buffer.from(c));
            total += c.length;
            for (let f = d.next(); f; f = d.next()) consumed += 6 + f.payload.length;
          }
          expect(consumed + d.bufferedBytes).toBe(total);
        } catch (err) {
          expect(isPushProtocolError(err) && err.code === 'FRAME_TOO_LARGE').toBe(true);
          expect(() => d.next()).toThrow(/maxFrameBytes/);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('garbage payloads in PublishMessage frames give typed errors only', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
        try {
          const m = parsePublishMessage(Buffer.from(bytes));
          decodeDocument(m.data, m.compression, m.format, 4096);
        } catch (err) {
          expect(isPushProtocolError(err)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('a negative (signed) or oversized length is FRAME_TOO_LARGE', () => {
    const d = new FrameDecoder({ maxFrameBytes: 100 });
    d.push(Buffer.from('0003ffffff00', 'hex'));
    expect(() => d.next()).toThrow(expect.objectContaining({ code: 'FRAME_TOO_LARGE', category: 'protocol', rawPreview: 'hex:0003ffffff00' }));
  });
});

describe('parsePublishMessage', () => {
  it('checks payloadSize against the frame and the flag bytes', () => {
    const ok = encodePublishMessage({ blockId: 7, count: 2, compression: 'zlib', format: 'xml', data: deflateSync('<Document/>') });
    const payload = ok.subarray(6);
    expect(parsePublishMessage(payload)).toMatchObject({ blockId: 7, count: 2, compression: 'zlib', format: 'xml' });
    const bad = Buffer.from(payload);
    bad.writeUInt32BE(3, 6);
    expect(() => parsePublishMessage(bad)).toThrow(expect.objectContaining({ code: 'PAYLOAD_SIZE_MISMATCH' }));
    const comp = Buffer.from(payload);
    comp[4] = 7;
    expect(() => parsePublishMessage(comp)).toThrow(expect.objectContaining({ code: 'UNKNOWN_COMPRESSION' }));
    const fmt = Buffer.from(payload);
    fmt[5] = 2;
    expect(() => parsePublishMessage(fmt)).toThrow(expect.objectContaining({ code: 'UNKNOWN_FORMAT' }));
    expect(() => parsePublishMessage(Buffer.alloc(4))).toThrow(expect.objectContaining({ code: 'SHORT_PUBLISH_MESSAGE' }));
  });

  it('rejects malformed ConnectionRequest/Response/ack payloads', () => {
    expect(() => parseConnectionRequest(Buffer.alloc(3))).toThrow(expect.objectContaining({ code: 'BAD_CONNECTION_REQUEST' }));
    expect(() => parseConnectionRequest(Buffer.from('00010005616263', 'hex'))).toThrow(expect.objectContaining({ code: 'BAD_CONNECTION_REQUEST' }));
    expect(() => parseConnectionResponse(Buffer.alloc(2))).toThrow(expect.objectContaining({ code: 'BAD_CONNECTION_RESPONSE' }));
    expect(() => parseAck(Buffer.alloc(0))).toThrow(expect.objectContaining({ code: 'BAD_ACK' }));
  });
});
