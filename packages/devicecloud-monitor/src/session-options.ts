/** Options of a push session, checked once with errors that name the option. */
import { assertDuration, namespacedLogger, type SessionOptions, type SessionReconnectOptions } from '@x/http-core';
import type { Compression, Format } from './frame.js';
import { DEFAULT_MAX_FRAME_BYTES, PUSH_PLAIN_PORT, PUSH_TLS_PORT } from './frame.js';
import type { MonitorEvent } from './events.js';
import { DEFAULT_MAX_INFLATED_BYTES } from './payload.js';
import type { PushEndpoint } from './push-connection.js';

/** @deprecated Use SessionReconnectOptions of @x/http-core (the same shape). */
export type ReconnectOptions = SessionReconnectOptions;

/** One PublishMessage, decoded. */
export interface PushBatch {
  monitorId: number;
  /** Rotating u16 id; unique only together with `connection`. */
  blockId: number;
  /** Which connection (1, 2, …) of this session delivered the block. */
  connection: number;
  /** The count the server declared for the block (`events` can hold fewer with `replayUnacknowledged`). */
  count: number;
  compression: Compression;
  format: Format;
  events: MonitorEvent[];
  /** True when any event in the block is a replay. */
  replay: boolean;
}

export type PushHandler = (batch: PushBatch) => void | Promise<void>;

/**
 * The session base's options (`reconnect`, `stableAfterInMs`, `connectTimeoutInMs`,
 * `idleTimeoutInMs`, `highWaterMark`, `signal`, `clock`, `random`, `logger`) plus the protocol's.
 */
export interface PushSessionOptions extends Omit<SessionOptions, 'overflow' | 'name'> {
  /** Push host (the REST host). */
  host: string;
  /** Default 3201 with TLS, 3200 without. */
  port?: number;
  /** TLS with certificate and host-name verification (default true). `false` is plain TCP, debugging only. */
  secure?: boolean;
  /** Trusted CA certificate(s) in PEM, replacing the system store (for private or test CAs). */
  ca?: string | Buffer | Array<string | Buffer>;
  /** TLS server name (SNI and host-name check); default `host`. */
  servername?: string;
  username: string;
  password: string;
  monitorId: number;
  /** Send the 10-byte PublishMessageReceived once a batch was handled (default true; harmless for `off` monitors). */
  acknowledge?: boolean;
  /**
   * Set it when the monitor has `ackOption: 'explicit'` and `autoReplayOnConnect: true`: batches
   * still buffered from a lost connection are dropped (the server replays them, flagged `replay`),
   * and the replayed copies of a batch handled after its connection died are removed (a block left
   * empty is acknowledged without delivery), so nothing arrives twice. Leave it off for other monitors.
   */
  replayUnacknowledged?: boolean;
  /** Callback face: called for each batch in order; the ack is sent after its promise resolves. */
  handler?: PushHandler;
  /** Largest accepted frame (default 64 MiB). */
  maxFrameBytes?: number;
  /** Largest accepted (inflated) document (default 64 MiB). */
  maxInflatedBytes?: number;
  /** TCP keep-alive initial delay (default 60 000 ms). */
  keepAliveInitialDelayInMs?: number;
}

export interface ResolvedPushOptions {
  endpoint: PushEndpoint;
  base: SessionOptions;
  acknowledge: boolean;
  replayUnacknowledged: boolean;
  handler: PushHandler | undefined;
  maxInflatedBytes: number;
}

function checkInt(value: unknown, name: string, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)) {
    throw new RangeError(`${name} must be an integer ${min}..${max}, got ${typeof value === 'number' ? String(value) : typeof value}`);
  }
}

function checkIdentity(options: PushSessionOptions): void {
  if (typeof options.host !== 'string' || options.host === '') throw new TypeError('host must be a non-empty string');
  if (typeof options.username !== 'string') throw new TypeError('username must be a string');
  if (typeof options.password !== 'string') throw new TypeError('password must be a string');
  if (!Number.isInteger(options.monitorId) || options.monitorId < 0 || options.monitorId > 0xffffffff) {
    throw new RangeError('monitorId must be an integer 0..4294967295');
  }
  if (options.handler !== undefined && typeof options.handler !== 'function') throw new TypeError('handler must be a function');
}

/** Checks every option and fills in the defaults; the session base checks its own. */
export function resolvePushOptions(options: PushSessionOptions): ResolvedPushOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  checkIdentity(options);
  checkInt(options.port, 'port', 1, 65535);
  checkInt(options.maxFrameBytes, 'maxFrameBytes', 10);
  checkInt(options.maxInflatedBytes, 'maxInflatedBytes', 1);
  assertDuration('keepAliveInitialDelayInMs', options.keepAliveInitialDelayInMs);
  const secure = options.secure ?? true;
  const { host, username, password, monitorId, ca, servername, handler } = options;
  const { reconnect, stableAfterInMs, connectTimeoutInMs, idleTimeoutInMs, signal, clock, random, logger } = options;
  const base: SessionOptions = {
    highWaterMark: options.highWaterMark ?? 4,
    overflow: 'pause',
    name: `devicecloud push ${monitorId}`,
    ...(reconnect !== undefined ? { reconnect } : {}),
    ...(stableAfterInMs !== undefined ? { stableAfterInMs } : {}),
    ...(connectTimeoutInMs !== undefined ? { connectTimeoutInMs } : {}),
    ...(idleTimeoutInMs !== undefined ? { idleTimeoutInMs } : {}),
    ...(signal !== undefined ? { signal } : {}),
    ...(clock !== undefined ? { clock } : {}),
    ...(random !== undefined ? { random } : {}),
    ...(logger !== undefined ? { logger: namespacedLogger(logger, 'devicecloud-monitor') } : {}),
  };
  return {
    endpoint: {
      host,
      port: options.port ?? (secure ? PUSH_TLS_PORT : PUSH_PLAIN_PORT),
      secure,
      ca,
      servername,
      username,
      password,
      monitorId,
      maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
      keepAliveInitialDelayInMs: options.keepAliveInitialDelayInMs ?? 60_000,
    },
    base,
    acknowledge: options.acknowledge ?? true,
    replayUnacknowledged: options.replayUnacknowledged ?? false,
    handler,
    maxInflatedBytes: options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES,
  };
}
