import { Agent } from 'undici';
import type { Readable } from 'node:stream';
import { DEFAULT_RETRY_OPTIONS, RetryBudget, resolveRetryOptions } from './retry.js';
import { systemClock } from './clock.js';
import { silentLogger } from './logger.js';
import { DEFAULT_USER_AGENT } from './version.js';
import { Redaction } from './client/context.js';
import type { ClientCore, PreparedCall } from './client/core.js';
import { DEFAULT_MAX_RESPONSE_BYTES } from './client/decode.js';
import { download } from './client/download.js';
import { prepareCall } from './client/prepare.js';
import { runWithRetries } from './client/retry-loop.js';
import { lowerCaseHeaders, parseBaseUrl } from './client/target.js';
import type { HttpClient, HttpClientOptions, HttpResponse, RequestOptions, TlsOptions } from './client/types.js';
import { validateClientOptions } from './client/validate.js';

export type {
  DownloadOptions,
  DownloadProgress,
  DownloadResult,
  ErrorMetadata,
  HttpClient,
  HttpClientOptions,
  HttpMethod,
  HttpResponse,
  QueryParams,
  QueryValue,
  ReleaseSlotOn,
  RequestOptions,
  ResponseMetadata,
  ResponseType,
  TlsOptions,
  UnauthorizedCheck,
  VendorErrorParser,
} from './client/types.js';
export type { ErrorCategory } from './client/category.js';
export { resolveTarget } from './client/target.js';
export type { BaseUrl, RequestTarget } from './client/target.js';
export { DEFAULT_MAX_RESPONSE_BYTES } from './client/decode.js';

/** A failure before the call started, delivered like every other (as a rejection, not a throw). */
// eslint-disable-next-line @typescript-eslint/require-await -- an async function turns the throw into a rejection of any value
const rejected = async (error: unknown): Promise<never> => {
  throw error;
};

/** Default overall deadline of a call. */
export const DEFAULT_DEADLINE_IN_MS = 120_000;

/** Counts calls in flight so that `close()` can wait for them. */
class CallCounter {
  #count = 0;
  #waiters: (() => void)[] = [];

  started(): void {
    this.#count += 1;
  }

  settled(): void {
    this.#count -= 1;
    if (this.#count === 0) for (const wake of this.#waiters.splice(0)) wake();
  }

  /** Resolves once no call is in flight. */
  idle(): Promise<void> {
    return this.#count === 0 ? Promise.resolve() : new Promise((resolve) => this.#waiters.push(resolve));
  }
}

function createAgent(maxConnections: number | undefined, timeoutInMs: number, tls: TlsOptions | undefined): Agent {
  return new Agent({
    connections: maxConnections ?? 64,
    connect: {
      timeout: timeoutInMs,
      ...(tls?.ca !== undefined ? { ca: tls.ca as string | Buffer | (string | Buffer)[] } : {}),
      ...(tls?.cert !== undefined ? { cert: tls.cert } : {}),
      ...(tls?.key !== undefined ? { key: tls.key } : {}),
      ...(tls?.rejectUnauthorized !== undefined ? { rejectUnauthorized: tls.rejectUnauthorized } : {}),
      ...(tls?.servername !== undefined ? { servername: tls.servername } : {}),
    },
  });
}

/** The validated options turned into what the pipeline shares. */
function buildCore(options: HttpClientOptions): ClientCore {
  const base = parseBaseUrl(options.baseUrl);
  validateClientOptions(options);
  const retry = resolveRetryOptions(DEFAULT_RETRY_OPTIONS, options.retry, 'retry');
  const timeoutInMs = options.timeoutInMs ?? 30_000;
  const logger = options.logger ?? silentLogger;
  const defaultHeaders: Record<string, string> = {
    'user-agent': options.userAgent === undefined ? DEFAULT_USER_AGENT : `${options.userAgent} node/${process.versions.node}`,
  };
  lowerCaseHeaders('headers', options.headers, defaultHeaders);
  const deadline = options.deadlineInMs ?? DEFAULT_DEADLINE_IN_MS;
  return {
    base,
    defaultHeaders,
    jsonHeaders: Object.freeze({ ...defaultHeaders, accept: defaultHeaders.accept ?? 'application/json' }),
    dispatcher: options.dispatcher ?? createAgent(options.maxConnections, timeoutInMs, options.tls),
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
    logger,
    logging: logger !== silentLogger,
    auth: options.auth,
    limiter: options.rateLimiter,
    redaction: new Redaction(options.redact ?? {}, options.auth),
    budget: new RetryBudget(retry.retryBudget),
    retry,
    timeoutInMs,
    deadlineInMs: deadline === Number.POSITIVE_INFINITY ? undefined : deadline,
    maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    maxErrorBodyBytes: options.maxErrorBodyBytes ?? 1024 * 1024,
    releaseSlotOn: options.releaseSlotOn ?? 'body',
    parseVendorError: options.parseVendorError,
    classify: options.classify,
    isUnauthorized: options.isUnauthorized,
  };
}

/** Creates a client with its own connection pool (or the given dispatcher). */
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  const core = buildCore(options);
  const ownsDispatcher = options.dispatcher === undefined;
  /** Set by `close()`: later calls are refused. */
  let closing: Promise<void> | undefined;
  const calls = new CallCounter();
  const settled = (): void => calls.settled();

  const request = <T>(call: RequestOptions): Promise<HttpResponse<T>> => {
    let prepared: PreparedCall;
    try {
      if (typeof call !== 'object' || call === null) throw new TypeError('options must be an object');
      if (closing !== undefined) throw new TypeError('The client is closed');
      prepared = prepareCall(core, call);
    } catch (error) {
      return rejected(error);
    }
    calls.started();
    return runWithRetries<T>(core, prepared, settled);
  };

  return {
    request,
    download: (call) => download((c) => request<Readable>(c), core.logging ? core.logger : undefined, call),
    close() {
      // Calls in flight (also those waiting to retry) finish on the open pool first; undici then
      // waits for response bodies still being read.
      closing ??= calls.idle().then(() => (ownsDispatcher ? core.dispatcher.close() : undefined));
      return closing;
    },
    baseUrl: core.base?.href,
  };
}
