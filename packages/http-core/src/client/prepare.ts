import { randomUUID } from 'node:crypto';
import { CallScope } from '../call-scope.js';
import { resolveRetryOptions } from '../retry.js';
import type { ClientCore, PreparedCall } from './core.js';
import { encodeBody, lowerCaseHeaders, resolveTarget } from './target.js';
import type { RequestOptions } from './types.js';
import { validateCall } from './validate.js';

const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
const defaultOk = (status: number): boolean => status >= 200 && status < 300;

/** The call's overall deadline: its own, else the client's; `Infinity` → none. */
function deadlineOf(core: ClientCore, call: RequestOptions): number | undefined {
  const value = call.deadlineInMs ?? core.deadlineInMs;
  return value === Number.POSITIVE_INFINITY ? undefined : value;
}

/** Validates a call and resolves everything its attempts share (target, body, headers, deadline). */
export function prepareCall(core: ClientCore, call: RequestOptions): PreparedCall {
  const method = validateCall(call);
  const responseType = call.responseType ?? 'json';
  const target = resolveTarget(core.base, call.path, call.query, core.redaction.extraParams);
  const encoded = encodeBody(call);
  const headers: Record<string, string> = { ...core.defaultHeaders };
  lowerCaseHeaders('headers', call.headers, headers);
  if (encoded.contentType !== undefined && headers['content-type'] === undefined) headers['content-type'] = encoded.contentType;
  if (responseType === 'json' && headers.accept === undefined) headers.accept = 'application/json';
  const deadlineInMs = deadlineOf(core, call);
  return {
    ctx: {
      method,
      url: target.url,
      options: call,
      scope: new CallScope(call.signal, deadlineInMs),
      timeoutInMs: call.timeoutInMs ?? core.timeoutInMs,
      deadlineInMs,
      headers,
      attempt: 0,
      requestId: randomUUID(),
      retryDelayInMs: 0,
    },
    origin: target.origin,
    pathAndQuery: target.pathAndQuery,
    encoded,
    responseType,
    // Credentials only go to the base URL's origin (or anywhere when there is no base URL).
    useAuth: core.auth !== undefined && call.auth !== false && (!target.otherOrigin || core.base === undefined),
    retry: call.retry === undefined ? core.retry : resolveRetryOptions(core.retry, call.retry, 'retry'),
    mayRetryAnyFailure: call.idempotent ?? (IDEMPOTENT_METHODS.has(method) || headers['idempotency-key'] !== undefined),
    deadlineAt: deadlineInMs === undefined ? Number.POSITIVE_INFINITY : core.clock.now() + deadlineInMs,
    ok: call.okStatus ?? defaultOk,
    maxResponseBytes: call.maxResponseBytes ?? core.maxResponseBytes,
    releaseSlotOn: call.releaseSlotOn ?? core.releaseSlotOn,
    keepScope: false,
  };
}
