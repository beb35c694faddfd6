/**
 * LG's language packs: JSON documents `{ "pack": { "@WM_STATE_RUNNING_W": "Washing", … } }` at the
 * signed object-store links a device record names (`langPackModelUri`/`Url`, `langPackProductTypeUri`/
 * `Url`) and at the account's common link (`langPackCommonUri`). Fetched without auth, cached per URL,
 * merged model over product type over common. A pack that cannot be loaded is skipped (the display
 * layer then falls back to its own tables and the humaniser).
 */
import {
  AbortError,
  createHttpClient,
  isAbortError,
  namespacedLogger,
  silentLogger,
  validateClientOptionsBase,
  type CallOptions,
  type ClientOptionsBase,
  type HttpClient,
  type Logger,
} from '@x/http-core';
import { callOptions } from '../call-options.js';
import { MalformedResponseError } from '../errors.js';
import { USER_AGENT } from '../version.js';
import type { LangPack } from './display.js';

/** Where a device's lang packs are; any may be missing. */
export interface LangPackUris {
  /** The model's own pack (`langPackModelUri`, v1 `langPackModelUrl`): wins over the others. */
  model?: string;
  /** The product type's pack (`langPackProductTypeUri`, v1 `langPackProductTypeUrl`). */
  productType?: string;
  /** The account's common pack (`langPackCommonUri` of the gateway or dashboard). */
  common?: string;
}

/** Options of `LangPackLoader`: the @x/http-core client base (timeouts, TLS, dispatcher, logger…). */
export interface LangPackLoaderOptions extends ClientOptionsBase {
  /** Packs kept in memory (least recently used dropped first). Default 64. */
  maxCached?: number;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const firstString = (record: Record<string, unknown>, keys: readonly string[]): string | undefined => {
  for (const k of keys) {
    const v = record[k];
    if (typeof v === 'string' && /^https?:\/\//i.test(v)) return v;
  }
  return undefined;
};

/**
 * The lang-pack links of a device record (a `V1Device`, its `raw`, or a v2 device record): the
 * `…Uri` (v2) or `…Url` (v1) keys; placeholders that are not http(s) URLs are ignored.
 */
export function langPackUris(device: object, common?: string): LangPackUris {
  if (!isRecord(device)) throw new TypeError('device must be a device record');
  if (common !== undefined && typeof common !== 'string') throw new TypeError('common must be a string');
  const record = isRecord(device.raw) ? device.raw : device;
  const out: LangPackUris = {};
  const model = firstString(record, ['langPackModelUri', 'langPackModelUrl']);
  const productType = firstString(record, ['langPackProductTypeUri', 'langPackProductTypeUrl']);
  if (model !== undefined) out.model = model;
  if (productType !== undefined) out.productType = productType;
  if (common !== undefined && /^https?:\/\//i.test(common)) out.common = common;
  return out;
}

/** The words of one lang-pack document (`pack`: label → text); MalformedResponseError when it has none. */
export function parseLangPack(document: unknown): LangPack {
  if (!isRecord(document) || !isRecord(document.pack)) throw new MalformedResponseError('lang pack has no `pack` object', document);
  const out: Record<string, string> = {};
  for (const [label, text] of Object.entries(document.pack)) if (typeof text === 'string' && text.trim() !== '') out[label] = text;
  return Object.freeze(out);
}

/** The text of a pack's bytes: a BOM names the encoding; else UTF-8, or Windows-1252 when it is not valid UTF-8 (ollo69 sniffs the charset too). */
export function decodeLangPackText(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/** `shared`, or an AbortError as soon as `signal` aborts (the shared work goes on for the others). */
function waitUnlessAborted<T>(shared: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const stop = (): void => reject(new AbortError(signal.reason));
    signal.addEventListener('abort', stop, { once: true });
    shared.then(resolve, reject).finally(() => signal.removeEventListener('abort', stop));
  });
}

/**
 * Loads LG lang packs for the display layer's `words`:
 * `displayValue(label, { words: await loader.load(langPackUris(device)) })`.
 */
export class LangPackLoader {
  readonly #http: HttpClient;
  readonly #logger: Logger;
  readonly #cache = new Map<string, LangPack>();
  /** Fetches in flight by URL: concurrent callers of one uncached pack share one request. */
  readonly #loading = new Map<string, Promise<LangPack>>();
  /** Aborts the shared fetches on `close()` (no caller's signal may stop another caller's fetch). */
  readonly #closed = new AbortController();
  readonly #maxCached: number;

  constructor(options: LangPackLoaderOptions = {}) {
    validateClientOptionsBase(options, 'LangPackLoader options');
    const { maxCached = 64, ...base } = options;
    if (!Number.isInteger(maxCached) || maxCached < 1) throw new RangeError('LangPackLoader options.maxCached must be a positive integer');
    this.#maxCached = maxCached;
    this.#logger = namespacedLogger(options.logger ?? silentLogger, 'thinq');
    this.#http = createHttpClient({
      ...base,
      logger: this.#logger,
      userAgent: options.userAgent ?? USER_AGENT,
      // The signed link's token (`hdnts=exp=…~hmac=…`) stays out of logs and errors.
      redact: { queryParams: ['hdnts'] },
      maxResponseBytes: 8 * 1024 * 1024,
    });
  }

  /**
   * One pack's words (cached per URL). Concurrent calls for a URL that is not cached yet share one
   * request, made with the first caller's `timeoutInMs` and `deadlineInMs`; each caller's `signal`
   * stops only its own wait. Throws what the fetch or `parseLangPack` throws.
   */
  async pack(url: string, options?: CallOptions): Promise<LangPack> {
    if (typeof url !== 'string' || !/^https?:\/\//i.test(url)) throw new TypeError('url must be an http(s) URL');
    const call = callOptions(options, 'pack() options');
    const cached = this.#cache.get(url);
    if (cached !== undefined) {
      this.#cache.delete(url);
      this.#cache.set(url, cached);
      return cached;
    }
    if (call.signal?.aborted) throw new AbortError(call.signal.reason);
    let loading = this.#loading.get(url);
    if (loading === undefined) {
      const { signal: _own, ...limits } = call;
      loading = this.#fetch(url, limits).finally(() => this.#loading.delete(url));
      this.#loading.set(url, loading);
    }
    return call.signal ? waitUnlessAborted(loading, call.signal) : loading;
  }

  async #fetch(url: string, limits: CallOptions): Promise<LangPack> {
    const res = await this.#http.request<Uint8Array>({ method: 'GET', path: url, responseType: 'bytes', ...limits, signal: this.#closed.signal });
    const text = decodeLangPackText(res.body);
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (cause) {
      throw new MalformedResponseError('lang pack is not JSON', text, { cause });
    }
    const words = parseLangPack(document);
    this.#cache.set(url, words);
    if (this.#cache.size > this.#maxCached) this.#cache.delete(this.#cache.keys().next().value as string);
    return words;
  }

  /**
   * The merged words of a device's packs: the model's win over the product type's, which win over
   * the common pack. A pack that fails is logged (warn) and skipped; only an abort rejects.
   */
  async load(uris: LangPackUris, options?: CallOptions): Promise<LangPack> {
    if (!isRecord(uris)) throw new TypeError('uris must be an object of lang-pack URLs');
    const call = callOptions(options, 'load() options');
    const order = [uris.common, uris.productType, uris.model].filter((u): u is string => typeof u === 'string' && u !== '');
    const packs = await Promise.all(
      order.map(async (url) => {
        try {
          return await this.pack(url, call);
        } catch (error) {
          if (isAbortError(error) || call.signal?.aborted === true) throw error;
          this.#logger.warn(`lang pack skipped: ${error instanceof Error ? error.message : String(error)}`);
          return {};
        }
      }),
    );
    return Object.freeze(Object.assign({}, ...packs) as Record<string, string>);
  }

  /** Stops the fetches in flight and releases the HTTP connections. */
  async close(): Promise<void> {
    this.#closed.abort(new AbortError(undefined, 'the lang-pack loader was closed'));
    await this.#http.close();
  }
}
