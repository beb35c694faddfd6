/**
 * Bounded, redacted previews of raw data (a body, a frame, a parsed document) for errors and logs,
 * and the redactor object that carries a package's extra secret names and values. A package keeps
 * one redactor per client (its transport token registered with `addSecret`) and passes it to whatever
 * prints; `rawPreview` is a redactor that knows only the built-in rules.
 */
import { PREVIEW_LIMIT, REDACTED, redactJson, redactText, redactUrl } from './redact.js';

/** Per-call additions to what a preview redacts, and its bound. */
export interface RawPreviewOptions {
  /** Characters of content kept (the marker comes on top). Default 2048. */
  maxLength?: number;
  /** Exact secret values to blank out (values under 4 characters are too short to scrub and are ignored). */
  secrets?: readonly string[];
  /** Extra secret key, parameter and element names (compared ignoring case and punctuation). */
  names?: readonly string[];
}

/** Options of {@link createRedactor}. */
export interface RedactorOptions {
  /** Extra secret names of this redactor. */
  names?: readonly string[];
  /** Secret values known from the start (more with `addSecret`). */
  secrets?: readonly string[];
  /** Default preview bound in characters. Default 2048. */
  maxLength?: number;
}

/** Redacts and bounds untrusted or secret-bearing text with one set of secret names and values. */
export interface Redactor {
  /** A bounded, redacted text of a string, bytes (UTF-8, or hex when binary) or a parsed value. */
  preview(raw: unknown, options?: RawPreviewOptions): string;
  /** `text` scrubbed of secrets (not bounded). */
  text(text: string): string;
  /** A copy of a parsed value with secret fields replaced and strings scrubbed. */
  json(value: unknown): unknown;
  /** A URL with user info and secret parameters removed. */
  url(url: string | URL): string;
  /** Adds a secret value (a rotating token); returns a function that removes it again. */
  addSecret(value: string): () => void;
}

const TRUNCATED = '… [truncated, ';

function assertStrings(value: unknown, name: string): asserts value is readonly string[] | undefined {
  if (value === undefined) return;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new TypeError(`${name} must be an array of strings`);
  }
}

function assertMaxLength(value: unknown, name: string): asserts value is number | undefined {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be an integer >= 1, got ${typeof value === 'number' ? String(value) : typeof value}`);
  }
}

function assertPreviewOptions(options: unknown, where: string): asserts options is RawPreviewOptions | undefined {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where} must be an object`);
  const { maxLength, secrets, names } = options as Record<string, unknown>;
  assertMaxLength(maxLength, `${where}.maxLength`);
  assertStrings(secrets, `${where}.secrets`);
  assertStrings(names, `${where}.names`);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
// Text a person can read: no control characters other than tab, CR and LF.
// eslint-disable-next-line no-control-regex
const BINARY = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** Bytes as text: UTF-8 when they are printable text, else `hex:` and lower-case hex. */
function bytesText(bytes: Uint8Array, window: number, secrets: readonly string[]): { text: string; total: number; cut: boolean } {
  const head = bytes.subarray(0, window);
  let decoded: string | undefined;
  try {
    // `stream: true` tolerates a character cut at the end of the window.
    decoded = utf8.decode(head, { stream: true });
  } catch {
    decoded = undefined;
  }
  if (decoded !== undefined && !BINARY.test(decoded)) return { text: decoded, total: bytes.byteLength, cut: head.byteLength < bytes.byteLength };
  const hexWindow = Math.ceil(window / 2);
  let hex = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, hexWindow)).toString('hex');
  // A secret inside a binary frame is still a secret: blank its hex spelling.
  for (const secret of secrets) {
    if (secret.length >= 4) hex = hex.split(Buffer.from(secret, 'utf8').toString('hex')).join(REDACTED);
  }
  return { text: `hex:${hex}`, total: bytes.byteLength, cut: hexWindow < bytes.byteLength };
}

function jsonText(value: unknown, names: readonly string[], secrets: readonly string[]): string {
  if (value === undefined) return '';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'symbol' || typeof value === 'function') return `[${typeof value}]`;
  try {
    return JSON.stringify(redactJson(value, names, secrets)) ?? '';
  } catch {
    // A BigInt inside an object, or a throwing toJSON.
    return '[unserialisable]';
  }
}

interface Source {
  text: string;
  /** Length of the whole input, in its own unit (characters or bytes). */
  total: number;
  unit: 'chars' | 'bytes';
  /** True when `text` is only a window of the input. */
  cut: boolean;
}

function sourceOf(raw: unknown, window: number, names: readonly string[], secrets: readonly string[]): Source {
  if (typeof raw === 'string') return { text: raw.slice(0, window), total: raw.length, unit: 'chars', cut: raw.length > window };
  if (raw instanceof ArrayBuffer) raw = new Uint8Array(raw);
  if (raw instanceof Uint8Array) return { ...bytesText(raw, window, secrets), unit: 'bytes' };
  const text = jsonText(raw, names, secrets);
  return { text: text.slice(0, window), total: text.length, unit: 'chars', cut: text.length > window };
}

function preview(raw: unknown, maxLength: number, names: readonly string[], secrets: readonly string[]): string {
  const longestSecret = secrets.reduce((max, s) => Math.max(max, s.length * 6), 0);
  // Redact a window a bit larger than the bound, so that redaction sees whole values near the cut.
  const margin = Math.max(256, longestSecret);
  const source = sourceOf(raw, maxLength + margin, names, secrets);
  let text = redactText(source.text, secrets, names);
  // The window's tail may hold part of a secret that was cut off: never show it.
  if (source.cut) text = text.slice(0, Math.max(0, text.length - margin));
  if (!source.cut && text.length <= maxLength) return text;
  return `${text.slice(0, maxLength)}${TRUNCATED}${source.total} ${source.unit}]`;
}

/**
 * A redactor with its own extra names and secret values. Pass it around (one per client) rather
 * than registering secrets process-wide.
 */
export function createRedactor(options: RedactorOptions = {}): Redactor {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  assertStrings(options.names, 'options.names');
  assertStrings(options.secrets, 'options.secrets');
  assertMaxLength(options.maxLength, 'options.maxLength');
  const names = [...(options.names ?? [])];
  const defaultMax = options.maxLength ?? PREVIEW_LIMIT;
  // Counted, so two owners of the same value can each remove theirs.
  const secrets = new Map<string, number>();
  for (const secret of options.secrets ?? []) secrets.set(secret, (secrets.get(secret) ?? 0) + 1);
  const allSecrets = (extra: readonly string[] = []): string[] => [...secrets.keys(), ...extra];

  return {
    preview(raw, previewOptions) {
      assertPreviewOptions(previewOptions, 'options');
      const allNames = previewOptions?.names ? [...names, ...previewOptions.names] : names;
      return preview(raw, previewOptions?.maxLength ?? defaultMax, allNames, allSecrets(previewOptions?.secrets));
    },
    text: (text) => redactText(String(text), allSecrets(), names),
    json: (value) => redactJson(value, names, allSecrets()),
    url: (url) => redactUrl(url, names, allSecrets()),
    addSecret(value) {
      if (typeof value !== 'string') throw new TypeError(`secret must be a string, got ${typeof value}`);
      secrets.set(value, (secrets.get(value) ?? 0) + 1);
      let removed = false;
      return () => {
        if (removed) return;
        removed = true;
        const count = (secrets.get(value) ?? 1) - 1;
        if (count <= 0) secrets.delete(value);
        else secrets.set(value, count);
      };
    },
  };
}

const builtIn = createRedactor();

/**
 * A bounded (default 2048 characters, then `… [truncated, N chars|bytes]`), redacted preview of
 * raw data: a string, bytes (UTF-8 text, or `hex:…` when binary) or a parsed JSON value.
 */
export function rawPreview(raw: unknown, options?: RawPreviewOptions): string {
  return builtIn.preview(raw, options);
}
