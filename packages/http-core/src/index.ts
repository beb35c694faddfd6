/** Public face of @x/http-core. */
export { createHttpClient } from './client.js';
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
  UnauthorizedCheck,
  VendorErrorParser,
} from './client.js';
export {
  AbortError,
  ERROR_CATEGORIES,
  HttpError,
  NetworkError,
  ParseError,
  ProtocolError,
  SizeLimitError,
  TimeoutError,
  XError,
  X_ERROR_BRAND,
  httpStatusCategory,
  isAbortError,
  isErrorCategory,
  isHttpError,
  isNetworkError,
  isParseError,
  isProtocolError,
  isSizeLimitError,
  isTimeoutError,
  isXError,
  networkErrorCategory,
} from './errors.js';
export type {
  ErrorCategory,
  ErrorRequestInfo,
  ErrorResponseInfo,
  HttpErrorInit,
  NetworkErrorInit,
  ParseErrorInit,
  TimeoutErrorInit,
  TimeoutPhase,
  VendorErrorInfo,
  XErrorKind,
  XErrorOptions,
} from './errors.js';
export { REDACTED, isSensitiveName, redactHeaders, redactJson, redactText, redactUrl } from './redact.js';
export type { HeaderInput, RedactOptions } from './redact.js';
export { errorCategory, errorCodeCategory } from './error-category.js';
export { createRedactor, rawPreview } from './raw-preview.js';
export type { RawPreviewOptions, Redactor, RedactorOptions } from './raw-preview.js';
export { validateCallOptions, validateClientOptionsBase } from './options.js';
export type { CallOptions, ClientOptionsBase, TlsOptions } from './options.js';
export { DEFAULT_RETRY_OPTIONS, RetryBudget, classifyError, isPreSendFailure, parseRetryAfter } from './retry.js';
export type { ErrorClass, RetryOptions } from './retry.js';
export { basicAuth, bearerAuth, staticHeaders } from './auth.js';
export type { AuthContext, AuthProvider, BearerAuthOptions, BearerAuthProvider, BearerToken, BearerTokenProvider } from './auth.js';
export { createRateLimiter, deleteSharedRateLimiter, getSharedRateLimiter } from './rate-limiter.js';
export type { RateLimiter, RateLimiterOptions, Release } from './rate-limiter.js';
export { sleep } from './sleep.js';
export { safeJoin, writeFileAtomic } from './files.js';
export { timingSafeEqualString } from './timing-safe.js';
export { backoffDelay, createBackoff } from './backoff.js';
export type { Backoff, BackoffOptions, JitterMode } from './backoff.js';
export { MAX_TIMER_DELAY_IN_MS, assertDuration, systemClock } from './clock.js';
export { DIAGNOSTICS_CHANNELS } from './diagnostics.js';
export type { Clock, RandomSource, TimerOptions } from './clock.js';
export { consoleLogger, isLogger, layerLogger, loggerNamespace, namespacedLogger, silentLogger } from './logger.js';
export type { ConsoleLoggerOptions, LogFields, LogLevel, Logger } from './logger.js';
export { DEFAULT_USER_AGENT, VERSION } from './version.js';
export { Session, SessionError, createSession, isFatalByDefault } from './session/index.js';
export type {
  ClosedEvent,
  ConnectAttempt,
  ConnectedEvent,
  ConnectingEvent,
  ConnectionContext,
  DisconnectReason,
  DisconnectedEvent,
  OverflowStrategy,
  ReconnectingEvent,
  SessionErrorCode,
  SessionEvents,
  SessionHooks,
  SessionOptions,
  SessionReconnectOptions,
  SessionState,
  SessionStats,
} from './session/index.js';
