/** Decoding of a pushed document: optional zlib inflate (with an output cap), then JSON or XML. */
import { TextDecoder } from 'node:util';
import { inflateRawSync, inflateSync } from 'node:zlib';
import type { Redactor } from '@x/http-core';
import { parseJson } from './json-exact.js';
import { PushProtocolError } from './errors.js';
import { normalizeDocument, type DecodeOptions, type MonitorEvent } from './events.js';
import type { Compression, Format } from './frame.js';
import { readXml } from './xml-reader.js';

export const DEFAULT_MAX_INFLATED_BYTES = 64 * 1024 * 1024;

const ALWAYS_ARRAYS: ReadonlySet<string> = new Set(['Msg']);
const DECLARED_ENCODING = /^\uFEFF?<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/;
const UTF8_LABELS = new Set(['utf-8', 'utf8', 'unicode-1-1-utf-8']);

/** XML text by its declared encoding (`<?xml … encoding="ISO-8859-1"?>`); UTF-8 when none is declared. */
export function xmlText(bytes: Buffer): string {
  const head = bytes.toString('latin1', 0, Math.min(bytes.length, 256));
  const label = DECLARED_ENCODING.exec(head)?.[1]?.toLowerCase();
  if (label === undefined || UTF8_LABELS.has(label)) return bytes.toString('utf8');
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label);
  } catch (err) {
    throw new SyntaxError(`unsupported XML encoding ${label}`, { cause: err });
  }
  return decoder.decode(bytes);
}

function isSizeError(err: unknown): boolean {
  return (
    err instanceof RangeError ||
    (typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE')
  );
}

/**
 * Inflates a zlib (RFC 1950) stream; raw deflate is accepted when the zlib header is missing.
 * More than `maxBytes` of output is a PushProtocolError (`INFLATED_TOO_LARGE`).
 */
export function inflateCapped(data: Buffer, maxBytes = DEFAULT_MAX_INFLATED_BYTES, redactor?: Redactor): Buffer {
  const options = { maxOutputLength: maxBytes };
  const zlibHeader = data.length >= 2 && (data[0]! & 0x0f) === 8 && ((data[0]! << 8) | data[1]!) % 31 === 0;
  try {
    return zlibHeader ? inflateSync(data, options) : inflateRawSync(data, options);
  } catch (err) {
    if (isSizeError(err)) {
      throw new PushProtocolError('INFLATED_TOO_LARGE', `compressed document inflates to more than ${maxBytes} bytes`, data, { cause: err, redactor });
    }
    throw new PushProtocolError('BAD_COMPRESSION', 'compressed document cannot be inflated', data, { cause: err, redactor });
  }
}

/**
 * Parses a document (already inflated) by format into typed events. `options.redactor` scrubs extra
 * secrets (an HTTP monitor's transport token) from the raw preview of a failure; `options.longs`
 * keeps LONG data exact.
 */
export function parseDocument(bytes: Buffer, format: Format, options: DecodeOptions = {}): MonitorEvent[] {
  const { redactor } = options;
  let doc: unknown;
  try {
    doc = format === 'json' ? parseJson(bytes.toString('utf8'), (options.longs ?? 'number') !== 'number') : readXml(xmlText(bytes), ALWAYS_ARRAYS);
  } catch (err) {
    throw new PushProtocolError('BAD_DOCUMENT', `monitor document is not valid ${format.toUpperCase()}`, bytes, { cause: err, redactor });
  }
  return normalizeDocument(doc, bytes, options);
}

/** Inflate (when flagged) and parse. */
export function decodeDocument(
  data: Buffer,
  compression: Compression,
  format: Format,
  maxInflatedBytes = DEFAULT_MAX_INFLATED_BYTES,
  options: DecodeOptions = {},
): MonitorEvent[] {
  if (compression === 'none' && data.length > maxInflatedBytes) {
    throw new PushProtocolError('DOCUMENT_TOO_LARGE', `document of ${data.length} bytes exceeds ${maxInflatedBytes}`, data);
  }
  const plain = compression === 'zlib' ? inflateCapped(data, maxInflatedBytes) : data;
  return parseDocument(plain, format, options);
}
