// Soak: SeplSession for 30 simulated minutes on the fake clock against an in-memory G2 platform
// under a seeded fault schedule (refused connects, unanswered requests, accepted-then-dropped
// connections, garbage frames, a slow consumer), ending with a credential refusal. At the end every
// command the platform sent was consumed once and in order, the backoff followed its rule (only a
// stable connection resets it: accept-then-drop makes it grow), every connection was released,
// no timer was left behind and nothing grew without bound.
import { createTestClock, type TestClock, seededRandom as seeded } from '@x/http-core/testing';
import { sleep } from '@x/http-core';
import { describe, expect, it } from 'vitest';
import type { SeplCommand } from './command.js';
import { SeplSession, type SeplSessionSteps } from './session.js';
import type { SeplSocket, SocketEnd } from './socket.js';


const MINUTES = 30;

/** The client's end of one in-memory websocket: frames from the platform wait while reading is paused. */
class FakeSocket implements SeplSocket {
  readonly ended: Promise<SocketEnd>;
  isOpen = true;
  pauseRequested = false;
  #holds = 0;
  #handler: (text: string) => void = () => undefined;
  #resolveEnd: (end: SocketEnd) => void = () => undefined;
  readonly #inbox: string[] = [];
  /** Frames the platform sent that the client never read (the connection ended first). */
  readonly unread: string[] = [];

  constructor(readonly receive: (socket: FakeSocket, text: string) => void) {
    this.ended = new Promise((resolve) => (this.#resolveEnd = resolve));
  }

  onText(handler: (text: string) => void): void {
    this.#handler = handler;
  }

  send(text: string): Promise<void> {
    if (!this.isOpen) return Promise.reject(new Error('websocket is not open'));
    this.receive(this, text);
    return Promise.resolve();
  }

  /** The platform sends a frame. */
  push(text: string): void {
    if (!this.isOpen) return;
    this.#inbox.push(text);
    this.#flush();
  }

  get waiting(): number {
    return this.#inbox.length;
  }

  close(code = 1000, reason = ''): Promise<SocketEnd> {
    this.end(code, reason);
    return this.ended;
  }

  end(code: number, reason: string, error?: Error): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.unread.push(...this.#inbox.splice(0));
    this.#resolveEnd(error ? { code, reason, error } : { code, reason });
  }

  pause(): void {
    this.pauseRequested = true;
  }

  resume(): void {
    this.pauseRequested = false;
    this.#flush();
  }

  hold(): () => void {
    this.#holds += 1;
    this.#flush();
    return () => void (this.#holds -= 1);
  }

  fail(error: Error): void {
    this.end(1006, '', error);
  }

  #flush(): void {
    while (this.isOpen && this.#inbox.length > 0 && !(this.pauseRequested && this.#holds === 0)) this.#handler(this.#inbox.shift() as string);
  }
}

/** The platform: answers the handshake and requests (or not), then sends commands until it drops the connection. */
function platform(clock: TestClock, random: () => number, endAt: number) {
  const sent: string[] = [];
  const sockets: FakeSocket[] = [];
  const faults = { refused: 0, unanswered: 0, acceptThenDrop: 0, dropped: 0, garbage: 0 };
  let refuseCredentials = false;
  let live: FakeSocket | undefined;
  let ids = 0;

  const answer = (socket: FakeSocket, token: string, status: number, payload: unknown): void => {
    clock.setTimeout(() => socket.push(JSON.stringify({ status, handler: 'response', token, content_type: typeof payload === 'string' ? 'string' : 'map', payload })), 5);
  };
  const command = (socket: FakeSocket): void => {
    const taskId = `task-${++ids}`;
    sent.push(taskId);
    const payload = { worker_id: 'w', task_id: taskId, device_url: 'lamp', service_url: 'on', protocol_parts: null, device_instance_id: 'iot#1', service_name: 'on', output_name: 'o', time: '0' };
    socket.push(JSON.stringify({ handler: 'command', content_type: 'map', payload }));
  };
  const serve = (socket: FakeSocket): void => {
    live = socket;
    if (random() < 0.25) {
      faults.acceptThenDrop += 1;
      clock.setTimeout(() => socket.end(1006, ''), 50);
      return;
    }
    const dropAt = Math.min(clock.now() + 1000 + random() * 120_000, endAt);
    const tick = (): void => {
      if (!socket.isOpen) return;
      if (clock.now() >= dropAt) {
        faults.dropped += 1;
        socket.end(1006, '');
        return;
      }
      if (random() < 0.05) {
        faults.garbage += 1;
        socket.push('not json at all');
      } else if (socket.waiting < 50) {
        command(socket);
      }
      clock.setTimeout(tick, 200 + random() * 1800);
    };
    clock.setTimeout(tick, 100);
  };
  const receive = (socket: FakeSocket, text: string): void => {
    const frame = JSON.parse(text) as { handler?: string; token: string; user?: string };
    if (frame.token === 'credentials') {
      if (refuseCredentials) answer(socket, 'credentials', 400, 'invalid credentials');
      else answer(socket, 'credentials', 200, { gid: 'gw-1', hash: 'h' });
      return;
    }
    if (random() < 0.15) {
      faults.unanswered += 1;
      return;
    }
    answer(socket, frame.token, 200, 'ok');
    if (frame.handler === 'commit') clock.setTimeout(() => serve(socket), 6);
  };
  const open = (): Promise<FakeSocket> => {
    if (random() < 0.1) {
      faults.refused += 1;
      return Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    }
    const socket = new FakeSocket(receive);
    sockets.push(socket);
    return Promise.resolve(socket);
  };
  const refuse = (): void => {
    refuseCredentials = true;
    live?.end(1006, '');
  };
  /** Commands in flight when their connection dropped (lost on the wire, as with TCP). */
  const unread = (): string[] =>
    sockets.flatMap((s) => s.unread.flatMap((t) => (t.startsWith('{') ? [(JSON.parse(t) as { payload?: { task_id?: string } }).payload?.task_id ?? ''] : []))).filter((id) => id !== '');
  return { sent, faults, open, refuse, unread };
}

async function soak(seed: number) {
  const clock = createTestClock();
  const random = seeded(seed);
  const endAt = MINUTES * 60_000;
  const p = platform(clock, random, endAt);
  const steps: SeplSessionSteps = {
    protocol: 'g2',
    websocketUrl: () => Promise.resolve(new URL('ws://platform.invalid/')),
    socketOptions: { connectTimeoutInMs: 1000, pingAfterInMs: 15_000, pongTimeoutInMs: 15_000 },
    openSocket: () => p.open(),
    handshake: async (opening) => {
      if (opening.kind !== 'g2') throw new Error('g2 only');
      const hello = await opening.protocol.handshake('gw', 'pw', undefined, 2000);
      await opening.protocol.request('commit', 'h', 1000);
      return { protocol: 'g2', gatewayId: hello.gatewayId, hash: 'h', resynced: false, url: opening.url.href };
    },
  };
  const session = new SeplSession(steps, {
    clock,
    random,
    reconnect: { initialDelayInMs: 1000, maxDelayInMs: 60_000, jitter: 'none' },
    stableAfterInMs: 30_000,
    connectTimeoutInMs: 0,
    highWaterMark: 4,
  });
  const log = { connecting: 0, connected: 0, ready: 0, disconnected: 0, closed: [] as Array<Error | undefined>, errors: [] as Error[] };
  const backoff = { checked: 0, maxAttempt: 0, wrong: [] as string[] };
  let lastStable = false;
  let lastAttempt = 0;
  session.on('connecting', () => (log.connecting += 1));
  session.on('connected', () => (log.connected += 1));
  session.on('ready', () => (log.ready += 1));
  session.on('disconnected', (e) => {
    log.disconnected += 1;
    lastStable = e.stable;
  });
  session.on('reconnecting', (e) => {
    // the rule: a stable connection resets the backoff, anything else grows it
    const expected = lastStable ? 1 : lastAttempt + 1;
    if (e.attempt !== expected || e.delayInMs !== Math.min(1000 * 2 ** (e.attempt - 1), 60_000)) backoff.wrong.push(`${e.attempt}/${e.delayInMs} (expected ${expected})`);
    backoff.checked += 1;
    backoff.maxAttempt = Math.max(backoff.maxAttempt, e.attempt);
    lastAttempt = e.attempt;
    lastStable = false;
  });
  session.on('error', (err) => log.errors.push(err));
  session.on('closed', (e) => log.closed.push(e.error));
  clock.setTimeout(() => p.refuse(), endAt);

  const consumed: string[] = [];
  let failure: unknown;
  try {
    for await (const command of session as AsyncIterable<SeplCommand>) {
      consumed.push(command.task_id);
      // a slow consumer now and then: the session pauses the socket at its high-water mark
      if (random() < 0.1) await sleep(random() * 5000, undefined, clock);
    }
  } catch (err) {
    failure = err;
  }
  return { clock, session, p, log, backoff, consumed, failure };
}

describe('SeplSession soak (fake clock, seeded faults)', () => {
  for (const seed of [1, 7, 42]) {
    it(`seed ${seed}: ${MINUTES} simulated minutes; every command consumed once, backoff by the rule, ends on refused credentials`, async () => {
      const { clock, session, p, log, backoff, consumed, failure } = await soak(seed);
      expect(failure).toMatchObject({ name: 'SeplAuthError', category: 'auth' });
      await expect(session.done).rejects.toMatchObject({ name: 'SeplAuthError' });
      expect(log.closed).toEqual([failure]);
      expect(session.state).toBe('closed');
      // every command accounted for: consumed exactly once, in the order sent, or still unread on a
      // connection that dropped (the platform's own timeout covers those, as with a real socket)
      const lost = new Set(p.unread());
      expect(consumed).toEqual(p.sent.filter((id) => !lost.has(id)));
      expect(lost.size).toBeLessThan(p.sent.length / 50);
      expect(p.sent.length).toBeGreaterThan(200);
      // the schedule really hit every fault
      for (const count of Object.values(p.faults)) expect(count, JSON.stringify(p.faults)).toBeGreaterThan(0);
      // reports: one per garbage frame, one per unanswered request; then the fatal error once
      const names = log.errors.map((e) => e.name);
      expect(names.filter((n) => n === 'SeplProtocolError')).toHaveLength(p.faults.garbage);
      expect(names.at(-1)).toBe('SeplAuthError');
      expect(names.filter((n) => n === 'SeplAuthError')).toHaveLength(1);
      // lifecycle: each accepted connection was released once; accept-then-drop grew the backoff
      expect(log.connecting).toBe(session.stats.attempts);
      expect(log.connected).toBe(session.stats.connections);
      expect(log.ready).toBe(log.connected);
      expect(log.disconnected).toBe(log.connected);
      expect(backoff.wrong).toEqual([]);
      expect(backoff.checked).toBeGreaterThan(20);
      expect(backoff.maxAttempt).toBeGreaterThanOrEqual(3);
      // flat: bounded buffer, no timer left, no listener added by the session itself
      expect(session.stats.maxBuffered).toBeLessThanOrEqual(5);
      expect(session.stats.buffered).toBe(0);
      // the platform's own last timers fire on the next macrotasks; a session timer would keep one pending
      for (let i = 0; i < 100 && clock.pending > 0; i++) await new Promise((r) => setImmediate(r));
      expect(clock.pending).toBe(0);
      for (const event of ['connecting', 'connected', 'ready', 'disconnected', 'reconnecting', 'error', 'closed'] as const) expect(session.listenerCount(event)).toBe(1);
    }, 60_000);
  }
});
