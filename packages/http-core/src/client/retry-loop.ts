import { backoffDelay } from '../backoff.js';
import { errorChannel } from '../diagnostics.js';
import { type HttpError, isHttpError, isTimeoutError, isXError } from '../errors.js';
import { redactText, truncate } from '../redact.js';
import { type ErrorClass, isPreSendFailure } from '../retry.js';
import { sleep } from '../sleep.js';
import { type ErrorCategory, retryClass } from './category.js';
import type { ClientCore, PreparedCall } from './core.js';
import { mapError } from './map-error.js';
import { isAuthFailure, sendOnce } from './send.js';
import type { CallContext } from './context.js';
import type { ErrorMetadata, HttpResponse } from './types.js';

/** Marks an error with the category the client's `classify` hook gave it. */
function setCategory(error: unknown, category: ErrorCategory | undefined): void {
  if (category === undefined || !isXError(error)) return;
  Object.defineProperty(error, 'category', { value: category, enumerable: true, writable: true, configurable: true });
}

function isUnauthorizedError(core: ClientCore, error: unknown): error is HttpError {
  if (!isHttpError(error)) return false;
  if (core.isUnauthorized === undefined) return error.status === 401;
  try {
    return core.isUnauthorized({ status: error.status, headers: error.headers, body: error.body, error }) === true;
  } catch {
    return false;
  }
}

function isUnauthorizedAnswer(core: ClientCore, call: PreparedCall, response: HttpResponse<unknown>): boolean {
  if (core.isUnauthorized === undefined || call.responseType === 'stream') return false;
  try {
    return core.isUnauthorized({ status: response.status, headers: response.headers, body: response.body }) === true;
  } catch {
    return false;
  }
}

/**
 * Asks the auth provider to refresh after an "unauthorised" answer: true → replay the call,
 * false → the provider declined, undefined → nothing to refresh (no provider, or a body that cannot be replayed).
 */
async function refreshCredentials(core: ClientCore, call: PreparedCall): Promise<boolean | undefined> {
  const { ctx } = call;
  const auth = core.auth;
  if (!call.useAuth || auth?.onUnauthorized === undefined || !call.encoded.replayable) return undefined;
  let replay = false;
  try {
    const signal = ctx.scope.signal;
    replay = await auth.onUnauthorized({ ...(signal ? { signal } : {}), headers: ctx.headers, timeoutInMs: ctx.timeoutInMs });
  } catch (refreshError) {
    throw ctx.scope.aborted ? mapError(refreshError, ctx, core.redaction) : refreshError;
  }
  if (replay && core.logging) core.logger.info('http unauthorized: credentials refreshed, replaying', core.redaction.logFields(ctx));
  return replay;
}

/** The wait before the next attempt, or undefined when the failure must be thrown. */
function retryDelay(core: ClientCore, call: PreparedCall, error: unknown, errorClass: ErrorClass, retries: number): number | undefined {
  const { retry, ctx } = call;
  if (errorClass === 'client' || errorClass === 'aborted') return undefined;
  if (ctx.attempt >= retry.maxAttempts || !call.encoded.replayable) return undefined;
  const refusedUnprocessed = errorClass === 'throttled' && retry.retryThrottledAnyMethod === true;
  if (!call.mayRetryAnyFailure && !refusedUnprocessed && !isPreSendFailure(error)) return undefined;
  const retryAfter = isHttpError(error) && retry.respectRetryAfter ? error.retryAfterInMs : undefined;
  if (retryAfter !== undefined && retryAfter > retry.maxRetryAfterInMs) return undefined;
  const base = errorClass === 'throttled' ? retry.throttledBaseDelayInMs : retry.baseDelayInMs;
  const delay = retryAfter ?? backoffDelay(retries + 1, base, retry.maxDelayInMs, core.random);
  // Never wait past the deadline: fail now, with the server's hint attached.
  if (core.clock.now() + delay > call.deadlineAt) return undefined;
  if (!core.budget.tryAcquire(isTimeoutError(error))) {
    if (core.logging) core.logger.warn('http retry budget exhausted', core.redaction.logFields(ctx));
    return undefined;
  }
  if (core.limiter && retryAfter !== undefined && isHttpError(error) && error.status === 429) core.limiter.pause(retryAfter);
  if (core.logging) {
    const code = isXError(error) ? error.code : undefined;
    core.logger.warn('http retry', { ...core.redaction.logFields(ctx), reason: errorClass, code, delayInMs: delay });
  }
  return delay;
}

function attachAttempts(error: unknown, attempts: number): void {
  if (isXError(error) && 'attempts' in error) (error as { attempts: number }).attempts = attempts;
}

/** The call's `$metadata` on the error it ends with, as results carry it (not enumerable: logs stay as they were). */
function attachMetadata(error: unknown, ctx: CallContext): void {
  if (!isXError(error) || Object.hasOwn(error, '$metadata')) return;
  const metadata: ErrorMetadata = {
    attempts: ctx.attempt,
    requestId: ctx.requestId,
    totalRetryDelayInMs: ctx.retryDelayInMs,
    ...(isHttpError(error) ? { status: error.status } : {}),
  };
  Object.defineProperty(error, '$metadata', { value: metadata, enumerable: false, writable: true, configurable: true });
}

/** The debug line of a call that failed for good. */
function logFailure(core: ClientCore, call: PreparedCall, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  core.logger.debug('http call failed', {
    ...core.redaction.logFields(call.ctx),
    code: isXError(error) ? error.code : undefined,
    message: truncate(redactText(message, core.redaction.secretsOf(call.ctx)), 500),
  });
}

/** Where a call stands between attempts. */
interface LoopState {
  retries: number;
  replayed: boolean;
}

/**
 * After a failed attempt: resolves once the call may try again (credentials refreshed, or the
 * backoff waited), rejects with the error to throw otherwise.
 */
async function afterFailure(core: ClientCore, call: PreparedCall, error: unknown, state: LoopState): Promise<void> {
  const { ctx } = call;
  if (isAuthFailure(error)) throw error;
  attachAttempts(error, ctx.attempt);
  const category = core.classify?.(error);
  setCategory(error, category);
  if (errorChannel.hasSubscribers) errorChannel.publish({ ...core.redaction.logFields(ctx), error });
  if (!state.replayed && isUnauthorizedError(core, error)) {
    state.replayed = true;
    const replay = await refreshCredentials(core, call);
    if (replay === true) return;
    if (replay === false) throw error;
  }
  const errorClass = call.retry.classify?.(error) ?? retryClass(error, category);
  const delay = retryDelay(core, call, error, errorClass, state.retries);
  if (delay === undefined) throw error;
  state.retries += 1;
  await sleep(delay, ctx.scope.signal, core.clock).catch((sleepError: unknown) => Promise.reject(mapError(sleepError, ctx, core.redaction)));
  ctx.retryDelayInMs += delay;
}

/**
 * Attempts until one succeeds or a failure may not be retried: an "unauthorised" answer is
 * refreshed and replayed once; retryable failures wait a backoff (or Retry-After) first. A first
 * attempt that succeeds runs through this function and `sendOnce` only. `settled` is called
 * once the call is over, however it ended.
 */
export async function runWithRetries<T>(core: ClientCore, call: PreparedCall, settled: () => void): Promise<HttpResponse<T>> {
  // Made on the first failure: a call that succeeds at once does not pay for it.
  let state: LoopState | undefined;
  try {
    for (;;) {
      try {
        const response = await sendOnce<T>(core, call);
        if (state?.replayed !== true && isUnauthorizedAnswer(core, call, response)) {
          state ??= { retries: 0, replayed: false };
          state.replayed = true;
          if (await refreshCredentials(core, call)) continue;
        }
        core.budget.refund();
        return response;
      } catch (error) {
        state ??= { retries: 0, replayed: false };
        await afterFailure(core, call, error, state);
      }
    }
  } catch (error) {
    attachMetadata(error, call.ctx);
    if (core.logging) logFailure(core, call, error);
    throw error;
  } finally {
    if (!call.keepScope) call.ctx.scope.dispose();
    settled();
  }
}
