// A `ca` setting: the PEM text itself, or the path of a PEM file read while the configuration is
// read (so a missing or wrong file stops `fleet start` with the key and the path, not a TLS failure later).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Reader } from './config-read.js';

const PEM_CERTIFICATE = '-----BEGIN CERTIFICATE-----';
const PEM_HINT = `a PEM certificate (${PEM_CERTIFICATE})`;

/**
 * `reader`'s `key` as PEM text: a value starting with `-----BEGIN` is the PEM itself; anything else
 * is the path of a PEM file (relative to the working directory), read now. Each problem is an issue
 * naming the key (and the resolved path); the result is then undefined.
 */
export function readCaSetting(reader: Reader, key: string): string | undefined {
  const value = reader.string(key);
  if (value === undefined) return undefined;
  if (value.startsWith('-----BEGIN')) {
    if (value.includes(PEM_CERTIFICATE)) return value;
    reader.issues.push(`${reader.at(key)}: expected ${PEM_HINT}, got PEM text without one`);
    return undefined;
  }
  const path = resolve(value);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    reader.issues.push(`${reader.at(key)}: cannot read the CA file ${path} (${code}); expected ${PEM_HINT} or the path of a file holding one`);
    return undefined;
  }
  if (!text.includes(PEM_CERTIFICATE)) {
    reader.issues.push(`${reader.at(key)}: the CA file ${path} holds no PEM certificate (${PEM_CERTIFICATE})`);
    return undefined;
  }
  return text;
}
