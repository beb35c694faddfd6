/** The session base: one vocabulary, one loop, one iterator for every long-lived connection. */
export { Session } from './session.js';
export { createSession } from './create-session.js';
export type { SessionHooks } from './create-session.js';
export { SessionError } from './errors.js';
export type { SessionErrorCode } from './errors.js';
export { isFatalByDefault } from './fatal.js';
export type { ConnectAttempt, ConnectionContext } from './context.js';
export type {
  ClosedEvent,
  ConnectedEvent,
  ConnectingEvent,
  DisconnectReason,
  DisconnectedEvent,
  ReconnectingEvent,
  SessionEvents,
  SessionState,
  SessionStats,
} from './events.js';
export type { OverflowStrategy, SessionOptions, SessionReconnectOptions } from './options.js';
