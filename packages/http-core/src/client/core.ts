import type { Dispatcher } from 'undici';
import type { AuthProvider } from '../auth.js';
import type { Clock, RandomSource } from '../clock.js';
import type { Logger } from '../logger.js';
import type { RateLimiter } from '../rate-limiter.js';
import type { RetryBudget, RetryOptions } from '../retry.js';
import type { ErrorCategory } from './category.js';
import type { CallContext, Redaction } from './context.js';
import type { EncodedBody, BaseUrl } from './target.js';
import type { ReleaseSlotOn, ResponseType, UnauthorizedCheck, VendorErrorParser } from './types.js';

/** What every step of a client's pipeline shares (built once per client). */
export interface ClientCore {
  base: BaseUrl | undefined;
  defaultHeaders: Readonly<Record<string, string>>;
  /** `defaultHeaders` plus `accept: application/json` (frozen; shared by calls that add no header). */
  jsonHeaders: Record<string, string>;
  dispatcher: Dispatcher;
  clock: Clock;
  random: RandomSource;
  logger: Logger;
  /** False for the silent logger: log fields are then never built. */
  logging: boolean;
  auth: AuthProvider | undefined;
  limiter: RateLimiter | undefined;
  redaction: Redaction;
  budget: RetryBudget;
  retry: RetryOptions;
  timeoutInMs: number;
  /** undefined: no overall deadline. */
  deadlineInMs: number | undefined;
  maxResponseBytes: number;
  maxErrorBodyBytes: number;
  releaseSlotOn: ReleaseSlotOn;
  parseVendorError: VendorErrorParser | undefined;
  classify: ((error: unknown) => ErrorCategory | undefined) | undefined;
  isUnauthorized: ((check: UnauthorizedCheck) => boolean) | undefined;
}

/** One prepared call: its context plus what every attempt of it reuses. */
export interface PreparedCall {
  ctx: CallContext;
  origin: string;
  pathAndQuery: string;
  encoded: EncodedBody;
  responseType: ResponseType;
  /** Credentials are applied (the base URL's origin, and the call did not opt out). */
  useAuth: boolean;
  retry: RetryOptions;
  /** Any failure may be retried (idempotent method, Idempotency-Key or `idempotent: true`). */
  mayRetryAnyFailure: boolean;
  deadlineAt: number;
  ok: (status: number) => boolean;
  maxResponseBytes: number;
  releaseSlotOn: ReleaseSlotOn;
  /** Set when a stream response took over the call's scope (disposed when the stream closes). */
  keepScope: boolean;
}
