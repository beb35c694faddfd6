/**
 * Redaction. Headers are printed by allow-list (only known-safe names keep their value); query
 * parameters and body fields are redacted when their name looks secret; and every text the
 * package prints or throws is scrubbed of the raw secret values it knows about (auth provider
 * secrets and the values of secret-looking headers/parameters of the request at hand).
 */

/** What a redacted value is replaced with. */
export const REDACTED = '[REDACTED]';

/** Maximum length of body previews on errors. */
export const PREVIEW_LIMIT = 2048;

const SENSITIVE_NAME =
  /(auth|cookie|key|token|secret|passw|passphrase|pwd|signature|credential|session|jwt|bearer|csrf|xsrf|private|otp|^sig$)/;

/** True when a header, query parameter or body field with this name may carry a secret. */
export function isSensitiveName(name: string): boolean {
  return SENSITIVE_NAME.test(name.toLowerCase().replace(/[^a-z0-9]/g, ''));
}

/** Headers whose values are printed as they are (still scrubbed of known secret values). */
const SAFE_HEADERS: ReadonlySet<string> = new Set([
  'accept',
  'accept-encoding',
  'accept-language',
  'accept-ranges',
  'age',
  'allow',
  'cache-control',
  'connection',
  'content-disposition',
  'content-encoding',
  'content-language',
  'content-length',
  'content-range',
  'content-type',
  'date',
  'etag',
  'expires',
  'host',
  'idempotency-key',
  'keep-alive',
  'last-modified',
  'location',
  'pragma',
  'range',
  'ratelimit',
  'ratelimit-limit',
  'ratelimit-policy',
  'ratelimit-remaining',
  'ratelimit-reset',
  'request-id',
  'retry-after',
  'server',
  'strict-transport-security',
  'traceparent',
  'tracestate',
  'transfer-encoding',
  'user-agent',
  'vary',
  'via',
  'x-amz-request-id',
  'x-amzn-requestid',
  'x-content-type-options',
  'x-correlation-id',
  'x-ms-request-id',
  'x-powered-by',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
  'x-request-id',
]);

/** Extra names a client treats as secret, and extra headers it may print. */
export interface RedactOptions {
  /** Header names that are secret (in addition to the built-in rules). */
  headers?: readonly string[];
  /** Query parameter names that are secret. */
  queryParams?: readonly string[];
  /** Body field names that are secret. */
  bodyKeys?: readonly string[];
  /** Header names that are safe to print (added to the built-in allow-list). */
  allowHeaders?: readonly string[];
}

/** Headers as {@link redactHeaders} accepts them: a plain record (arrays and numbers allowed) or a `Headers`. */
export type HeaderInput = Record<string, string | readonly string[] | number | undefined> | Headers;

function lowerSet(names: readonly string[] | undefined): ReadonlySet<string> {
  return new Set((names ?? []).map((n) => n.toLowerCase()));
}

const MIN_SECRET_LENGTH = 4;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The spellings a secret may take in text: raw, URL-encoded, form-encoded, JSON-escaped. */
function secretVariants(secret: string): string[] {
  const variants = new Set<string>([secret]);
  try {
    variants.add(encodeURIComponent(secret));
    variants.add(new URLSearchParams({ s: secret }).toString().slice(2));
  } catch {
    // lone surrogates cannot be URL-encoded; the raw form is still scrubbed
  }
  variants.add(JSON.stringify(secret).slice(1, -1));
  return [...variants].filter((v) => v.length >= MIN_SECRET_LENGTH);
}

// `name=value` (query strings, form bodies, cookies) and `"name": "value"` (JSON) with a secret name.
const NAMED_VALUE = /([A-Za-z0-9_.-]*)(=|"\s*:\s*")([^&\s";,#]*)/g;
// `"name": 1234` (a numeric PIN or key in JSON text).
const NAMED_NUMBER = /"([A-Za-z0-9_.-]+)("\s*:\s*)(-?\d[\d.eE+-]*)/g;
// `name="value"` / `name='value'` (XML and HTML attributes, header parameters).
const QUOTED_ATTRIBUTE = /([A-Za-z_][\w.:-]*)(\s*=\s*)(["'])([^"'<>]*)\3/g;
// `<ns:name attr="…">content</ns:name>`; content may hold CDATA; an element cut off at the end of
// a preview (no closing tag) is redacted too.
const XML_ELEMENT = /<((?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*))(\s[^<>]*)?>((?:<!\[CDATA\[[\s\S]*?(?:\]\]>|$)|[^<])*)(<\/\1\s*>|$)/g;
const AUTH_SCHEME = /\b(Bearer|Basic|Digest|Token)\s+[A-Za-z0-9._~+/=-]+/gi;

/** Names compared the way `isSensitiveName` compares them: lower case, letters and digits only. */
function normalisedNames(names: readonly string[] | undefined): ReadonlySet<string> {
  return new Set((names ?? []).map((n) => n.toLowerCase().replace(/[^a-z0-9]/g, '')));
}

function isSecretName(name: string, extra: ReadonlySet<string>): boolean {
  return isSensitiveName(name) || (extra.size > 0 && extra.has(name.toLowerCase().replace(/[^a-z0-9]/g, '')));
}

/** Replaces `secrets` (every spelling) in `text`. */
function scrubSecrets(text: string, secrets: Iterable<string>): string {
  const variants: string[] = [];
  for (const secret of secrets) {
    if (typeof secret === 'string' && secret.length >= MIN_SECRET_LENGTH) variants.push(...secretVariants(secret));
  }
  if (variants.length === 0) return text;
  // Longest first so a secret containing another is replaced whole.
  variants.sort((a, b) => b.length - a.length);
  return text.replace(new RegExp(variants.map(escapeRegExp).join('|'), 'g'), REDACTED);
}

/** Blanks the content of XML elements whose (local) name looks secret: `<password>`, `<ns:authToken a="1">`. */
function scrubXml(text: string, extra: ReadonlySet<string>): string {
  if (!text.includes('<')) return text;
  return text.replace(XML_ELEMENT, (match, qname: string, local: string, attrs: string | undefined, content: string, close: string) =>
    content.length > 0 && isSecretName(local, extra) ? `<${qname}${attrs ?? ''}>${REDACTED}${close}` : match,
  );
}

/**
 * Scrubs `text` of the given secret values (in their raw, URL-, form- and JSON-encoded
 * spellings), of `Bearer …`/`Basic …` credentials, of `name=value`, `name="value"`,
 * `"name": "value"` and `"name": 123` pairs and of the content of `<name>…</name>` XML elements
 * whose name looks secret or is one of `names` (compared ignoring case and punctuation).
 */
export function redactText(text: string, secrets: Iterable<string> = [], names: readonly string[] = []): string {
  const extra = normalisedNames(names);
  let out = scrubSecrets(text, secrets);
  out = out.replace(AUTH_SCHEME, (_m, scheme: string) => `${scheme} ${REDACTED}`);
  out = scrubXml(out, extra);
  out = out.replace(QUOTED_ATTRIBUTE, (match, name: string, eq: string, quote: string, value: string) =>
    value.length > 0 && value !== REDACTED && isSecretName(name.slice(name.lastIndexOf(':') + 1), extra) ? `${name}${eq}${quote}${REDACTED}${quote}` : match,
  );
  out = out.replace(NAMED_VALUE, (match, name: string, sep: string, value: string) =>
    value.length > 0 && !value.startsWith(REDACTED) && !value.startsWith(`'${REDACTED}`) && isSecretName(name, extra) ? `${name}${sep}${REDACTED}` : match,
  );
  out = out.replace(NAMED_NUMBER, (match, name: string, sep: string) => (isSecretName(name, extra) ? `"${name}${sep}"${REDACTED}"` : match));
  return out;
}

/**
 * Headers for printing: lower-case names, allow-listed values kept (scrubbed of `secrets`),
 * every other value replaced by `[REDACTED]`. `extraNames` are always redacted.
 */
export function redactHeaders(
  headers: HeaderInput | undefined,
  extraNames: readonly string[] = [],
  secrets: Iterable<string> = [],
  allowNames: readonly string[] = [],
): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  const extra = lowerSet(extraNames);
  const allow = lowerSet(allowNames);
  const secretList = [...secrets];
  const entries: [string, unknown][] =
    typeof (headers as Headers).forEach === 'function' && typeof (headers as Headers).get === 'function'
      ? [...(headers as Headers).entries()]
      : Object.entries(headers);
  for (const [rawName, rawValue] of entries) {
    if (rawValue === undefined) continue;
    const name = rawName.toLowerCase();
    const value = Array.isArray(rawValue) ? rawValue.join(', ') : typeof rawValue === 'string' ? rawValue : JSON.stringify(rawValue);
    const safe = (SAFE_HEADERS.has(name) || allow.has(name)) && !extra.has(name) && !isSensitiveName(name);
    if (!safe) out[name] = REDACTED;
    else if (name === 'location' || name === 'content-location') out[name] = redactUrl(value, [], secretList);
    else out[name] = redactText(value, secretList);
  }
  return out;
}

/**
 * A URL for printing: user info removed, values of secret-looking (or `extraParams`) query
 * parameters replaced by `[REDACTED]`, the rest scrubbed of `secrets`.
 */
export function redactUrl(url: string | URL, extraParams: readonly string[] = [], secrets: Iterable<string> = []): string {
  const text = String(url);
  const extra = lowerSet(extraParams);
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return redactText(text, secrets);
  }
  let userInfo = false;
  if (parsed.username || parsed.password) {
    parsed.username = '';
    parsed.password = '';
    userInfo = true;
  }
  const query = parsed.search.length > 1 ? parsed.search.slice(1) : '';
  const pairs = query.length > 0 ? query.split('&') : [];
  const redactedPairs = pairs.map((pair) => {
    const eq = pair.indexOf('=');
    const rawName = eq === -1 ? pair : pair.slice(0, eq);
    let name = rawName;
    try {
      name = decodeURIComponent(rawName.replace(/\+/g, ' '));
    } catch {
      // keep the raw name
    }
    return (isSensitiveName(name) || extra.has(name.toLowerCase())) && eq !== -1 ? `${rawName}=${REDACTED}` : pair;
  });
  const base = userInfo ? `${parsed.protocol}//${parsed.host}${parsed.pathname}` : text.slice(0, text.length - parsed.search.length - parsed.hash.length);
  const search = redactedPairs.length > 0 ? `?${redactedPairs.join('&')}` : parsed.search === '?' ? '?' : '';
  return redactText(`${base}${search}${parsed.hash}`, secrets);
}

/**
 * A deep copy of a parsed JSON value for printing: fields with secret-looking (or `extraKeys`)
 * names replaced by `[REDACTED]`, strings scrubbed of `secrets`.
 */
export function redactJson(value: unknown, extraKeys: readonly string[] = [], secrets: Iterable<string> = []): unknown {
  const extra = lowerSet(extraKeys);
  const secretList = [...secrets];
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return redactText(v, secretList);
    if (typeof v !== 'object' || v === null) return v;
    if (depth > 32) return REDACTED;
    if (Array.isArray(v)) return v.map((item) => walk(item, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(v as Record<string, unknown>)) {
      out[key] = isSensitiveName(key) || extra.has(key.toLowerCase()) ? REDACTED : walk(item, depth + 1);
    }
    return out;
  };
  return walk(value, 0);
}

/** Cuts a text to `limit` characters, marking the cut. */
export function truncate(text: string, limit = PREVIEW_LIMIT): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}
