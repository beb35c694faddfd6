import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { CallScope, InFlight } from '../call-scope.js';

type Headers = Record<string, string | string[] | undefined>;

/** How an attempt wants its successful body: collected, dropped, or as a stream. */
export type BodyMode = 'buffer' | 'discard' | 'stream';

/** What one attempt sends and how it wants the answer. */
export interface ExchangePlan {
  scope: CallScope;
  mode: BodyMode;
  /** Cap of a collected body; over it the exchange fails with `tooLarge(bytes, announced)`. */
  limit: number;
  tooLarge: (bytes: number, announced: boolean) => Error;
  /** The status counts as success (else the body comes as a stream, for the error's preview). */
  ok: (status: number) => boolean;
  /** Called once the headers are in (before the body is read). */
  onHeaders: ((status: number) => void) | undefined;
  /** The request body, destroyed when the exchange fails (as undici's `request()` does). */
  requestBody: unknown;
}

/** What `discard` reads of an unwanted body before it drops the connection (as undici's `dump()`). */
const DISCARD_LIMIT = 128 * 1024;
const HIGH_WATER_MARK = 64 * 1024;
const EMPTY = Buffer.alloc(0);

/** A response body as a stream; reading resumes the socket, destroying it aborts the request. */
class BodyStream extends Readable {
  readonly #exchange: Exchange;

  constructor(exchange: Exchange) {
    super({ highWaterMark: HIGH_WATER_MARK });
    this.#exchange = exchange;
  }

  override _read(): void {
    this.#exchange.controller?.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#exchange.abort(error ?? new Error('Response body destroyed before its end'));
    callback(error);
  }
}

/**
 * One request/response over undici's `dispatch()`: the call's scope aborts it directly (no abort
 * listener, no close listener per call), and a successful buffered body is collected straight from
 * the socket's chunks instead of through a stream. Resolves with itself once the answer is usable:
 * at the end of a collected body, at the headers of a streamed one.
 */
export class Exchange implements Dispatcher.DispatchHandler, InFlight {
  statusCode = 0;
  headers: Headers = {};
  ok = false;
  /** The collected body (`buffer` mode; empty when the response had none). */
  bytes: Buffer = EMPTY;
  /** The body as a stream (`stream` mode, or a status that is not a success). */
  body: Readable | undefined;
  controller: Dispatcher.DispatchController | undefined;
  /** What `ok` or `onHeaders` threw (the exchange failed with it; the caller rethrows it as it is). */
  hookError: unknown;
  readonly promise: Promise<Exchange>;
  readonly #plan: ExchangePlan;
  #mode: BodyMode;
  #chunks: Buffer[] = [];
  #size = 0;
  #done = false;
  #settled = false;
  #pendingAbort: unknown;
  #resolve!: (exchange: Exchange) => void;
  #reject!: (error: unknown) => void;

  constructor(plan: ExchangePlan) {
    this.#plan = plan;
    this.#mode = plan.mode;
    this.promise = new Promise<Exchange>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    plan.scope.attach(this);
  }

  /** Aborts the exchange (the scope's deadline or signal, a destroyed body, a size cap). */
  abort(reason: unknown): void {
    if (this.#done) return;
    if (this.controller === undefined) {
      // Still queued for a connection: fail now, stop the request when undici starts it.
      this.#pendingAbort = reason ?? new Error('Request aborted');
      this.#fail(this.#pendingAbort);
      return;
    }
    this.controller.abort(reason as Error);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.#pendingAbort !== undefined) controller.abort(this.#pendingAbort as Error);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: Headers): void {
    if (statusCode < 200) return;
    this.statusCode = statusCode;
    this.headers = headers;
    try {
      this.ok = this.#plan.ok(statusCode);
      this.#plan.onHeaders?.(statusCode);
    } catch (error) {
      this.hookError = error;
      controller.abort(error as Error);
      return;
    }
    if (!this.ok || this.#mode === 'stream') {
      this.#mode = 'stream';
      this.body = new BodyStream(this);
      this.#settle();
      return;
    }
    const length = headers['content-length'];
    const announced = typeof length === 'string' ? Number(length) : Number.NaN;
    if (this.#mode === 'buffer' && announced > this.#plan.limit) controller.abort(this.#plan.tooLarge(announced, true));
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#mode === 'stream') {
      if (!(this.body as Readable).push(chunk)) controller.pause();
      return;
    }
    this.#size += chunk.length;
    if (this.#mode === 'discard') {
      if (this.#size > DISCARD_LIMIT) {
        // Not worth reading: the answer is complete, the connection is dropped.
        this.#settle();
        controller.abort(new Error('Discarded body too large to drain'));
      }
      return;
    }
    if (this.#size > this.#plan.limit) controller.abort(this.#plan.tooLarge(this.#size, false));
    else this.#chunks.push(chunk);
  }

  onResponseEnd(): void {
    this.#finish();
    if (this.#mode === 'stream') {
      (this.body as Readable).push(null);
      return;
    }
    const chunks = this.#chunks;
    if (chunks.length === 1) this.bytes = chunks[0] as Buffer;
    else if (chunks.length > 1) this.bytes = Buffer.concat(chunks, this.#size);
    this.#chunks = [];
    this.#settle();
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    this.#finish();
    const body = this.#plan.requestBody;
    if (body instanceof Readable && !body.destroyed) {
      body.on('error', () => undefined);
      body.destroy(error);
    }
    if (this.body !== undefined && this.#settled) this.body.destroy(error);
    else this.#fail(error);
  }

  #finish(): void {
    this.#done = true;
    this.#plan.scope.detach(this);
  }

  #settle(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#resolve(this);
  }

  #fail(error: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#reject(error);
  }
}

/** Sends one attempt through `dispatcher`; its `promise` resolves as `Exchange` describes. */
export function startExchange(dispatcher: Dispatcher, options: Dispatcher.DispatchOptions, plan: ExchangePlan): Exchange {
  const handler = new Exchange(plan);
  // A scope aborted before the start has already failed the exchange: nothing is sent.
  if (plan.scope.aborted) return handler;
  try {
    dispatcher.dispatch(options, handler);
  } catch (error) {
    handler.onResponseError(undefined, error as Error);
  }
  return handler;
}
