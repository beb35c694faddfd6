import { consoleLogger, type Logger } from '@x/http-core';
import type { SeplLogLevel } from './config.js';

/**
 * A console logger (stderr-style sink) for a seed log level (`warning` → warn, `critical` →
 * error) whose lines say `[sepl-connector]` (`[sepl-connector:http]` for the HTTP layer).
 */
export function loggerFor(level: SeplLogLevel, sink?: Pick<Console, 'debug' | 'info' | 'warn' | 'error'>): Logger {
  const mapped = level === 'warning' ? 'warn' : level === 'critical' ? 'error' : level;
  return consoleLogger(mapped, sink ?? console, { namespace: 'sepl-connector' });
}
