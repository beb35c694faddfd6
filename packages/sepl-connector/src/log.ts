import { consoleLogger, type Logger } from '@x/http-core';
import type { SeplLogLevel } from './config.js';

/** A console logger (stderr-style sink) for a seed log level: `warning` → warn, `critical` → error. */
export function loggerFor(level: SeplLogLevel, sink?: Pick<Console, 'debug' | 'info' | 'warn' | 'error'>): Logger {
  const mapped = level === 'warning' ? 'warn' : level === 'critical' ? 'error' : level;
  return sink ? consoleLogger(mapped, sink) : consoleLogger(mapped);
}
