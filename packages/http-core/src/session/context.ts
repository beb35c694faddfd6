/** What a session hands to its `connect()` and `run()` steps. */

/** One try to connect. */
export interface ConnectAttempt {
  /** Aborts when the session closes or `connectTimeoutInMs` passes; pass it to the socket/request. */
  readonly signal: AbortSignal;
  /** 1 for the first try after start or after a stable connection, then 2, 3, … */
  readonly attempt: number;
}

/** The session's side of one accepted connection, for `run()`. */
export interface ConnectionContext<TItem> {
  /**
   * Aborts when the session gives this connection up (close, stall, fatal error); `run()` should
   * then return soon. The session does not wait for it: it calls `disconnect()` right away.
   */
  readonly signal: AbortSignal;
  /** This connection's number (1, 2, …), as in the `connected` and `disconnected` events. */
  readonly connection: number;
  /** Whether the session asked this connection to stop reading (backpressure). */
  readonly paused: boolean;
  /**
   * Hands an item to the consumer (the async iterator). Marks the connection stable and alive.
   * Returns false when the session has ended and the item was not taken.
   */
  deliver(item: TItem): boolean;
  /** Something arrived that is not an item (a ping, a keep-alive): resets the idle watchdog. */
  alive(): void;
  /** Marks the connection stable without an item (e.g. the server confirmed a subscription). */
  stable(): void;
  /** Reports a non-fatal problem (a skipped frame) on the `error` event; the connection goes on. */
  report(error: unknown): void;
}
