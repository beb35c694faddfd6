import { Readable } from 'node:stream';
import type { CallContext, Redaction } from './context.js';
import type { HttpResponse, ResponseMetadata } from './types.js';

/** A successful response; the redacted URL and `$metadata` are computed when first read. */
export class ClientResponse<T> implements HttpResponse<T> {
  readonly attempts: number;
  readonly retryDelayInMs: number;
  readonly requestId: string;
  #url: string | undefined;
  #ctx: CallContext | undefined;
  #redaction: Redaction | undefined;

  constructor(
    readonly status: number,
    readonly headers: Record<string, string>,
    readonly body: T,
    ctx: CallContext,
    redaction: Redaction,
  ) {
    this.attempts = ctx.attempt;
    this.retryDelayInMs = ctx.retryDelayInMs;
    this.requestId = ctx.requestId;
    this.#ctx = ctx;
    this.#redaction = redaction;
  }

  get url(): string {
    if (this.#url === undefined) {
      this.#url = (this.#redaction as Redaction).lazyUrl(this.#ctx as CallContext);
      // Computed once: the call's context is not kept alive by the result.
      this.#ctx = undefined;
      this.#redaction = undefined;
    }
    return this.#url;
  }

  get $metadata(): ResponseMetadata {
    return { attempts: this.attempts, requestId: this.requestId, totalRetryDelayInMs: this.retryDelayInMs, status: this.status };
  }

  toJSON(): Record<string, unknown> {
    return {
      status: this.status,
      headers: this.headers,
      ...(this.body instanceof Readable ? {} : { body: this.body }),
      attempts: this.attempts,
      retryDelayInMs: this.retryDelayInMs,
      requestId: this.requestId,
      url: this.url,
      $metadata: this.$metadata,
    };
  }
}
