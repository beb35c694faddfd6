import { Readable } from 'node:stream';
import { redactUrl } from '../redact.js';
import type { QueryParams, QueryValue, RequestOptions } from './types.js';

const ABSOLUTE_URL = /^[a-z][a-z0-9+.-]*:\/\//i;
/** Relative paths the URL parser would keep byte for byte (no query, fragment, spaces, backslashes …). */
const SIMPLE_RELATIVE_PATH = /^[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;
const DOT_SEGMENT = /(^|\/)\.{1,2}(\/|$)|%2e/i;

/** A client's base URL, normalised to end in `/`. */
export interface BaseUrl {
  href: string;
  origin: string;
  path: string;
}

export interface RequestTarget {
  /** The full URL as sent (normalised like the WHATWG URL parser would). */
  url: string;
  origin: string;
  pathAndQuery: string;
  /** An absolute URL on another origin than the base URL. */
  otherOrigin: boolean;
}

/** Parses and normalises the `baseUrl` option (query and fragment dropped, trailing `/`). */
export function parseBaseUrl(value: string | URL | undefined): BaseUrl | undefined {
  if (value === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(String(value));
  } catch {
    throw new TypeError(`baseUrl must be an absolute URL, got ${redactUrl(String(value))}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new TypeError('baseUrl must be an http: or https: URL');
  parsed.search = '';
  parsed.hash = '';
  return {
    href: parsed.href.endsWith('/') ? parsed.href : `${parsed.href}/`,
    origin: parsed.origin,
    path: parsed.pathname.endsWith('/') ? parsed.pathname : `${parsed.pathname}/`,
  };
}

/** Characters `encodeURIComponent` keeps but form encoding (URLSearchParams) escapes. */
const FORM_EXTRA = /[!'()~]|%20/g;
const FORM_EXTRA_TEST = /[!'()~]|%20/;
const FORM_ESCAPES: Readonly<Record<string, string>> = { '!': '%21', "'": '%27', '(': '%28', ')': '%29', '~': '%7E', '%20': '+' };
const FORM_SAFE = /^[A-Za-z0-9*\-._]*$/;

/** One name or value encoded exactly as URLSearchParams would (without building one per call). */
function formEncode(text: string): string {
  if (FORM_SAFE.test(text)) return text;
  let encoded: string;
  try {
    encoded = encodeURIComponent(text);
  } catch {
    // A lone surrogate: URLSearchParams writes U+FFFD for it.
    return new URLSearchParams([['', text]]).toString().slice(1);
  }
  return FORM_EXTRA_TEST.test(encoded) ? encoded.replace(FORM_EXTRA, (match) => FORM_ESCAPES[match] as string) : encoded;
}

function queryString(query: QueryParams): string {
  if (typeof query !== 'object' || query === null) throw new TypeError('query must be an object or URLSearchParams');
  if (query instanceof URLSearchParams) return query.toString();
  let out = '';
  for (const key of Object.keys(query)) {
    const value = query[key];
    const list: readonly QueryValue[] = Array.isArray(value) ? (value as readonly QueryValue[]) : [value as QueryValue];
    for (const item of list) {
      if (item === undefined || item === null) continue;
      if (typeof item === 'object' || typeof item === 'function' || typeof item === 'symbol') {
        throw new TypeError(`query.${key} must be a string, number, boolean or an array of them`);
      }
      out += `${out === '' ? '' : '&'}${formEncode(key)}=${formEncode(String(item))}`;
    }
  }
  return out;
}

/** `url` with the query appended (`?` or `&`); with `url === ''` just the `?…` part (or ''). */
function appendQuery(url: string, query: QueryParams | undefined): string {
  if (query === undefined) return url;
  const search = queryString(query);
  if (search === '') return url;
  const hash = url.indexOf('#');
  const head = hash === -1 ? url : url.slice(0, hash);
  return `${head}${head.includes('?') ? '&' : '?'}${search}`;
}

/**
 * Resolves a request path (relative to `base`, a leading `/` included, or absolute) plus query
 * parameters. Relative paths the URL parser would keep byte for byte skip the parser.
 */
export function resolveTarget(base: BaseUrl | undefined, path: string, query: QueryParams | undefined, extraParams: readonly string[] = []): RequestTarget {
  const absolute = ABSOLUTE_URL.test(path);
  if (!absolute && base === undefined) throw new TypeError('path must be an absolute URL when the client has no baseUrl');
  const relative = absolute ? '' : path.replace(/^\/+/, '');
  if (base !== undefined && !absolute && SIMPLE_RELATIVE_PATH.test(relative) && !DOT_SEGMENT.test(relative)) {
    const search = appendQuery('', query);
    return { url: `${base.href}${relative}${search}`, origin: base.origin, pathAndQuery: `${base.path}${relative}${search}`, otherOrigin: false };
  }
  const joined = appendQuery(absolute ? path : `${base?.href ?? ''}${relative}`, query);
  let parsed: URL;
  try {
    parsed = new URL(joined);
  } catch {
    throw new TypeError(`path does not form a valid URL: ${redactUrl(joined, extraParams)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new TypeError('path must be an http: or https: URL');
  return {
    url: parsed.href,
    origin: parsed.origin,
    pathAndQuery: `${parsed.pathname}${parsed.search}`,
    otherOrigin: absolute && parsed.origin !== base?.origin,
  };
}

/** Copies `headers` into `into` with lower-case names, validating the values. */
export function lowerCaseHeaders(name: string, headers: Record<string, string | undefined> | undefined, into: Record<string, string>): void {
  if (headers === undefined) return;
  if (typeof headers !== 'object' || headers === null) throw new TypeError(`${name} must be an object`);
  for (const key of Object.keys(headers)) {
    const value = headers[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw new TypeError(`${name}.${key} must be a string`);
    into[key.toLowerCase()] = value;
  }
}

/**
 * undici's response headers with repeated values joined by `, `. undici makes a fresh object per
 * response, so one without repeated (or missing) values is returned as it is, not copied.
 */
export function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  let flat = true;
  for (const key in headers) {
    if (typeof headers[key] !== 'string') {
      flat = false;
      break;
    }
  }
  if (flat) return headers as Record<string, string>;
  const out: Record<string, string> = {};
  for (const key of Object.keys(headers)) {
    const value = headers[key];
    if (value === undefined) continue;
    out[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

export interface EncodedBody {
  body: string | Uint8Array | Readable | undefined;
  contentType: string | undefined;
  replayable: boolean;
}

const NO_BODY: EncodedBody = Object.freeze({ body: undefined, contentType: undefined, replayable: true });

/** The request body of `json`, `form` or `body` (at most one), with its content type. */
export function encodeBody(options: RequestOptions): EncodedBody {
  const { json, form, body } = options;
  if (json === undefined && form === undefined && body === undefined) return NO_BODY;
  const given = (json !== undefined ? 1 : 0) + (form !== undefined ? 1 : 0) + (body !== undefined ? 1 : 0);
  if (given > 1) throw new TypeError('Pass only one of json, form and body');
  if (json !== undefined) return { body: JSON.stringify(json), contentType: 'application/json', replayable: true };
  if (form !== undefined) {
    if (typeof form !== 'object' || form === null) throw new TypeError('form must be an object or URLSearchParams');
    const params = form instanceof URLSearchParams ? form : new URLSearchParams(form);
    return { body: params.toString(), contentType: 'application/x-www-form-urlencoded', replayable: true };
  }
  if (typeof body === 'string' || body instanceof Uint8Array) return { body, contentType: undefined, replayable: true };
  if (body instanceof Readable) return { body, contentType: undefined, replayable: false };
  throw new TypeError('body must be a string, a Uint8Array or a Readable stream');
}
