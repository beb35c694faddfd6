/** A session from plain functions, for protocols that need no class of their own. */
import type { ConnectAttempt, ConnectionContext } from './context.js';
import type { DisconnectReason } from './events.js';
import { isFatalByDefault } from './fatal.js';
import type { SessionOptions } from './options.js';
import { Session } from './session.js';

/** The steps of Session, as functions (see the methods of the same names). */
export interface SessionHooks<TConnection, TItem> {
  /** Opens the connection; throw (or reject) to have it retried, or end the session per `isFatal`. */
  connect(attempt: ConnectAttempt): Promise<TConnection> | TConnection;
  /**
   * Reads the connection until it ends: return when the peer closed it normally, throw on an
   * error. Call `context.deliver(item)` for each item; honour `context.signal`.
   */
  run(connection: TConnection, context: ConnectionContext<TItem>): Promise<void>;
  /** Releases a connection (close the socket). Called once per connection; must not wait for `run`. */
  disconnect?(connection: TConnection, reason: DisconnectReason): void | Promise<void>;
  /** Required with the default `overflow: 'pause'`, as is `resume`. */
  pause?(connection: TConnection): void;
  /** Read again after `pause`. */
  resume?(connection: TConnection): void;
  /**
   * The consumer is done with an item. `connection` is the live connection that delivered it, or
   * undefined when that one is gone (the server will replay).
   */
  acknowledge?(item: TItem, connection: TConnection | undefined): void;
  /** Whether an error of `connect`/`run` ends the session instead of a reconnect. Default {@link isFatalByDefault}. */
  isFatal?(error: Error): boolean;
}

const HOOK_NAMES = ['connect', 'run', 'disconnect', 'pause', 'resume', 'acknowledge', 'isFatal'] as const;

function checkHooks(hooks: unknown, options: SessionOptions): asserts hooks is SessionHooks<unknown, unknown> {
  if (typeof hooks !== 'object' || hooks === null) throw new TypeError('hooks must be an object');
  const h = hooks as Record<string, unknown>;
  for (const name of HOOK_NAMES) {
    const required = name === 'connect' || name === 'run';
    if ((required || h[name] !== undefined) && typeof h[name] !== 'function') throw new TypeError(`hooks.${name} must be a function`);
  }
  if ((options.overflow ?? 'pause') === 'pause' && (h.pause === undefined || h.resume === undefined)) {
    throw new TypeError("hooks.pause and hooks.resume are required with overflow 'pause'; or pass overflow: 'drop-oldest'");
  }
}

class HookSession<TConnection, TItem> extends Session<TConnection, TItem> {
  readonly #hooks: SessionHooks<TConnection, TItem>;

  constructor(hooks: SessionHooks<TConnection, TItem>, options: SessionOptions) {
    super(options);
    this.#hooks = hooks;
  }

  protected override async connect(attempt: ConnectAttempt): Promise<TConnection> {
    return this.#hooks.connect(attempt);
  }

  protected override run(connection: TConnection, context: ConnectionContext<TItem>): Promise<void> {
    return this.#hooks.run(connection, context);
  }

  protected override disconnect(connection: TConnection, reason: DisconnectReason): void | Promise<void> {
    return this.#hooks.disconnect?.(connection, reason);
  }

  protected override pause(connection: TConnection): void {
    this.#hooks.pause?.(connection);
  }

  protected override resume(connection: TConnection): void {
    this.#hooks.resume?.(connection);
  }

  protected override acknowledge(item: TItem, connection: TConnection | undefined): void {
    this.#hooks.acknowledge?.(item, connection);
  }

  protected override isFatal(error: Error): boolean {
    return this.#hooks.isFatal ? this.#hooks.isFatal(error) : isFatalByDefault(error);
  }
}

/**
 * A Session whose steps are `hooks`. Not started: call `start()`, or iterate it.
 *
 * ```ts
 * const session = createSession<Socket, Frame>({ connect, run, disconnect, pause, resume }, { signal });
 * for await (const frame of session) handle(frame);
 * ```
 */
export function createSession<TConnection, TItem>(hooks: SessionHooks<TConnection, TItem>, options: SessionOptions = {}): Session<TConnection, TItem> {
  checkHooks(hooks, options ?? {});
  return new HookSession(hooks, options);
}
