import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Clock, TimerOptions } from '../clock.js';
import { AbortError, TimeoutError, XError } from '../errors.js';
import { createTestClock, type TestClock } from '../testing/clock.js';
import type { ConnectAttempt, ConnectionContext } from './context.js';
import { createSession } from './create-session.js';
import { SessionError } from './errors.js';
import type { SessionEvents } from './events.js';
import { isFatalByDefault } from './fatal.js';
import type { SessionOptions } from './options.js';
import { Session } from './session.js';
import { deliverAll, dropAfter, dropAtOnce, holdOpen, scriptedHooks, type FakeConnection, type Script } from './test-support.js';

type Recorded = { event: keyof SessionEvents; payload: unknown };

/** Every lifecycle event, in order. */
function record(session: Session<unknown, unknown>): Recorded[] {
  const events: Recorded[] = [];
  for (const event of ['connecting', 'connected', 'reconnecting', 'disconnected', 'error', 'closed'] as const) {
    session.on(event, (payload: unknown) => events.push({ event, payload }));
  }
  return events;
}

/** Resolves on the next `event`. */
function next<K extends keyof SessionEvents>(session: Session<unknown, unknown>, event: K): Promise<SessionEvents[K][0]> {
  return new Promise((resolve) => session.once(event, ((payload: SessionEvents[K][0]) => resolve(payload)) as never));
}

const linear = { initialDelayInMs: 100, maxDelayInMs: 10_000, factor: 2, jitter: 'none' } as const;
const reset = (): Error => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });

function make(clock: TestClock, connects: Array<Error | 'ok' | 'hang'>, scripts: Script[], options: SessionOptions = {}) {
  const source = scriptedHooks(clock, connects, scripts);
  const session = createSession(source.hooks, { clock, reconnect: linear, stableAfterInMs: 1000, ...options });
  return { session, ...source };
}

const open: Array<Session<unknown, unknown>> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
  vi.restoreAllMocks();
});

describe('reconnect backoff', () => {
  it('keeps growing while accepted connections drop before they are stable', async () => {
    const clock = createTestClock();
    const { session, connections } = make(clock, ['ok'], [dropAtOnce]);
    open.push(session);
    const delays: number[] = [];
    const attempts: number[] = [];
    session.on('reconnecting', (e) => {
      delays.push(e.delayInMs);
      if (delays.length === 8) void session.close();
    });
    session.on('connecting', (e) => attempts.push(e.attempt));
    const disconnects: unknown[] = [];
    session.on('disconnected', (e) => disconnects.push([e.connection, e.reason, e.stable, e.error?.message]));
    await session.start();
    await session.done;
    expect(delays).toEqual([100, 200, 400, 800, 1600, 3200, 6400, 10_000]);
    expect(attempts).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(clock.now()).toBe(100 + 200 + 400 + 800 + 1600 + 3200 + 6400);
    expect(disconnects.slice(0, 2)).toEqual([
      [1, 'failed', false, 'read ECONNRESET'],
      [2, 'failed', false, 'read ECONNRESET'],
    ]);
    expect(connections.every((c) => c.released !== undefined)).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it('grows on failed connects and resets after a connection that stayed up for stableAfterInMs', async () => {
    const clock = createTestClock();
    const { session } = make(clock, [reset(), reset(), 'ok'], [dropAfter(999), dropAfter(1000), dropAtOnce]);
    open.push(session);
    const seen: unknown[] = [];
    session.on('reconnecting', (e) => seen.push(['reconnecting', e.attempt, e.delayInMs]));
    session.on('disconnected', (e) => seen.push(['disconnected', e.stable]));
    session.on('reconnecting', () => seen.length >= 8 && void session.close());
    await session.start();
    await session.done;
    expect(seen).toEqual([
      ['reconnecting', 1, 100],
      ['reconnecting', 2, 200],
      ['disconnected', false], // up 999 ms: not stable, the backoff keeps growing
      ['reconnecting', 3, 400],
      ['disconnected', true], // up 1000 ms: stable, back to the first delay
      ['reconnecting', 1, 100],
      ['disconnected', false],
      ['reconnecting', 2, 200],
    ]);
  });

  it('resets after a connection that delivered an item', async () => {
    const clock = createTestClock();
    const deliverThenDrop: Script = (_conn, ctx) => {
      ctx.deliver(7);
      return Promise.reject(reset());
    };
    const { session } = make(clock, ['ok'], [dropAtOnce, dropAtOnce, deliverThenDrop, dropAtOnce], { overflow: 'drop-oldest' });
    open.push(session);
    const delays: number[] = [];
    session.on('reconnecting', (e) => delays.push(e.delayInMs) === 5 && void session.close());
    await session.start();
    await session.done;
    expect(delays).toEqual([100, 200, 100, 200, 400]);
  });

  it('reconnect: false ends the session when the connection is lost', async () => {
    const clock = createTestClock();
    const ended: Script = () => Promise.resolve();
    const { session } = make(clock, ['ok'], [ended], { reconnect: false });
    const events = record(session);
    await session.start();
    const error = await session.done.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SessionError);
    expect((error as SessionError).code).toBe('SESSION_CONNECTION_LOST');
    expect(events.map((e) => e.event)).toEqual(['connecting', 'connected', 'disconnected', 'error', 'closed']);
    expect(events[2]?.payload).toEqual({ connection: 1, reason: 'ended', error: undefined, stable: false });
  });
});

describe('close', () => {
  it('from inside a connected listener and from inside run() returns without waiting for itself', async () => {
    // A clock that never fires: nothing may depend on a timer to finish closing.
    const clock = createTestClock({ auto: false });
    let closedFromRun: Promise<void> | undefined;
    const { session, connections } = make(clock, ['ok'], [
      async (_conn, _ctx) => {
        closedFromRun = session.close();
        await closedFromRun; // would deadlock if close() waited for run() to return
      },
    ]);
    const events = record(session);
    let fromListener: Promise<void> | undefined;
    session.once('connected', () => {
      fromListener = session.close();
    });
    await session.start();
    await session.done;
    await fromListener;
    expect(closedFromRun).toBeUndefined(); // the listener closed first: run() never started
    expect(session.state).toBe('closed');
    expect(connections[0]?.released).toBe('closed');
    expect(events.map((e) => e.event)).toEqual(['connecting', 'connected', 'disconnected', 'closed']);
    expect(events[2]?.payload).toEqual({ connection: 1, reason: 'closed', error: undefined, stable: false });
    expect(clock.pending).toBe(0);
  });

  it('from inside run(), awaited there', async () => {
    const clock = createTestClock({ auto: false });
    const { session, connections } = make(clock, ['ok'], [
      async (_conn, ctx) => {
        ctx.deliver(1);
        await session.close();
      },
    ], { overflow: 'drop-oldest' });
    await session.start();
    await session.done;
    expect(connections[0]?.released).toBe('closed');
    // The buffered item can still be read after close, then the iterator ends.
    const items: number[] = [];
    for await (const item of session) items.push(item);
    expect(items).toEqual([1]);
  });

  it('during a reconnect wait: clears the timer, no more tries', async () => {
    const clock = createTestClock({ auto: false });
    const { session, tries } = make(clock, [reset()], [holdOpen], { reconnect: { ...linear, initialDelayInMs: 5000 } });
    const events = record(session);
    void session.start();
    await next(session, 'reconnecting');
    expect(clock.pending).toBe(1);
    await session.close();
    expect(clock.pending).toBe(0);
    clock.advance(60_000);
    expect(tries()).toBe(1);
    expect(events.map((e) => e.event)).toEqual(['connecting', 'reconnecting', 'closed']);
    await expect(session.start()).rejects.toThrow('the session was closed before it connected');
    await expect(session.done).resolves.toBeUndefined();
  });

  it('is idempotent, also through Symbol.asyncDispose, and closing an unstarted session ends it', async () => {
    const clock = createTestClock();
    const { session, tries } = make(clock, ['ok'], [holdOpen]);
    const closed = vi.fn();
    session.on('closed', closed);
    await Promise.all([session.close(), session.close(), session[Symbol.asyncDispose]()]);
    expect(closed).toHaveBeenCalledTimes(1);
    expect(tries()).toBe(0);
    await expect(session.start()).rejects.toBeInstanceOf(AbortError);
  });

  it('while connect() hangs: aborts it, releases a late connection', async () => {
    const clock = createTestClock({ auto: false });
    let resolveLate: (c: FakeConnection) => void = () => undefined;
    const released: string[] = [];
    const session = createSession<FakeConnection, number>(
      {
        connect: ({ signal }: ConnectAttempt) => {
          expect(signal.aborted).toBe(false);
          return new Promise<FakeConnection>((resolve) => (resolveLate = resolve));
        },
        run: () => Promise.resolve(),
        disconnect: (c, reason) => void released.push(`${c.id}:${reason}`),
      },
      { clock, overflow: 'drop-oldest' },
    );
    void session.start();
    await next(session, 'connecting');
    await session.close();
    resolveLate({ id: 9 } as FakeConnection);
    await vi.waitFor(() => expect(released).toEqual(['9:closed']));
  });
});

describe('signal', () => {
  it('aborting closes the session and leaves no listener on the shared signal', async () => {
    const clock = createTestClock();
    const shared = new AbortController();
    const a = make(clock, ['ok'], [holdOpen], { signal: shared.signal });
    const b = make(clock, ['ok'], [holdOpen], { signal: shared.signal });
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(2);
    await Promise.all([a.session.start(), b.session.start()]);
    await a.session.close(); // closed another way: its listener goes too
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(1);
    shared.abort(new Error('shutdown'));
    await b.session.done;
    expect(b.session.state).toBe('closed');
    expect(b.connections[0]?.released).toBe('closed');
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(0);
    expect(clock.pending).toBe(0);
  });

  it('an already aborted signal gives a closed session that never connects', async () => {
    const clock = createTestClock();
    const { session, tries } = make(clock, ['ok'], [holdOpen], { signal: AbortSignal.abort() });
    expect(session.state).toBe('closed');
    await expect(session.start()).rejects.toBeInstanceOf(AbortError);
    await expect(session.done).resolves.toBeUndefined();
    expect(tries()).toBe(0);
  });
});

describe('fatal errors', () => {
  class FakeAuthError extends XError {
    constructor() {
      super('token refused', { code: 'AUTH', category: 'auth' });
    }
  }

  it('an auth failure on connect: error emitted, closed, done and start() reject; no reconnect', async () => {
    const clock = createTestClock();
    const failure = new FakeAuthError();
    const { session, tries } = make(clock, [failure], [holdOpen]);
    const events = record(session);
    await expect(session.start()).rejects.toBe(failure);
    await expect(session.done).rejects.toBe(failure);
    expect(events).toEqual([
      { event: 'connecting', payload: { attempt: 1 } },
      { event: 'error', payload: failure },
      { event: 'closed', payload: { error: failure } },
    ]);
    expect(tries()).toBe(1);
    expect(clock.pending).toBe(0);
  });

  it('a fatal error inside run() ends a connected session (it never sits connected)', async () => {
    const clock = createTestClock();
    class SeplAuthError extends Error {
      override name = 'SeplAuthError';
    }
    const failure = new SeplAuthError('credentials rejected');
    const { session } = make(clock, ['ok'], [() => Promise.reject(failure)]);
    const events = record(session);
    await session.start();
    await expect(session.done).rejects.toBe(failure);
    expect(session.state).toBe('closed');
    expect(events.map((e) => e.event)).toEqual(['connecting', 'connected', 'disconnected', 'error', 'closed']);
  });

  it('with no error listener: no crash, done rejects, and the process hears a warning', async () => {
    const clock = createTestClock();
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const failure = Object.assign(new Error('bad input'), { category: 'input' });
    const { session } = make(clock, [failure], [holdOpen]);
    void session.start();
    await expect(session.done).rejects.toBe(failure);
    expect(warn).toHaveBeenCalledWith(failure);
  });

  it('with a logger and no listener: the logger hears it (name and code, no more)', async () => {
    const clock = createTestClock();
    const lines: unknown[] = [];
    const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (m: string, f: unknown) => void lines.push([m, f]) };
    const failure = new FakeAuthError();
    const { session } = make(clock, [failure], [holdOpen], { logger, name: 'push 42' });
    void session.start();
    await expect(session.done).rejects.toBe(failure);
    expect(lines).toEqual([['push 42: ended by a fatal error: token refused', { error: 'FakeAuthError', code: 'AUTH' }]]);
  });

  it('isFatalByDefault: category decides, else a name that says authentication', () => {
    expect(isFatalByDefault(Object.assign(new Error('x'), { category: 'auth' }))).toBe(true);
    expect(isFatalByDefault(Object.assign(new Error('x'), { category: 'input' }))).toBe(true);
    expect(isFatalByDefault(Object.assign(new Error('x'), { category: 'transient', name: 'AuthError' }))).toBe(false);
    expect(isFatalByDefault(Object.assign(new Error('x'), { name: 'PushAuthenticationError' }))).toBe(true);
    expect(isFatalByDefault(new TypeError('fetch failed'))).toBe(false);
    expect(isFatalByDefault('auth')).toBe(false);
    expect(isFatalByDefault(null)).toBe(false);
  });

  it('a custom isFatal hook decides, and one that throws is reported and treated as retryable', async () => {
    const clock = createTestClock();
    const source = scriptedHooks(clock, [new Error('E1'), new Error('E2')], [holdOpen]);
    let calls = 0;
    const session = createSession(
      {
        ...source.hooks,
        isFatal: (e) => {
          calls += 1;
          if (calls === 1) throw new Error('classifier broke');
          return e.message === 'E2';
        },
      },
      { clock, reconnect: linear },
    );
    const errors: string[] = [];
    session.on('error', (e) => errors.push(e.message));
    void session.start();
    await expect(session.done).rejects.toThrow('E2');
    expect(errors).toEqual(['classifier broke', 'E2']);
  });
});

describe('iterator and backpressure', () => {
  it("pause: reading pauses at highWaterMark, resumes at half, nothing is dropped, items are acknowledged on their connection", async () => {
    const clock = createTestClock();
    const items = Array.from({ length: 20 }, (_, i) => i);
    const source = scriptedHooks(clock, ['ok'], [deliverAll(items)]);
    const transitions: Array<[string, number]> = [];
    const session: Session<FakeConnection, number> = createSession(
      {
        ...source.hooks,
        pause: (c) => (transitions.push(['pause', session.stats.buffered]), c.pause()),
        resume: (c) => (transitions.push(['resume', session.stats.buffered]), c.resume()),
      },
      { clock, highWaterMark: 4 },
    );
    open.push(session);
    const conn = (): FakeConnection => source.connections[0] as FakeConnection;
    await session.start();
    await vi.waitFor(() => expect(conn().paused).toBe(true));
    expect(session.stats.buffered).toBe(4);
    const got: number[] = [];
    for await (const item of session) {
      got.push(item);
      if (got.length === 20) break;
    }
    expect(got).toEqual(items);
    expect(session.stats.maxBuffered).toBe(4);
    expect(session.stats.dropped).toBe(0);
    // Pauses at 4 buffered, resumes once the consumer took the buffer down to 2 (half of 4).
    expect(transitions.slice(0, 2)).toEqual([
      ['pause', 4],
      ['resume', 2],
    ]);
    expect(transitions.every(([what, n], i) => what === (i % 2 === 0 ? 'pause' : 'resume') && n === (what === 'pause' ? 4 : 2))).toBe(true);
    // Each item is acknowledged once the consumer asks for the next; the one in hand at `break` is not.
    expect(conn().acked).toEqual(items.slice(0, 19));
    expect(session.state).toBe('closed');
  });

  it('drop-oldest: the buffer holds highWaterMark, the oldest are dropped, counted and reported once per run', async () => {
    const clock = createTestClock();
    const burst: Script = async (_conn, ctx) => {
      for (let i = 0; i < 10; i++) ctx.deliver(i);
      await holdOpen(_conn, ctx, clock);
    };
    const { session } = make(clock, ['ok'], [burst], { highWaterMark: 3, overflow: 'drop-oldest' });
    const reports: unknown[] = [];
    session.on('error', (e) => reports.push([e.name, (e as SessionError).code, (e as SessionError).dropped]));
    await session.start();
    await vi.waitFor(() => expect(session.stats.delivered).toBe(10));
    expect(session.stats).toEqual({ attempts: 1, connections: 1, delivered: 10, consumed: 0, dropped: 7, buffered: 3, maxBuffered: 3 });
    expect(reports).toEqual([['SessionError', 'SESSION_OVERFLOW', 1]]);
    await session.close();
    const got: number[] = [];
    for await (const item of session) got.push(item);
    expect(got).toEqual([7, 8, 9]);
  });

  it('after a fatal error, buffered items are yielded, then the error is thrown', async () => {
    const clock = createTestClock();
    const failure = Object.assign(new Error('revoked'), { category: 'auth' });
    const script: Script = (_conn, ctx) => {
      ctx.deliver(1);
      ctx.deliver(2);
      return Promise.reject(failure);
    };
    const { session } = make(clock, ['ok'], [script], { overflow: 'drop-oldest' });
    session.on('error', () => undefined);
    const got: number[] = [];
    await expect(
      (async () => {
        for await (const item of session) got.push(item);
      })(),
    ).rejects.toBe(failure);
    expect(got).toEqual([1, 2]);
  });

  it('one consumer at a time; deliver() after the end is refused', async () => {
    const clock = createTestClock();
    let ctxSeen: ConnectionContext<number> | undefined;
    const { session } = make(clock, ['ok'], [
      (conn, ctx) => {
        ctxSeen = ctx;
        return holdOpen(conn, ctx, clock);
      },
    ]);
    const it1 = session[Symbol.asyncIterator]();
    expect(() => session[Symbol.asyncIterator]()).toThrow('one consumer at a time');
    await vi.waitFor(() => expect(ctxSeen).toBeDefined());
    expect(ctxSeen?.deliver(1)).toBe(true);
    expect(await it1.next()).toEqual({ done: false, value: 1 });
    await session.close();
    expect(ctxSeen?.deliver(2)).toBe(false);
    expect(await it1.next()).toEqual({ done: true, value: undefined });
  });
});

describe('watchdogs and timers', () => {
  /** A clock that records the options of every timer. */
  function recording(clock: TestClock): { clock: Clock; timers: Array<[number, TimerOptions | undefined]> } {
    const timers: Array<[number, TimerOptions | undefined]> = [];
    return {
      timers,
      clock: {
        now: () => clock.now(),
        setTimeout: (cb, ms, options) => (timers.push([ms, options]), clock.setTimeout(cb, ms, options)),
        clearTimeout: (h) => clock.clearTimeout(h),
      },
    };
  }

  it('a reconnect wait holds the process; stability and idle timers are housekeeping', async () => {
    const test = createTestClock();
    const { clock, timers } = recording(test);
    const source = scriptedHooks(test, ['ok'], [dropAfter(10)]);
    const session = createSession(source.hooks, { clock, reconnect: linear, stableAfterInMs: 1000, idleTimeoutInMs: 5000, connectTimeoutInMs: 0 });
    await session.start();
    await next(session, 'reconnecting');
    await session.close();
    expect(timers.slice(0, 3)).toEqual([
      [1000, { keepAlive: false }], // stable after
      [5000, { keepAlive: false }], // idle watchdog
      [100, undefined], // the reconnect wait: ref'd (systemClock's default)
    ]);
    expect(test.pending).toBe(0);
  });

  it('a stalled connection is dropped after idleTimeoutInMs and the session reconnects', async () => {
    const clock = createTestClock();
    const { session, connections } = make(clock, ['ok'], [holdOpen], { idleTimeoutInMs: 3000 });
    const disconnected = next(session, 'disconnected');
    await session.start();
    const event = await disconnected;
    expect(event.reason).toBe('stalled');
    expect(event.error).toBeInstanceOf(TimeoutError);
    expect(event.error?.message).toBe('nothing arrived for 3000 ms');
    expect(connections[0]?.released).toBe('stalled');
    await next(session, 'connected');
    await session.close();
  });

  it('a connect that takes longer than connectTimeoutInMs is aborted and retried', async () => {
    const clock = createTestClock();
    const { session } = make(clock, ['hang', 'ok'], [holdOpen], { connectTimeoutInMs: 2000 });
    const reconnecting = next(session, 'reconnecting');
    await session.start();
    const event = await reconnecting;
    expect(event.error).toBeInstanceOf(TimeoutError);
    expect(event.error?.message).toBe('no connection within 2000 ms');
    expect(clock.now()).toBe(2100);
    await session.close();
  });

  it('a throwing listener is reported, the loop goes on', async () => {
    const clock = createTestClock();
    const { session } = make(clock, ['ok'], [holdOpen]);
    const errors: string[] = [];
    session.on('error', (e) => errors.push(e.message));
    session.on('connected', () => {
      throw new Error('listener bug');
    });
    await session.start();
    expect(errors).toEqual(['listener bug']);
    expect(session.state).toBe('connected');
    await session.close();
  });
});

describe('options', () => {
  const hooks = scriptedHooks(createTestClock(), ['ok'], [holdOpen]).hooks;

  it.each([
    [{ stableAfterInMs: -1 }, RangeError, /^stableAfterInMs must be from 0 to 2147483647 ms/],
    [{ idleTimeoutInMs: 2 ** 31 }, RangeError, /^idleTimeoutInMs must be from 0/],
    [{ connectTimeoutInMs: Infinity }, RangeError, /^connectTimeoutInMs must be from 0/],
    [{ connectTimeoutInMs: '5' }, TypeError, /^connectTimeoutInMs must be a number of milliseconds/],
    [{ highWaterMark: 0 }, RangeError, /^highWaterMark must be an integer >= 1, got 0$/],
    [{ overflow: 'drop-newest' }, RangeError, /^overflow must be 'pause' or 'drop-oldest'/],
    [{ reconnect: { maxDelayInMs: -5 } }, RangeError, /^reconnect.maxDelayInMs must be from 0/],
    [{ reconnect: { factor: 0.5 } }, RangeError, /^reconnect.factor must be a finite number >= 1, got 0.5$/],
    [{ reconnect: { jitter: 'some' } }, RangeError, /^reconnect.jitter must be/],
    [{ reconnect: true }, TypeError, /^reconnect must be an object or false$/],
    [{ signal: {} }, TypeError, /^signal must be an AbortSignal$/],
    [{ random: 3 }, TypeError, /^random must be a function$/],
  ])('%j is refused', (options, type, message) => {
    expect(() => createSession(hooks, options as SessionOptions)).toThrow(type);
    expect(() => createSession(hooks, options as SessionOptions)).toThrow(message);
  });

  it('pause needs pause and resume hooks, in the factory and in a subclass', () => {
    const { connect, run } = { connect: () => Promise.resolve(1), run: () => Promise.resolve() };
    expect(() => createSession({ connect, run })).toThrow(/hooks.pause and hooks.resume are required/);
    expect(() => createSession({ connect, run: 5 } as never)).toThrow('hooks.run must be a function');
    expect(() => createSession(null as never)).toThrow('hooks must be an object');
    class NoPause extends Session<number, number> {
      protected override connect(): Promise<number> {
        return Promise.resolve(1);
      }
      protected override run(): Promise<void> {
        return Promise.resolve();
      }
    }
    expect(() => new NoPause()).toThrow(TypeError);
    expect(new NoPause({ overflow: 'drop-oldest' }).state).toBe('idle');
  });
});
