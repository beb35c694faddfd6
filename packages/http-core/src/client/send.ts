import { PassThrough, type Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { AuthContext } from '../auth.js';
import type { CallScope } from '../call-scope.js';
import { requestChannel, responseChannel } from '../diagnostics.js';
import type { Release } from '../rate-limiter.js';
import type { ClientCore, PreparedCall } from './core.js';
import { decodeBody, knownLengthText, parseJson } from './decode.js';
import { httpError, mapError } from './map-error.js';
import { ClientResponse } from './response.js';
import { flattenHeaders } from './target.js';
import type { HttpResponse } from './types.js';

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
class LazySignalContext implements AuthContext {
  readonly #scope: CallScope;

  constructor(scope: CallScope) {
    this.#scope = scope;
  }

  get signal(): AbortSignal | undefined {
    return this.#scope.signal;
  }
}

const NO_SIGNAL: AuthContext = Object.freeze({});

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
    pending = auth.apply(headers, ctx.scope.dispatchSignal === undefined ? NO_SIGNAL : new LazySignalContext(ctx.scope));
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
  if (call.ctx.scope.dispatchSignal !== undefined) {
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

function dispatch(core: ClientCore, call: PreparedCall): Promise<Dispatcher.ResponseData> {
  const { ctx } = call;
  return core.dispatcher.request({
    origin: call.origin,
    path: call.pathAndQuery,
    method: ctx.method,
    headers: ctx.headers,
    body: call.encoded.body,
    headersTimeout: ctx.timeoutInMs,
    bodyTimeout: ctx.timeoutInMs,
    signal: ctx.scope.dispatchSignal,
  });
}

/** Drops a body nobody will read (on an error), so the connection is not held. */
function discard(res: Dispatcher.ResponseData | undefined, call: PreparedCall): void {
  if (res === undefined || res.body.readableEnded) return;
  if (call.responseType === 'stream' || !res.body.destroyed) res.body.destroy();
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
  let res: Dispatcher.ResponseData | undefined;
  try {
    const authPending = applyAuth(core, call);
    if (authPending !== undefined) await authPending;
    const startedAt = observeRequest(core, call);
    try {
      res = await dispatch(core, call);
    } catch (error) {
      throw mapError(error, ctx, core.redaction);
    }
    observeResponse(core, call, res.statusCode, startedAt);
    if (call.releaseSlotOn === 'headers' && release !== undefined) {
      release();
      release = undefined;
    }
    const headers = flattenHeaders(res.headers);
    if (!call.ok(res.statusCode)) throw await httpError(ctx, res, headers, core);
    const type = ctx.method === 'HEAD' && call.responseType !== 'stream' ? 'none' : call.responseType;
    let body: unknown;
    try {
      // The common case (JSON of a known length within the cap) reads straight from undici.
      const text = type === 'json' ? knownLengthText(res, call.maxResponseBytes) : undefined;
      body = text === undefined ? await decodeBody(ctx, core.redaction, res, type, call.maxResponseBytes) : parseJson(ctx, core.redaction, res, await text);
    } catch (error) {
      throw mapError(error, ctx, core.redaction);
    }
    if (type === 'stream') {
      body = typedStream(core, call, body as Readable, release);
      release = undefined;
    }
    return new ClientResponse<T>(res.statusCode, headers, body as T, ctx, core.redaction);
  } catch (error) {
    discard(res, call);
    throw error;
  } finally {
    release?.();
  }
}
