import type { Clock, TlsOptions } from '@x/http-core';
import { WebSocket, type ClientOptions } from 'ws';

/** How a websocket session ended. */
export interface SocketEnd {
  code: number;
  reason: string;
  /** Set when the connector itself failed the socket (e.g. no pong). */
  error?: Error;
}

/** Timeouts (in ms), TLS and clock of one websocket with a heartbeat. */
export interface SocketOptions {
  /** Opening handshake timeout. */
  connectTimeoutInMs: number;
  /** Send a websocket ping after this much inbound silence. */
  pingAfterInMs: number;
  /** Fail the socket when nothing arrives within this after a ping. */
  pongTimeoutInMs: number;
  /** TLS settings for `wss:` (e.g. a test CA). */
  tls?: TlsOptions;
  /** Timers and the ping payload's time. */
  clock: Clock;
}

/** What the protocol sessions need of a socket (HeartbeatSocket; tests pass an in-memory one). */
export interface SeplSocket {
  /** Resolves once, when the socket is gone. */
  readonly ended: Promise<SocketEnd>;
  readonly isOpen: boolean;
  readonly pauseRequested: boolean;
  /** Sets the handler of inbound text frames (binary frames are read as UTF-8 too); replaces the previous one. */
  onText(handler: (text: string) => void): void;
  /** Sends a text frame; resolves once it is written, rejects when the socket is not open. */
  send(text: string): Promise<void>;
  /** Closes the socket (default code 1000, normal closure) and resolves with how it ended. */
  close(code?: number, reason?: string): Promise<SocketEnd>;
  /** Asks to stop reading (backpressure); reading goes on while a `hold()` is taken. */
  pause(): void;
  /** Withdraws `pause()`. */
  resume(): void;
  /** Keeps reading despite `pause()` until the returned release function is called (idempotent). */
  hold(): () => void;
  /** Ends the socket at once; `ended` then carries `error`. */
  fail(error: Error): void;
}

/** Opens a socket; rejects when the connection fails or `signal` aborts. */
export type OpenSocket = (url: string, options: SocketOptions, signal: AbortSignal) => Promise<SeplSocket>;

/**
 * One websocket with a heartbeat: after `pingAfterInMs` without any inbound frame a ping is
 * sent (payload: Unix seconds); if nothing (pong or frame) arrives within `pongTimeoutInMs`,
 * the socket is terminated and `ended` resolves with an error.
 */
export class HeartbeatSocket implements SeplSocket {
  readonly ended: Promise<SocketEnd>;
  readonly #ws: WebSocket;
  readonly #options: SocketOptions;
  #onText: (text: string) => void = () => undefined;
  #silenceTimer: unknown;
  #pongTimer: unknown;
  #failure: Error | undefined;
  #open = true;
  #pauseRequested = false;
  #holds = 0;
  #paused = false;

  private constructor(ws: WebSocket, options: SocketOptions) {
    this.#ws = ws;
    this.#options = options;
    this.ended = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.#open = false;
        this.#stopTimers();
        const end: SocketEnd = { code, reason: reason.toString('utf8') };
        if (this.#failure) end.error = this.#failure;
        resolve(end);
      });
    });
    ws.on('message', (data) => {
      this.#activity();
      // text and binary frames alike are read as UTF-8 JSON text
      const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      this.#onText(buffer.toString('utf8'));
    });
    ws.on('pong', () => this.#activity());
    ws.on('ping', () => this.#activity());
    ws.on('error', (err) => {
      this.#failure ??= err;
    });
    this.#activity();
  }

  /** Opens a websocket; rejects when the connection or its opening handshake fails, or `signal` aborts. */
  static open(url: string, options: SocketOptions, signal?: AbortSignal): Promise<HeartbeatSocket> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
        return;
      }
      const clientOptions: ClientOptions = { handshakeTimeout: options.connectTimeoutInMs, autoPong: true };
      if (options.tls?.ca !== undefined) clientOptions.ca = options.tls.ca as ClientOptions['ca'];
      if (options.tls?.rejectUnauthorized !== undefined) clientOptions.rejectUnauthorized = options.tls.rejectUnauthorized;
      const ws = new WebSocket(url, clientOptions);
      const onAbort = (): void => onError(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      const onError = (err: Error): void => {
        signal?.removeEventListener('abort', onAbort);
        ws.off('open', onOpen);
        // a terminated connecting socket still emits 'error'; nobody needs it any more
        ws.on('error', () => undefined);
        ws.terminate();
        reject(err);
      };
      const onOpen = (): void => {
        signal?.removeEventListener('abort', onAbort);
        ws.off('error', onError);
        resolve(new HeartbeatSocket(ws, options));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      ws.once('error', onError);
      ws.once('open', onOpen);
    });
  }

  get isOpen(): boolean {
    return this.#open && this.#ws.readyState === WebSocket.OPEN;
  }

  /** Sets the handler of inbound text frames. */
  onText(handler: (text: string) => void): void {
    this.#onText = handler;
  }

  /** Sends a text frame; resolves once it is written. */
  send(text: string): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.isOpen) {
        reject(new Error('websocket is not open'));
        return;
      }
      this.#ws.send(text, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Closes the socket (normal closure) and waits for it to end. */
  async close(code = 1000, reason = ''): Promise<SocketEnd> {
    if (this.#ws.readyState === WebSocket.OPEN || this.#ws.readyState === WebSocket.CONNECTING) {
      this.#ws.close(code, reason);
      const timer = setTimeout(() => this.#ws.terminate(), 2000);
      const end = await this.ended;
      clearTimeout(timer);
      return end;
    }
    return this.ended;
  }

  /** Whether `pause()` was asked for (reading may still go on while a hold is taken). */
  get pauseRequested(): boolean {
    return this.#pauseRequested;
  }

  /**
   * Asks to stop reading (backpressure): TCP flow control then holds the server back. Reading
   * stops only while nobody holds the socket open (see `hold`). The heartbeat is suspended
   * meanwhile (the silence is ours); a few frames already read may still arrive.
   */
  pause(): void {
    this.#pauseRequested = true;
    this.#apply();
  }

  /** Withdraws `pause()`: reads again and re-arms the heartbeat. */
  resume(): void {
    this.#pauseRequested = false;
    this.#apply();
  }

  /**
   * Keeps reading despite `pause()` until the returned release is called: a request waiting
   * for its answer holds the socket, since the answer arrives on this same socket.
   */
  hold(): () => void {
    this.#holds++;
    this.#apply();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holds--;
      this.#apply();
    };
  }

  #apply(): void {
    const paused = this.#pauseRequested && this.#holds === 0 && this.#open;
    if (paused === this.#paused) return;
    this.#paused = paused;
    if (paused) {
      this.#stopTimers();
      this.#ws.pause();
    } else {
      this.#ws.resume();
      this.#activity();
    }
  }

  /** Fails the socket at once with `error`. */
  fail(error: Error): void {
    this.#failure ??= error;
    this.#ws.terminate();
  }

  #stopTimers(): void {
    const clock = this.#options.clock;
    if (this.#silenceTimer !== undefined) clock.clearTimeout(this.#silenceTimer);
    if (this.#pongTimer !== undefined) clock.clearTimeout(this.#pongTimer);
    this.#silenceTimer = undefined;
    this.#pongTimer = undefined;
  }

  #activity(): void {
    if (!this.#open) return;
    this.#stopTimers();
    if (this.#paused) return;
    this.#silenceTimer = this.#options.clock.setTimeout(() => this.#ping(), this.#options.pingAfterInMs);
  }

  #ping(): void {
    if (!this.isOpen) return;
    this.#ws.ping(String(Math.floor(this.#options.clock.now() / 1000)));
    this.#pongTimer = this.#options.clock.setTimeout(() => {
      this.fail(new Error(`no pong within ${this.#options.pongTimeoutInMs} ms after a ping`));
    }, this.#options.pongTimeoutInMs);
  }
}
