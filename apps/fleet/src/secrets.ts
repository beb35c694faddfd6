// The configured secrets (vendor passwords, keys, tokens, the database password, the access
// token) and the last line of defence that keeps them out of everything the app prints or
// serves: log lines, vendor state reasons (/api/status, the `vendor` event, the page) and
// command errors. Vendor clients already redact what they know; this catches any text that
// still carries a configured secret (a library's error message echoing a URL or a body).
import { redactJson, redactText } from '@x/http-core';
import type { FleetConfig } from './config.js';
import type { LogFields, Logger } from './log.js';
import { VENDOR_INFO } from './vendor-info.js';

/** Returns the text with every configured secret (raw, URL- or JSON-encoded) replaced. */
export type Scrub = (text: string) => string;

export const noScrub: Scrub = (text) => text;

/** The secret values of a configuration (the registry's secret fields; empty ones are ignored). */
export function configSecrets(config: FleetConfig): string[] {
  const out: unknown[] = [config.server.accessToken];
  for (const vendor of VENDOR_INFO) {
    const section = config[vendor.id] as Readonly<Record<string, unknown>> | undefined;
    if (section) for (const field of vendor.secretFields) out.push(section[field]);
  }
  out.push(databasePassword(config.storage.databaseUrl));
  return out.filter((s): s is string => typeof s === 'string' && s.length > 0);
}

function databasePassword(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const password = new URL(url).password;
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    return undefined;
  }
}

/** A Scrub over `secrets`, read on every call (so secrets added later count too). */
export function createScrub(secrets: readonly string[]): Scrub {
  return (text) => redactText(text, secrets);
}

/** `logger` with messages and fields scrubbed (Error fields become their scrubbed message). */
export function scrubbingLogger(logger: Logger, secrets: readonly string[]): Logger {
  const clean = (fields: LogFields | undefined): LogFields | undefined => {
    if (!fields) return undefined;
    const plain: LogFields = {};
    for (const [k, v] of Object.entries(fields)) plain[k] = v instanceof Error ? `${v.name}: ${v.message}` : v;
    return redactJson(plain, [], secrets) as LogFields;
  };
  const at =
    (level: keyof Logger) =>
    (message: string, fields?: LogFields): void => {
      const f = clean(fields);
      if (f === undefined) logger[level](redactText(message, secrets));
      else logger[level](redactText(message, secrets), f);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
