// Errors the API answers with `{ error: { code, message, param? } }` (API.md "Errors").

export type ApiErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'misdirected_request'
  | 'unsupported_command'
  | 'payload_too_large'
  | 'vendor_error'
  | 'vendor_unavailable'
  | 'internal';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly code: ApiErrorCode;
  readonly param: string | undefined;
  /** Extra top-level fields of the answer (e.g. the failed command record). */
  readonly extra: Record<string, unknown> | undefined;

  constructor(status: number, code: ApiErrorCode, message: string, options: { param?: string; extra?: Record<string, unknown> } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.param = options.param;
    this.extra = options.extra;
  }

  body(): Record<string, unknown> {
    return { error: { code: this.code, message: this.message, ...(this.param ? { param: this.param } : {}) }, ...this.extra };
  }
}

export const badRequest = (param: string, message: string): ApiError => new ApiError(400, 'bad_request', `${param}: ${message}`, { param });
export const notFound = (message: string): ApiError => new ApiError(404, 'not_found', message);
