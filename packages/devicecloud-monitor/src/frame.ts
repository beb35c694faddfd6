/**
 * The binary framing of the Device Cloud TCP push protocol (big-endian):
 * `u16 type | u32 payloadLength (header excluded) | payload`. Encoders for the four message types
 * and a streaming decoder that survives any TCP split and back-to-back frames.
 */
import { PushProtocolError } from './errors.js';

/** The four message types of the push protocol (the u16 `type` of a frame). */
export const MessageType = {
  ConnectionRequest: 1,
  ConnectionResponse: 2,
  PublishMessage: 3,
  PublishMessageReceived: 4,
} as const;

/** Plain TCP push port (debugging only: credentials cross the wire in clear). */
export const PUSH_PLAIN_PORT = 3200;
/** TLS push port. */
export const PUSH_TLS_PORT = 3201;
/** The push protocol version this package speaks (sent in the ConnectionRequest). */
export const PROTOCOL_VERSION = 1;
export const HEADER_BYTES = 6;
/** PublishMessage payload header: blockId, count, compression, format, payloadSize. */
export const PUBLISH_HEADER_BYTES = 10;
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024;
export const STATUS_OK = 200;

/** How a PublishMessage's document is compressed. */
export type Compression = 'none' | 'zlib';
/** The encoding of a PublishMessage's document. */
export type Format = 'json' | 'xml';

/** One decoded frame: its message type (see `MessageType`) and payload (header removed). */
export interface Frame {
  type: number;
  payload: Buffer;
}

/** The fields of a ConnectionRequest (type 1), as `parseConnectionRequest()` returns them. */
export interface ConnectionRequest {
  protocolVersion: number;
  username: string;
  password: string;
  monitorId: number;
}

/** A PublishMessage (type 3): one block of events from the push connection. */
export interface PublishMessage {
  /** Rotating u16 id of this data block (wraps; never a global key). */
  blockId: number;
  /** Number of events aggregated in the block. */
  count: number;
  compression: Compression;
  format: Format;
  /** The (possibly compressed) document bytes. */
  data: Buffer;
}

function header(type: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(HEADER_BYTES + length);
  buf.writeUInt16BE(type, 0);
  buf.writeUInt32BE(length, 2);
  return buf;
}

function checkU16(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) throw new RangeError(`${name} must be an integer 0..65535`);
}

/** ConnectionRequest (type 1) with UTF-8 credentials and their byte lengths. */
export function encodeConnectionRequest(req: { username: string; password: string; monitorId: number }): Buffer {
  if (typeof req.username !== 'string') throw new TypeError('username must be a string');
  if (typeof req.password !== 'string') throw new TypeError('password must be a string');
  if (!Number.isInteger(req.monitorId) || req.monitorId < 0 || req.monitorId > 0xffffffff) {
    throw new RangeError('monitorId must be an integer 0..4294967295');
  }
  const user = Buffer.from(req.username, 'utf8');
  const pass = Buffer.from(req.password, 'utf8');
  if (user.length > 0xffff) throw new RangeError('username must be at most 65535 UTF-8 bytes');
  if (pass.length > 0xffff) throw new RangeError('password must be at most 65535 UTF-8 bytes');
  const buf = header(MessageType.ConnectionRequest, 10 + user.length + pass.length);
  let o = HEADER_BYTES;
  o = buf.writeUInt16BE(PROTOCOL_VERSION, o);
  o = buf.writeUInt16BE(user.length, o);
  o += user.copy(buf, o);
  o = buf.writeUInt16BE(pass.length, o);
  o += pass.copy(buf, o);
  buf.writeUInt32BE(req.monitorId, o);
  return buf;
}

/** The two fixed 10-byte messages: header (length 4) and two u16 fields. */
function twoShorts(type: number, first: number, firstName: string, second: number, secondName: string): Buffer {
  checkU16(first, firstName);
  checkU16(second, secondName);
  const buf = header(type, 4);
  buf.writeUInt16BE(first, 6);
  buf.writeUInt16BE(second, 8);
  return buf;
}

function readTwoShorts(payload: Buffer, code: string, what: string): [number, number] {
  if (payload.length !== 4) throw new PushProtocolError(code, `${what} payload must be 4 bytes, got ${payload.length}`, payload);
  return [payload.readUInt16BE(0), payload.readUInt16BE(2)];
}

/** ConnectionResponse (type 2): status first, then protocol version. */
export function encodeConnectionResponse(status: number, protocolVersion = PROTOCOL_VERSION): Buffer {
  return twoShorts(MessageType.ConnectionResponse, status, 'status', protocolVersion, 'protocolVersion');
}

/** PublishMessage (type 3). */
export function encodePublishMessage(msg: PublishMessage): Buffer {
  checkU16(msg.blockId, 'blockId');
  checkU16(msg.count, 'count');
  const buf = header(MessageType.PublishMessage, PUBLISH_HEADER_BYTES + msg.data.length);
  buf.writeUInt16BE(msg.blockId, 6);
  buf.writeUInt16BE(msg.count, 8);
  buf.writeUInt8(msg.compression === 'zlib' ? 1 : 0, 10);
  buf.writeUInt8(msg.format === 'json' ? 1 : 0, 11);
  buf.writeUInt32BE(msg.data.length, 12);
  msg.data.copy(buf, 16);
  return buf;
}

/** PublishMessageReceived (type 4): the 10-byte acknowledgement (header with length 4, block id, status). */
export function encodeAck(blockId: number, status = STATUS_OK): Buffer {
  return twoShorts(MessageType.PublishMessageReceived, blockId, 'blockId', status, 'status');
}

/**
 * Reads a ConnectionRequest payload (header removed).
 * Throws PushProtocolError `BAD_CONNECTION_REQUEST` when the lengths do not add up.
 */
export function parseConnectionRequest(payload: Buffer): ConnectionRequest {
  const fail = (): never => {
    throw new PushProtocolError('BAD_CONNECTION_REQUEST', 'malformed ConnectionRequest', payload);
  };
  if (payload.length < 10) fail();
  const protocolVersion = payload.readUInt16BE(0);
  const userLen = payload.readUInt16BE(2);
  if (payload.length < 4 + userLen + 2) fail();
  const username = payload.toString('utf8', 4, 4 + userLen);
  const passLen = payload.readUInt16BE(4 + userLen);
  const passStart = 6 + userLen;
  if (payload.length !== passStart + passLen + 4) fail();
  const password = payload.toString('utf8', passStart, passStart + passLen);
  const monitorId = payload.readUInt32BE(passStart + passLen);
  return { protocolVersion, username, password, monitorId };
}

/**
 * Reads a ConnectionResponse payload (header removed).
 * Throws PushProtocolError `BAD_CONNECTION_RESPONSE` unless it is exactly 4 bytes.
 */
export function parseConnectionResponse(payload: Buffer): { status: number; protocolVersion: number } {
  const [status, protocolVersion] = readTwoShorts(payload, 'BAD_CONNECTION_RESPONSE', 'ConnectionResponse');
  return { status, protocolVersion };
}

/**
 * Reads a PublishMessageReceived (acknowledgement) payload (header removed).
 * Throws PushProtocolError `BAD_ACK` unless it is exactly 4 bytes.
 */
export function parseAck(payload: Buffer): { blockId: number; status: number } {
  const [blockId, status] = readTwoShorts(payload, 'BAD_ACK', 'PublishMessageReceived');
  return { blockId, status };
}

/** Splits a PublishMessage payload; checks payloadSize against the frame length and the flag bytes. */
export function parsePublishMessage(payload: Buffer): PublishMessage {
  if (payload.length < PUBLISH_HEADER_BYTES) {
    throw new PushProtocolError('SHORT_PUBLISH_MESSAGE', `PublishMessage payload of ${payload.length} bytes is shorter than its 10-byte header`, payload);
  }
  const blockId = payload.readUInt16BE(0);
  const count = payload.readUInt16BE(2);
  const compressionByte = payload.readUInt8(4);
  const formatByte = payload.readUInt8(5);
  const size = payload.readUInt32BE(6);
  if (size !== payload.length - PUBLISH_HEADER_BYTES) {
    throw new PushProtocolError(
      'PAYLOAD_SIZE_MISMATCH',
      `PublishMessage block ${blockId}: payloadSize ${size} does not match the frame (${payload.length - PUBLISH_HEADER_BYTES} bytes)`,
      payload,
    );
  }
  if (compressionByte > 1) {
    throw new PushProtocolError('UNKNOWN_COMPRESSION', `PublishMessage block ${blockId}: unknown compression flag ${compressionByte}`, payload);
  }
  if (formatByte > 1) {
    throw new PushProtocolError('UNKNOWN_FORMAT', `PublishMessage block ${blockId}: unknown format byte ${formatByte}`, payload);
  }
  return {
    blockId,
    count,
    compression: compressionByte === 1 ? 'zlib' : 'none',
    format: formatByte === 1 ? 'json' : 'xml',
    data: payload.subarray(PUBLISH_HEADER_BYTES),
  };
}

/**
 * Incremental frame decoder. `push()` bytes as they arrive, then call `next()` until it returns
 * `undefined`. A frame whose declared length exceeds `maxFrameBytes` (including lengths that a
 * signed reader would see as negative) throws a PushProtocolError, after which the decoder is
 * unusable: the stream is desynchronised and the connection must be dropped.
 */
export class FrameDecoder {
  readonly maxFrameBytes: number;
  private chunks: Buffer[] = [];
  private total = 0;
  private type = -1;
  private length = -1;
  private failure: PushProtocolError | undefined;

  constructor(options: { maxFrameBytes?: number } = {}) {
    const max = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    if (!Number.isInteger(max) || max < PUBLISH_HEADER_BYTES || max > 0xffffffff) {
      throw new RangeError('maxFrameBytes must be an integer between 10 and 4294967295');
    }
    this.maxFrameBytes = max;
  }

  /** Bytes received but not yet returned as frames. */
  get bufferedBytes(): number {
    return this.total;
  }

  /** Appends received bytes (empty chunks are ignored). */
  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.total += chunk.length;
  }

  /**
   * The next complete frame, or undefined until more bytes arrive.
   * Throws PushProtocolError `FRAME_TOO_LARGE` (then on every later call) for a frame over `maxFrameBytes`.
   */
  next(): Frame | undefined {
    if (this.failure) throw this.failure;
    if (this.length < 0) {
      if (this.total < HEADER_BYTES) return undefined;
      const head = this.take(HEADER_BYTES);
      this.type = head.readUInt16BE(0);
      this.length = head.readUInt32BE(2);
      if (this.length > this.maxFrameBytes) {
        this.failure = new PushProtocolError(
          'FRAME_TOO_LARGE',
          `frame of type ${this.type} declares ${this.length} bytes, more than maxFrameBytes (${this.maxFrameBytes})`,
          head,
        );
        this.chunks = [];
        this.total = 0;
        throw this.failure;
      }
    }
    if (this.total < this.length) return undefined;
    const frame = { type: this.type, payload: this.take(this.length) };
    this.type = -1;
    this.length = -1;
    return frame;
  }

  /** Removes `n` bytes (n ≤ total) from the front; zero-copy when they sit in one chunk. */
  private take(n: number): Buffer {
    this.total -= n;
    const first = this.chunks[0];
    if (n === 0) return Buffer.alloc(0);
    if (first !== undefined && first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0] as Buffer;
      const want = n - filled;
      if (chunk.length <= want) {
        chunk.copy(out, filled);
        filled += chunk.length;
        this.chunks.shift();
      } else {
        chunk.copy(out, filled, 0, want);
        this.chunks[0] = chunk.subarray(want);
        filled += want;
      }
    }
    return out;
  }
}
