// The app's logger: one line per event on stderr (a timestamp, the level, the message, structured
// fields as JSON). It is @x/http-core's Logger, so it is handed to the vendor clients as is, and
// fields named like secrets (http-core's rule) are replaced as a last line of defence; the app
// also scrubs configured secret values (secrets.ts).
import { REDACTED, isSensitiveName, silentLogger, type LogFields, type Logger } from '@x/http-core';

export type { LogFields, Logger };
export { silentLogger };

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

function cleanFields(fields: LogFields | undefined): LogFields | undefined {
  if (!fields) return undefined;
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) {
    out[k] = isSensitiveName(k) ? REDACTED : v instanceof Error ? `${v.name}: ${v.message}` : v;
  }
  return out;
}

export function createLogger(level: LogLevel, write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const at = (l: Exclude<LogLevel, 'silent'>) => (message: string, fields?: LogFields) => {
    if (ORDER[l] < ORDER[level]) return;
    const clean = cleanFields(fields);
    const extra = clean && Object.keys(clean).length > 0 ? ` ${JSON.stringify(clean)}` : '';
    write(`${new Date().toISOString()} ${l.padEnd(5)} ${message}${extra}\n`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
