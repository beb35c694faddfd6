/** Options of a push session, checked once with errors that name the option. */
import { assertDuration, namespacedLogger, type SessionOptions, type SessionReconnectOptions } from '@x/http-core';
import type { Compression, Format } from './frame.js';
import { DEFAULT_MAX_FRAME_BYTES, PUSH_PLAIN_PORT, PUSH_TLS_PORT } from './frame.js';
import type { LongMode, MonitorEvent } from './events.js';
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

/**
 * Handles one batch. Returning (or resolving to) `false` means "not handled", like a throw: the
 * block is not acknowledged and, for an explicit-ack monitor, the session reconnects so the server
 * replays it (with `autoReplayOnConnect`).
 */
export type PushHandler = (batch: PushBatch) => void | boolean | Promise<void | boolean>;

/** Default `idleTimeoutInMs` of a push session: the protocol has no keep-alive, so a silent link is retried. */
export const DEFAULT_PUSH_IDLE_TIMEOUT_IN_MS = 15 * 60_000;
/** Default `dedupeWindow` when `replayUnacknowledged` is set (handled event keys remembered). */
export const DEFAULT_DEDUPE_WINDOW = 4096;

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
  /**
   * The monitor's `ackOption`. `explicit` (default): the 10-byte PublishMessageReceived is sent
   * once a batch was handled, a poison block is acknowledged when skipped, and a batch the handler
   * did not handle makes the session reconnect so the server replays it. `off`: no acks at all (the
   * server ignores them, and at batch size 1 they cost throughput).
   */
  ackOption?: 'explicit' | 'off';
  /** @deprecated Use `ackOption` (`false` is `ackOption: 'off'`). */
  acknowledge?: boolean;
  /**
   * Remember the keys (`eventKey`) of this many handled events and drop events whose key was
   * handled already (replays after an ack lost in flight). 0 = off. Default 4096 with
   * `replayUnacknowledged`, else 0. Delivery stays at-least-once across a restart of the process.
   */
  dedupeWindow?: number;
  /**
   * Set it when the monitor has `ackOption: 'explicit'` and `autoReplayOnConnect: true`: batches
   * still buffered from a lost connection are dropped (the server replays them, flagged `replay`),
   * and the replayed copies of a batch handled after its connection died are removed (a block left
   * empty is acknowledged without delivery). A replay can still repeat an event whose ack was in
   * flight when the link dropped: the dedupe window (on by default with this option) drops those.
   * Leave it off for other monitors.
   */
  replayUnacknowledged?: boolean;
  /** Callback face: called for each batch in order; the ack is sent after its promise resolves (not for `false`). */
  handler?: PushHandler;
  /**
   * Handler face: up to this many handlers run at once (default 1). Batches with the same
   * `orderingKey` are still handled one after the other, in arrival order; each batch is
   * acknowledged when its own handler is done.
   */
  concurrency?: number;
  /** The ordering key of a batch with `concurrency` (default: the topic of its first event, i.e. per stream at batch size 1). */
  orderingKey?: (batch: PushBatch) => string;
  /** LONG data points: `number` (default; exact only up to 2^53), or exact as `string` or `bigint`. */
  longs?: LongMode;
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
  dedupeWindow: number;
  longs: LongMode;
  concurrency: number;
  orderingKey: (batch: PushBatch) => string;
  handler: PushHandler | undefined;
  maxInflatedBytes: number;
}

function firstTopic(batch: PushBatch): string {
  return batch.events[0]?.topic ?? '';
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
  checkInt(options.dedupeWindow, 'dedupeWindow', 0);
  checkInt(options.concurrency, 'concurrency', 1, 1024);
  if (options.orderingKey !== undefined && typeof options.orderingKey !== 'function') throw new TypeError('orderingKey must be a function');
  if (options.longs !== undefined && options.longs !== 'number' && options.longs !== 'string' && options.longs !== 'bigint') {
    throw new RangeError(`longs must be 'number', 'string' or 'bigint', got ${JSON.stringify(options.longs)}`);
  }
  if (options.ackOption !== undefined && options.ackOption !== 'explicit' && options.ackOption !== 'off') {
    throw new RangeError(`ackOption must be 'explicit' or 'off', got ${JSON.stringify(options.ackOption)}`);
  }
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
    idleTimeoutInMs: idleTimeoutInMs ?? DEFAULT_PUSH_IDLE_TIMEOUT_IN_MS,
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
    acknowledge: options.ackOption !== undefined ? options.ackOption === 'explicit' : (options.acknowledge ?? true),
    replayUnacknowledged: options.replayUnacknowledged ?? false,
    longs: options.longs ?? 'number',
    concurrency: options.concurrency ?? 1,
    orderingKey: options.orderingKey ?? firstTopic,
    dedupeWindow: options.dedupeWindow ?? (options.replayUnacknowledged ? DEFAULT_DEDUPE_WINDOW : 0),
    handler,
    maxInflatedBytes: options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES,
  };
}
