// The app's logger: one line per event on stderr, structured fields as JSON. Structurally the same
// as @x/http-core's Logger, so it is handed to the vendor clients as is. Secrets never reach it:
// fields named like secrets are dropped by the writer as a last line of defence.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };
const SECRET_NAME = /pass|secret|token|key|auth|cookie|credential/i;

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

export function cleanFields(fields: LogFields | undefined): LogFields | undefined {
  if (!fields) return undefined;
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) {
    out[k] = SECRET_NAME.test(k) ? '[redacted]' : v instanceof Error ? `${v.name}: ${v.message}` : v;
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

export const silentLogger: Logger = createLogger('silent');
