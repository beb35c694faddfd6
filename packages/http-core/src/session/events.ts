/**
 * The one event vocabulary of every long-lived session (push sessions, MQTT, websockets,
 * monitors): what a listener hears, in which order, with which payload.
 */

/** Where a session is in its life. `closing` lasts until the connection is released. */
export type SessionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closing' | 'closed';

/**
 * Why a connection ended:
 * - `ended`: `run()` returned (the peer closed the stream normally);
 * - `failed`: `run()` threw (a socket or protocol error);
 * - `stalled`: nothing arrived for `idleTimeoutInMs`;
 * - `closed`: the session was closed (by `close()`, the `signal` or a fatal error).
 */
export type DisconnectReason = 'ended' | 'failed' | 'stalled' | 'closed';

/** Payload of `connecting`: a connection attempt begins. */
export interface ConnectingEvent {
  /** 1 for the first try after start or after a stable connection, then 2, 3, … */
  attempt: number;
}

/** Payload of `connected`: `connect()` succeeded on attempt `attempt`. */
export interface ConnectedEvent {
  attempt: number;
  /** Accepted connections of this session so far, this one included (1, 2, …). */
  connection: number;
}

/** Payload of `reconnecting`: the session waits `delayInMs` before trying again. */
export interface ReconnectingEvent {
  /** Reconnects since the last stable connection (1 = the first); grows the backoff. */
  attempt: number;
  /** The wait before the next `connecting`. */
  delayInMs: number;
  /** What ended the last try (a failed connect or a dropped connection). */
  error: Error | undefined;
}

/** Payload of `disconnected`: connection number `connection` ended, for `reason`. */
export interface DisconnectedEvent {
  connection: number;
  reason: DisconnectReason;
  /** The error behind `failed` and `stalled`; undefined for `ended` and `closed`. */
  error: Error | undefined;
  /** Whether the connection delivered something or stayed up for `stableAfterInMs` (resets the backoff). */
  stable: boolean;
}

/** Payload of `closed`, emitted exactly once when the session has ended. */
export interface ClosedEvent {
  /** The fatal error that ended the session; undefined after `close()` or an aborted `signal`. */
  error: Error | undefined;
}

/**
 * The lifecycle events, as an EventEmitter event map. Order per connection:
 * `connecting` → (`connected` → … → `disconnected`)? → `reconnecting` → `connecting` …, and
 * `closed` exactly once at the end. `error` carries non-fatal reports (a bad frame, a throwing
 * listener, dropped items) and, once, the fatal error right before `closed`.
 */
export interface SessionEvents {
  connecting: [ConnectingEvent];
  connected: [ConnectedEvent];
  reconnecting: [ReconnectingEvent];
  disconnected: [DisconnectedEvent];
  error: [Error];
  closed: [ClosedEvent];
}

/** Counters of one session (bounded: numbers only). */
export interface SessionStats {
  /** Connect tries, failed or not. */
  attempts: number;
  /** Accepted connections. */
  connections: number;
  /** Items handed to `deliver()`. */
  delivered: number;
  /** Items the consumer took from the iterator. */
  consumed: number;
  /** Items dropped by `overflow: 'drop-oldest'` (each one also counted in an `error` report). */
  dropped: number;
  /** Items waiting in the buffer now. */
  buffered: number;
  /** The largest the buffer has been. */
  maxBuffered: number;
}
