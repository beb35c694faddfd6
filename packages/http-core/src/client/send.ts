import { PassThrough, type Readable } from 'node:stream';
import type { AuthContext } from '../auth.js';
import type { CallScope } from '../call-scope.js';
import { requestChannel, responseChannel } from '../diagnostics.js';
import type { Release } from '../rate-limiter.js';
import type { ClientCore, PreparedCall } from './core.js';
import { decodeBuffered, tooLarge } from './decode.js';
import { type BodyMode, type Exchange, startExchange } from './exchange.js';
import { httpError, mapError } from './map-error.js';
import { ClientResponse } from './response.js';
import { flattenHeaders } from './target.js';
import type { HttpResponse, ResponseType } from './types.js';

/** Errors thrown by an auth provider's `apply` (never retried by the client). */
const authFailures = new WeakSet<object>();

export function isAuthFailure(error: unknown): boolean {
  return typeof error === 'object' && error !== null && authFailures.has(error);
}

/** Waits for a rate-limiter slot. */
async function acquireSlot(limiter: NonNullable<ClientCore['limiter']>, core: ClientCore, call: PreparedCall): Promise<Release> {
  try {
    return await limiter.acquire(call.ctx.scope.signal);
  } catch (error) {
    throw mapError(error, call.ctx, core.redaction);
  }
}

/** The auth context of an attempt: its AbortSignal is only made if the provider reads it. */
class AttemptAuthContext implements AuthContext {
  readonly #scope: CallScope;
  readonly timeoutInMs: number;

  constructor(scope: CallScope, timeoutInMs: number) {
    this.#scope = scope;
    this.timeoutInMs = timeoutInMs;
  }

  get signal(): AbortSignal | undefined {
    return this.#scope.signal;
  }
}

function authFailure(core: ClientCore, call: PreparedCall, error: unknown): unknown {
  if (call.ctx.scope.aborted) return mapError(error, call.ctx, core.redaction);
  // The provider has its own policy (often its own client): its failures are not retried here.
  if (typeof error === 'object' && error !== null) authFailures.add(error);
  return error;
}

/**
 * The attempt's headers with fresh credentials: applied after the slot wait, so a queued call
 * never sends a stale token. Synchronous providers (static headers, Basic) cost no promise:
 * undefined is returned, else the provider's pending promise.
 */
function applyAuth(core: ClientCore, call: PreparedCall): Promise<void> | undefined {
  const { ctx } = call;
  const auth = core.auth;
  if (!call.useAuth || auth === undefined) return undefined;
  const headers = { ...ctx.headers };
  let pending: void | Promise<void>;
  try {
    pending = auth.apply(headers, new AttemptAuthContext(ctx.scope, ctx.timeoutInMs));
  } catch (error) {
    throw authFailure(core, call, error);
  }
  if (pending === undefined || typeof (pending as { then?: unknown }).then !== 'function') {
    ctx.headers = headers;
    return undefined;
  }
  return Promise.resolve(pending).then(
    () => {
      ctx.headers = headers;
    },
    (error: unknown) => {
      throw authFailure(core, call, error);
    },
  );
}

/** A stream body whose errors are already typed, which gives the slot (and scope) back when it closes. */
function typedStream(core: ClientCore, call: PreparedCall, source: Readable, release: Release | undefined): PassThrough {
  const typed = new PassThrough();
  source.once('error', (error) => typed.destroy(mapError(error, call.ctx, core.redaction)));
  typed.once('close', () => {
    if (!source.destroyed && !source.readableEnded) source.destroy();
  });
  source.pipe(typed);
  if (release !== undefined) typed.once('close', release);
  if (call.ctx.scope.abortable) {
    call.keepScope = true;
    typed.once('close', () => call.ctx.scope.dispose());
  }
  return typed;
}

/** Log line and diagnostics message of a request about to be sent; returns the start time (0 when nobody observes). */
function observeRequest(core: ClientCore, call: PreparedCall): number {
  if (!core.logging && !requestChannel.hasSubscribers && !responseChannel.hasSubscribers) return 0;
  if (core.logging) core.logger.debug('http request', core.redaction.logFields(call.ctx));
  if (requestChannel.hasSubscribers) requestChannel.publish(core.redaction.logFields(call.ctx));
  return core.clock.now();
}

function observeResponse(core: ClientCore, call: PreparedCall, status: number, startedAt: number): void {
  if (!core.logging && !responseChannel.hasSubscribers) return;
  const fields = { ...core.redaction.logFields(call.ctx), status, durationInMs: core.clock.now() - startedAt };
  if (core.logging) core.logger.debug('http response', fields);
  if (responseChannel.hasSubscribers) responseChannel.publish(fields);
}

/** The body mode of an attempt's answer type. */
const BODY_MODE: Readonly<Record<ResponseType, BodyMode>> = { json: 'buffer', text: 'buffer', bytes: 'buffer', none: 'discard', stream: 'stream' };

function dispatch(core: ClientCore, call: PreparedCall, type: ResponseType, onHeaders: ((status: number) => void) | undefined): Exchange {
  const { ctx } = call;
  const options = {
    origin: call.origin,
    path: call.pathAndQuery,
    method: ctx.method,
    headers: ctx.headers,
    body: call.encoded.body,
    headersTimeout: ctx.timeoutInMs,
    bodyTimeout: ctx.timeoutInMs,
  };
  return startExchange(core.dispatcher, options, {
    scope: ctx.scope,
    mode: BODY_MODE[type],
    limit: call.maxResponseBytes,
    tooLarge: (bytes, announced) => tooLarge(ctx, core.redaction, call.maxResponseBytes, bytes, announced),
    ok: call.ok,
    onHeaders,
    requestBody: call.encoded.body,
  });
}

/** Drops a body nobody will read (on an error), so the connection is not held. */
function discard(res: Exchange | undefined): void {
  const body = res?.body;
  if (body !== undefined && !body.readableEnded) body.destroy();
}

/** Fails an attempt that may not start (aborted, or out of time); increments the attempt count. */
function checkStart(core: ClientCore, call: PreparedCall): void {
  const { ctx } = call;
  ctx.attempt += 1;
  if (ctx.scope.aborted) throw mapError(ctx.scope.reason, ctx, core.redaction);
  // The first attempt starts in the same tick as its deadline: only a zero deadline is over.
  const over = ctx.attempt === 1 ? ctx.deadlineInMs === 0 : call.deadlineAt !== Number.POSITIVE_INFINITY && core.clock.now() >= call.deadlineAt;
  if (over) {
    ctx.scope.deadlineHit = true;
    throw mapError(undefined, ctx, core.redaction);
  }
}

/**
 * One attempt: slot, credentials, request, answer — one async function, so a call that needs no
 * wait costs no promise beyond undici's own (and the body's).
 */
export async function sendOnce<T>(core: ClientCore, call: PreparedCall): Promise<HttpResponse<T>> {
  const { ctx } = call;
  checkStart(core, call);
  let release = core.limiter === undefined ? undefined : await acquireSlot(core.limiter, core, call);
  let res: Exchange | undefined;
  try {
    const authPending = applyAuth(core, call);
    if (authPending !== undefined) await authPending;
    const startedAt = observeRequest(core, call);
    const type = ctx.method === 'HEAD' && call.responseType !== 'stream' ? 'none' : call.responseType;
    const releaseAtHeaders = call.releaseSlotOn === 'headers' && release !== undefined;
    // Made only when someone needs the moment the headers arrive (a buffered body resolves at its end).
    const onHeaders =
      releaseAtHeaders || core.logging || responseChannel.hasSubscribers
        ? (status: number): void => {
            observeResponse(core, call, status, startedAt);
            if (releaseAtHeaders) {
              release?.();
              release = undefined;
            }
          }
        : undefined;
    const pending = dispatch(core, call, type, onHeaders);
    try {
      res = await pending.promise;
    } catch (error) {
      // A throwing okStatus or logger fails the attempt as it did before the exchange started.
      throw (pending.hookError as Error | undefined) ?? mapError(error, ctx, core.redaction);
    }
    const headers = flattenHeaders(res.headers);
    if (!res.ok) throw await httpError(ctx, res, headers, core);
    let body: unknown;
    if (type === 'stream') {
      body = typedStream(core, call, res.body as Readable, release);
      release = undefined;
    } else {
      body = decodeBuffered(ctx, core.redaction, res, type);
    }
    return new ClientResponse<T>(res.statusCode, headers, body as T, ctx, core.redaction);
  } catch (error) {
    discard(res);
    throw error;
  } finally {
    release?.();
  }
}
