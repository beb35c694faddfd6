import { PassThrough, type Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { requestChannel, responseChannel } from '../diagnostics.js';
import type { Release } from '../rate-limiter.js';
import type { ClientCore, PreparedCall } from './core.js';
import { decodeBody } from './decode.js';
import { httpError, mapError } from './map-error.js';
import { ClientResponse } from './response.js';
import { flattenHeaders } from './target.js';
import type { HttpResponse } from './types.js';

/** Errors thrown by an auth provider's `apply` (never retried by the client). */
export const authFailures = new WeakSet<object>();

/** Waits for a rate-limiter slot (if the client has a limiter). */
async function acquireSlot(core: ClientCore, call: PreparedCall): Promise<Release | undefined> {
  if (core.limiter === undefined) return undefined;
  try {
    return await core.limiter.acquire(call.ctx.scope.signal);
  } catch (error) {
    throw mapError(error, call.ctx, core.redaction);
  }
}

/** The attempt's headers with fresh credentials: applied after the slot wait, so a queued call never sends a stale token. */
async function applyAuth(core: ClientCore, call: PreparedCall): Promise<void> {
  const { ctx } = call;
  if (!call.useAuth || core.auth === undefined) return;
  const headers = { ...ctx.headers };
  try {
    const scope = ctx.scope;
    // The AbortSignal is only made if the provider reads it (static headers never do).
    await core.auth.apply(headers, scope.dispatchSignal === undefined ? {} : { get signal() { return scope.signal; } });
  } catch (error) {
    if (ctx.scope.aborted) throw mapError(error, ctx, core.redaction);
    // The provider has its own policy (often its own client): its failures are not retried here.
    if (typeof error === 'object' && error !== null) authFailures.add(error);
    throw error;
  }
  ctx.headers = headers;
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

function observeResponse(core: ClientCore, call: PreparedCall, status: number, startedAt: number): void {
  const fields = { ...core.redaction.logFields(call.ctx), status, durationInMs: core.clock.now() - startedAt };
  if (core.logging) core.logger.debug('http response', fields);
  if (responseChannel.hasSubscribers) responseChannel.publish(fields);
}

async function dispatch(core: ClientCore, call: PreparedCall): Promise<Dispatcher.ResponseData> {
  const { ctx } = call;
  try {
    return await core.dispatcher.request({
      origin: call.origin,
      path: call.pathAndQuery,
      method: ctx.method,
      headers: ctx.headers,
      body: call.encoded.body,
      headersTimeout: ctx.timeoutInMs,
      bodyTimeout: ctx.timeoutInMs,
      signal: ctx.scope.dispatchSignal,
    });
  } catch (error) {
    throw mapError(error, ctx, core.redaction);
  }
}

/** Decodes an accepted answer into the call's result (or throws the typed error of a refused one). */
async function settle<T>(core: ClientCore, call: PreparedCall, res: Dispatcher.ResponseData, release: Release | undefined): Promise<HttpResponse<T>> {
  const { ctx } = call;
  const headers = flattenHeaders(res.headers);
  if (!call.ok(res.statusCode)) {
    throw await httpError(ctx, res, headers, core);
  }
  const type = ctx.method === 'HEAD' && call.responseType !== 'stream' ? 'none' : call.responseType;
  let body: unknown;
  try {
    body = await decodeBody(ctx, core.redaction, res, type, call.maxResponseBytes);
  } catch (error) {
    throw mapError(error, ctx, core.redaction);
  }
  if (type === 'stream') body = typedStream(core, call, body as Readable, release);
  const { redaction } = core;
  return new ClientResponse<T>(res.statusCode, headers, body as T, ctx.attempt, ctx.retryDelayInMs, ctx.requestId, () => redaction.lazyUrl(ctx));
}

/** Drops a body nobody will read (on an error), so the connection is not held. */
function discard(res: Dispatcher.ResponseData | undefined, call: PreparedCall): void {
  if (res === undefined || res.body.readableEnded) return;
  if (call.responseType === 'stream' || !res.body.destroyed) res.body.destroy();
}

/** One attempt: slot, credentials, request, answer. */
export async function sendOnce<T>(core: ClientCore, call: PreparedCall): Promise<HttpResponse<T>> {
  const { ctx } = call;
  ctx.attempt += 1;
  if (ctx.scope.aborted) throw mapError(ctx.scope.reason, ctx, core.redaction);
  if (call.deadlineAt !== Number.POSITIVE_INFINITY && core.clock.now() >= call.deadlineAt) {
    // Already out of time (e.g. deadlineInMs: 0): do not send at all.
    ctx.scope.deadlineHit = true;
    throw mapError(undefined, ctx, core.redaction);
  }
  let release = await acquireSlot(core, call);
  let res: Dispatcher.ResponseData | undefined;
  try {
    await applyAuth(core, call);
    const observed = core.logging || requestChannel.hasSubscribers || responseChannel.hasSubscribers;
    const startedAt = observed ? core.clock.now() : 0;
    if (core.logging) core.logger.debug('http request', core.redaction.logFields(ctx));
    if (requestChannel.hasSubscribers) requestChannel.publish(core.redaction.logFields(ctx));
    res = await dispatch(core, call);
    if (observed) observeResponse(core, call, res.statusCode, startedAt);
    if (call.releaseSlotOn === 'headers') {
      release?.();
      release = undefined;
    }
    const response = await settle<T>(core, call, res, call.responseType === 'stream' ? release : undefined);
    if (call.responseType === 'stream') release = undefined;
    return response;
  } catch (error) {
    discard(res, call);
    throw error;
  } finally {
    release?.();
  }
}
