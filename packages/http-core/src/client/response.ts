import { Readable } from 'node:stream';
import type { HttpResponse, ResponseMetadata } from './types.js';

/** A successful response; the redacted URL and `$metadata` are computed when first read. */
export class ClientResponse<T> implements HttpResponse<T> {
  #url: string | undefined;
  readonly #makeUrl: () => string;

  constructor(
    readonly status: number,
    readonly headers: Record<string, string>,
    readonly body: T,
    readonly attempts: number,
    readonly retryDelayInMs: number,
    readonly requestId: string,
    makeUrl: () => string,
  ) {
    this.#makeUrl = makeUrl;
  }

  get url(): string {
    this.#url ??= this.#makeUrl();
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
