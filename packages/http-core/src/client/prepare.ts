import { randomUUID } from 'node:crypto';
import { CallScope } from '../call-scope.js';
import { resolveRetryOptions } from '../retry.js';
import type { ClientCore, PreparedCall } from './core.js';
import { encodeBody, lowerCaseHeaders, resolveTarget } from './target.js';
import type { RequestOptions } from './types.js';
import { validateCall } from './validate.js';

const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
const defaultOk = (status: number): boolean => status >= 200 && status < 300;

/**
 * Request ids keep the shape of a v4 UUID: a random prefix drawn once per process, then a counter
 * (a fresh randomUUID per call cost more than the rest of preparing it).
 */
const ID_PREFIX = randomUUID().slice(0, 24);
let idSequence = 0;

function nextRequestId(): string {
  idSequence += 1;
  return `${ID_PREFIX}${idSequence.toString(16).padStart(12, '0')}`;
}

/** The headers every attempt starts from; the client's shared set when the call adds nothing. */
function callHeaders(core: ClientCore, call: RequestOptions, contentType: string | undefined, responseType: string): Record<string, string> {
  if (call.headers === undefined && contentType === undefined && responseType === 'json') return core.jsonHeaders;
  const headers: Record<string, string> = { ...core.defaultHeaders };
  lowerCaseHeaders('headers', call.headers, headers);
  if (contentType !== undefined && headers['content-type'] === undefined) headers['content-type'] = contentType;
  if (responseType === 'json' && headers.accept === undefined) headers.accept = 'application/json';
  return headers;
}

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
  const headers = callHeaders(core, call, encoded.contentType, responseType);
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
      requestId: nextRequestId(),
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
