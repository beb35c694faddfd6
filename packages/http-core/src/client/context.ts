import type { AuthProvider } from '../auth.js';
import type { CallScope } from '../call-scope.js';
import type { ErrorRequestInfo } from '../errors.js';
import { type RedactOptions, isSensitiveName, redactHeaders, redactUrl } from '../redact.js';
import type { RequestOptions } from './types.js';

/** One call in flight, as the steps of the pipeline see it. */
export interface CallContext {
  method: string;
  url: string;
  options: RequestOptions;
  scope: CallScope;
  timeoutInMs: number;
  deadlineInMs: number | undefined;
  /** The headers of the current attempt (with credentials once auth ran). */
  headers: Record<string, string>;
  attempt: number;
  requestId: string;
  retryDelayInMs: number;
}

const NOT_SECRET_HEADER = /^(accept|content-type|content-length|user-agent|idempotency-key)$/;

/**
 * What a client knows is secret, and the redacted views of a call built from it. Everything is
 * computed on demand: a call that succeeds without logging never pays for redaction.
 */
export class Redaction {
  readonly extraHeaders: readonly string[];
  readonly extraParams: readonly string[];
  readonly extraBodyKeys: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly #headerSet: ReadonlySet<string>;
  readonly #paramSet: ReadonlySet<string>;
  readonly #bodyKeySet: ReadonlySet<string>;
  readonly #auth: AuthProvider | undefined;

  constructor(options: RedactOptions, auth: AuthProvider | undefined) {
    this.extraHeaders = [...(options.headers ?? [])];
    this.extraParams = [...(options.queryParams ?? [])];
    this.extraBodyKeys = [...(options.bodyKeys ?? [])];
    this.allowHeaders = [...(options.allowHeaders ?? [])];
    this.#headerSet = new Set(this.extraHeaders.map((k) => k.toLowerCase()));
    this.#paramSet = new Set(this.extraParams.map((k) => k.toLowerCase()));
    this.#bodyKeySet = new Set(this.extraBodyKeys.map((k) => k.toLowerCase()));
    this.#auth = auth;
  }

  #secretName(name: string, extra: ReadonlySet<string>): boolean {
    return isSensitiveName(name) || extra.has(name.toLowerCase());
  }

  /** Every raw secret value relevant to a call (for scrubbing texts). */
  secretsOf(ctx: CallContext): string[] {
    const out: string[] = this.#auth ? [...this.#auth.secrets()] : [];
    for (const [name, value] of Object.entries(ctx.headers)) {
      if (NOT_SECRET_HEADER.test(name) || !this.#secretName(name, this.#headerSet)) continue;
      out.push(value);
      const space = value.indexOf(' ');
      if (space !== -1) out.push(value.slice(space + 1));
    }
    const q = ctx.url.indexOf('?');
    if (q !== -1) {
      for (const [name, value] of new URLSearchParams(ctx.url.slice(q + 1))) if (this.#secretName(name, this.#paramSet)) out.push(value);
    }
    this.#bodySecrets(ctx.options, out);
    return out;
  }

  /** Raw values of secret-looking fields of a JSON body or form. */
  #bodySecrets(options: RequestOptions, out: string[]): void {
    const visit = (value: unknown, depth: number): void => {
      if (typeof value !== 'object' || value === null || depth > 16) return;
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
        if (this.#secretName(key, this.#bodyKeySet)) {
          if (typeof item === 'string') out.push(item);
          else if (typeof item === 'number') out.push(String(item));
        } else visit(item, depth + 1);
      }
    };
    if (options.json !== undefined) visit(options.json, 0);
    if (options.form !== undefined) {
      const entries = options.form instanceof URLSearchParams ? [...options.form] : Object.entries(options.form);
      for (const [key, value] of entries) if (this.#secretName(key, this.#bodyKeySet)) out.push(value);
    }
  }

  url(ctx: CallContext, secrets: readonly string[] = this.secretsOf(ctx)): string {
    return redactUrl(ctx.url, this.extraParams, secrets);
  }

  /** The redacted URL without computing secrets when nothing in it can carry one. */
  lazyUrl(ctx: CallContext): string {
    return ctx.url.includes('?') || ctx.url.includes('@') ? this.url(ctx) : ctx.url;
  }

  headers(headers: Record<string, string>, secrets: readonly string[]): Record<string, string> {
    return redactHeaders(headers, this.extraHeaders, secrets, this.allowHeaders);
  }

  requestInfo(ctx: CallContext, secrets: readonly string[]): ErrorRequestInfo {
    return { method: ctx.method, url: this.url(ctx, secrets), headers: this.headers(ctx.headers, secrets) };
  }

  /** The fields of every log line and diagnostics message of a call. */
  logFields(ctx: CallContext): Record<string, unknown> {
    return { requestId: ctx.requestId, method: ctx.method, url: this.url(ctx), attempt: ctx.attempt };
  }
}
