/** Errors a session raises itself (the ones from `connect()`/`run()` pass through unchanged). */
import { XError, type XErrorOptions } from '../errors.js';

/** Codes of SessionError. */
export type SessionErrorCode = 'SESSION_OVERFLOW' | 'SESSION_CONNECTION_LOST';

/**
 * `SESSION_OVERFLOW` (non-fatal report): `overflow: 'drop-oldest'` dropped items, `dropped` says how
 * many in this overflow run. `SESSION_CONNECTION_LOST` (fatal with `reconnect: false`): the
 * connection ended without an error of its own.
 */
export class SessionError extends XError {
  declare code: SessionErrorCode;
  /** Items dropped in this overflow run (0 for other codes). */
  readonly dropped: number;

  constructor(code: SessionErrorCode, message: string, options: Omit<XErrorOptions, 'code'> & { dropped?: number } = {}) {
    super(message, { ...options, code });
    this.dropped = options.dropped ?? 0;
  }
}
Object.defineProperty(SessionError.prototype, 'name', { value: 'SessionError', writable: true, configurable: true });
