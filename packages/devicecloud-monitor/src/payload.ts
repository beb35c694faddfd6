/** Decoding of a pushed document: optional zlib inflate (with an output cap), then JSON or XML. */
import { inflateRawSync, inflateSync } from 'node:zlib';
import type { Redactor } from '@x/http-core';
import { PushProtocolError } from './errors.js';
import { normalizeDocument, type MonitorEvent } from './events.js';
import type { Compression, Format } from './frame.js';
import { createXmlParser } from './xml.js';

export const DEFAULT_MAX_INFLATED_BYTES = 64 * 1024 * 1024;

const xmlParser = createXmlParser(['Msg']);

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
 * Parses a document (already inflated) by format into typed events. `redactor` scrubs extra
 * secrets (an HTTP monitor's transport token) from the raw preview of a failure.
 */
export function parseDocument(bytes: Buffer, format: Format, redactor?: Redactor): MonitorEvent[] {
  let doc: unknown;
  try {
    doc = format === 'json' ? JSON.parse(bytes.toString('utf8')) : xmlParser.parse(bytes.toString('utf8'), true);
  } catch (err) {
    throw new PushProtocolError('BAD_DOCUMENT', `monitor document is not valid ${format.toUpperCase()}`, bytes, { cause: err, redactor });
  }
  return normalizeDocument(doc, bytes, redactor);
}

/** Inflate (when flagged) and parse. */
export function decodeDocument(
  data: Buffer,
  compression: Compression,
  format: Format,
  maxInflatedBytes = DEFAULT_MAX_INFLATED_BYTES,
): MonitorEvent[] {
  if (compression === 'none' && data.length > maxInflatedBytes) {
    throw new PushProtocolError('DOCUMENT_TOO_LARGE', `document of ${data.length} bytes exceeds ${maxInflatedBytes}`, data);
  }
  const plain = compression === 'zlib' ? inflateCapped(data, maxInflatedBytes) : data;
  return parseDocument(plain, format);
}
