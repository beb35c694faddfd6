import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { AuthProvider } from '../auth.js';
import type { Clock, RandomSource } from '../clock.js';
import type { HttpError, VendorErrorInfo, XError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { TlsOptions } from '../options.js';
import type { RateLimiter } from '../rate-limiter.js';
import type { RedactOptions } from '../redact.js';
import type { RetryOptions } from '../retry.js';
import type { ErrorCategory } from './category.js';

/** The one TLS options shape (declared with `ClientOptionsBase`). */
export type { TlsOptions };

/** The HTTP methods a call may use (default `GET`). */
export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';
/**
 * How a successful body is decoded: `json` (parsed; an empty body gives `undefined`), `text`
 * (UTF-8), `bytes` (`Uint8Array`), `stream` (a `Readable` the caller must consume) or `none` (discarded).
 */
export type ResponseType = 'json' | 'text' | 'bytes' | 'stream' | 'none';

/** One query parameter value; `null` and `undefined` leave the parameter out. */
export type QueryValue = string | number | boolean | bigint | null | undefined;
/** Query parameters; `undefined`/`null` are skipped, arrays repeat the key. */
export type QueryParams = Record<string, QueryValue | readonly QueryValue[]> | URLSearchParams;

/** Extracts a vendor error code/message from an error body (parsed JSON, or text). */
export type VendorErrorParser = (body: unknown, status: number, headers: Record<string, string>) => VendorErrorInfo | undefined;

/** What `isUnauthorized` looks at: an answer that failed (`error` set) or succeeded (decoded `body`). */
export interface UnauthorizedCheck {
  status: number;
  /** Lower-case response headers. */
  headers: Record<string, string>;
  /** The decoded body of a success (json/text/bytes), or the redacted JSON body of an HttpError. */
  body: unknown;
  /** The HttpError of a non-OK status; undefined for a success. */
  error?: HttpError;
}

/** When a call gives its rate-limiter slot back. */
export type ReleaseSlotOn = 'headers' | 'body';

/** Options of {@link createHttpClient}; every field is optional. */
export interface HttpClientOptions {
  /** Request paths resolve against it (a leading `/` of a path is relative to it, too). */
  baseUrl?: string | URL;
  /** Default headers of every request. */
  headers?: Record<string, string>;
  /** Product token; ` node/<version>` is appended. Default `@x/http-core/<version>`. */
  userAgent?: string;
  auth?: AuthProvider;
  retry?: Partial<RetryOptions> | false;
  /** Per attempt: connect, then headers, then each body chunk (idle). Default 30 000 ms. */
  timeoutInMs?: number;
  /** Overall time budget of a call across attempts and waits. Default 120 000 ms; `Infinity`: none. */
  deadlineInMs?: number;
  rateLimiter?: RateLimiter;
  /**
   * When a call gives its rate-limiter slot back: `'body'` (default) once the body is read,
   * `'headers'` as soon as the response headers arrived (a slow body then blocks nobody).
   */
  releaseSlotOn?: ReleaseSlotOn;
  /** Connections per origin. Default 64. */
  maxConnections?: number;
  logger?: Logger;
  /** Extra secret names (and extra printable headers). */
  redact?: RedactOptions;
  tls?: TlsOptions;
  clock?: Clock;
  random?: RandomSource;
  /** Use this undici dispatcher instead of a private Agent (not closed by `close()`). */
  dispatcher?: Dispatcher;
  /** Error bodies are read up to this size for the error (the rest is discarded). Default 1 MiB. */
  maxErrorBodyBytes?: number;
  /**
   * Successful `json`/`text`/`bytes` bodies larger than this fail with a SizeLimitError (the
   * connection is dropped). Default 64 MiB; `Infinity`: no cap. Streams and downloads are not capped.
   */
  maxResponseBytes?: number;
  /** Vendor error code/message of every call's error bodies (a call's own `parseVendorError` wins). */
  parseVendorError?: VendorErrorParser;
  /**
   * The category of an error this client throws (undefined keeps the built-in one); the retry
   * loop follows it: `throttled` and `transient`/`timeout` are retried, the rest is not.
   */
  classify?: (error: unknown) => ErrorCategory | undefined;
  /**
   * True when an answer means "credentials expired" (default: status 401). Such an answer takes
   * the auth provider's refresh-and-replay path, e.g. a vendor's HTTP 200 `{ code: "0102" }`.
   */
  isUnauthorized?: (check: UnauthorizedCheck) => boolean;
}

/** One call of {@link HttpClient.request}: what to send and how to treat the answer. */
export interface RequestOptions {
  method?: HttpMethod;
  /** Relative to `baseUrl`, or an absolute URL. */
  path: string;
  query?: QueryParams;
  headers?: Record<string, string | undefined>;
  json?: unknown;
  form?: Record<string, string> | URLSearchParams;
  body?: string | Uint8Array | Readable;
  /** Default `json` (an empty body gives `undefined`). */
  responseType?: ResponseType;
  /** Retry this call even if its method is not idempotent (or, with false, never). */
  idempotent?: boolean;
  retry?: Partial<RetryOptions> | false;
  signal?: AbortSignal;
  timeoutInMs?: number;
  /** Overall budget of this call; 0 fails without sending, `Infinity` means none. */
  deadlineInMs?: number;
  /** Which statuses count as success. Default 2xx. */
  okStatus?: (status: number) => boolean;
  /** Extracts a vendor error code/message from an error body (parsed JSON, or text). */
  parseVendorError?: VendorErrorParser;
  /** false: do not apply the client's auth to this call. */
  auth?: false;
  /** Overrides the client's `maxResponseBytes` for this call. */
  maxResponseBytes?: number;
  /** Overrides the client's `releaseSlotOn` for this call. */
  releaseSlotOn?: ReleaseSlotOn;
}

/** `$metadata` of an error a client call ends with (not enumerable); `status` when the server answered. */
export type ErrorMetadata = NonNullable<XError['$metadata']>;

/** How a call went, like AWS's `$metadata`. */
export interface ResponseMetadata {
  /** Attempts made, the successful one included. */
  attempts: number;
  /** One id for the call, across attempts (also in log lines). */
  requestId: string;
  /** Total time spent waiting between attempts. */
  totalRetryDelayInMs: number;
  /** HTTP status of the answer. */
  status: number;
}

/** A successful answer of {@link HttpClient.request}, with the decoded body as `T`. */
export interface HttpResponse<T = unknown> {
  status: number;
  /** Lower-case names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  body: T;
  attempts: number;
  /** Total time spent waiting between attempts. */
  retryDelayInMs: number;
  /** One id for the call, across attempts (also in log lines). */
  requestId: string;
  /** The redacted URL. */
  url: string;
  readonly $metadata: ResponseMetadata;
}

/** Passed to `onProgress` of a download for each chunk received. */
export interface DownloadProgress {
  bytesDone: number;
  /** From Content-Length; undefined when the server did not say. */
  bytesTotal: number | undefined;
}

/** One {@link HttpClient.download}: a request plus where to write (exactly one of `dir` and `to`). */
export interface DownloadOptions extends Omit<RequestOptions, 'responseType' | 'json' | 'form' | 'body' | 'maxResponseBytes'> {
  /** Folder to write into (with `fileName`). */
  dir?: string;
  /** Target file name inside `dir`; default the last segment of the URL path. */
  fileName?: string;
  /** Write into this stream instead of a file. */
  to?: NodeJS.WritableStream;
  /** Fail with a SizeLimitError beyond this many bytes. */
  maxBytes?: number;
  /** Called for each chunk received; keep it cheap (it runs on the data path). */
  onProgress?: (progress: DownloadProgress) => void;
}

/** What a finished download wrote. */
export interface DownloadResult {
  /** The final file path (file downloads only). */
  path?: string;
  /** Bytes written. */
  bytes: number;
}

/** The client {@link createHttpClient} returns. */
export interface HttpClient {
  /**
   * Sends one call with retries, deadline, auth and rate limit, and decodes the answer.
   * Rejects with an {@link XError} subclass: HttpError (non-OK status), NetworkError, TimeoutError,
   * AbortError, ParseError or SizeLimitError; bad options throw TypeError/RangeError.
   */
  request<T = unknown>(options: RequestOptions): Promise<HttpResponse<T>>;
  /**
   * Streams a response body into a file (written atomically) or a stream. Rejects like
   * `request`, with a SizeLimitError beyond `maxBytes`; bad options give TypeError/RangeError.
   */
  download(options: DownloadOptions): Promise<DownloadResult>;
  /** Closes the client's connections; pending calls finish first. */
  close(): Promise<void>;
  /** The normalised base URL (with a trailing slash), if any. */
  readonly baseUrl: string | undefined;
}
