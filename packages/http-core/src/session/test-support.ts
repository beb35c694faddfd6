// Shared by the session tests (not part of the published API): a scriptable in-memory connection.
import { sleep } from '../sleep.js';
import type { Clock } from '../clock.js';
import type { ConnectionContext } from './context.js';
import type { DisconnectReason } from './events.js';
import type { SessionHooks } from './create-session.js';

export class FakeConnection {
  paused = false;
  released: DisconnectReason | undefined;
  readonly acked: number[] = [];
  #resumed: (() => void) | undefined;

  constructor(readonly id: number) {}

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.#resumed?.();
    this.#resumed = undefined;
  }

  /** Resolves when the session resumes reading (at once when not paused). */
  whenReadable(signal: AbortSignal): Promise<void> {
    if (!this.paused || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      // The abort listener goes when the wait ends either way, so a long-lived signal collects none.
      const onAbort = (): void => resolve();
      this.#resumed = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** What a `run()` script may do with its connection. */
export type Script = (conn: FakeConnection, ctx: ConnectionContext<number>, clock: Clock) => Promise<void>;

/** Hooks whose `connect` answers from `connects` (an Error fails the try) and whose `run` plays `scripts` in turn. */
export function scriptedHooks(clock: Clock, connects: Array<Error | 'ok' | 'hang'>, scripts: Script[]) {
  const connections: FakeConnection[] = [];
  let tries = 0;
  let runs = 0;
  const hooks: SessionHooks<FakeConnection, number> = {
    connect: ({ signal }) => {
      const plan = connects[Math.min(tries, connects.length - 1)] ?? 'ok';
      tries += 1;
      if (plan instanceof Error) return Promise.reject(plan);
      if (plan === 'hang') return new Promise<FakeConnection>(() => undefined);
      if (signal.aborted) return Promise.reject(new Error('aborted'));
      const conn = new FakeConnection(connections.length + 1);
      connections.push(conn);
      return Promise.resolve(conn);
    },
    run: (conn, ctx) => {
      const script = scripts[Math.min(runs, scripts.length - 1)];
      runs += 1;
      return script ? script(conn, ctx, clock) : Promise.resolve();
    },
    disconnect: (conn, reason) => {
      conn.released = reason;
    },
    pause: (conn) => conn.pause(),
    resume: (conn) => conn.resume(),
    acknowledge: (item, conn) => {
      conn?.acked.push(item);
    },
  };
  return { hooks, connections, tries: () => tries };
}

/** Stays up until the session gives the connection up. */
export const holdOpen: Script = (_conn, ctx) =>
  new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));

/** Drops at once (accepted, then a reset before anything arrived). */
export const dropAtOnce: Script = () => Promise.reject(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));

/** Stays up `ms`, then drops. */
export const dropAfter =
  (ms: number): Script =>
  async (_conn, ctx, clock) => {
    await sleep(ms, ctx.signal, clock).catch(() => undefined);
    throw new Error('dropped');
  };

/** Delivers `items` honouring pauses, then stays up. */
export const deliverAll =
  (items: number[]): Script =>
  async (conn, ctx) => {
    for (const item of items) {
      await conn.whenReadable(ctx.signal);
      if (ctx.signal.aborted) return;
      ctx.deliver(item);
    }
    await holdOpen(conn, ctx, undefined as never);
  };
