/** The connector's state, the same for every protocol: the session base's states in the connector's words. */
import type { SessionState } from '@x/http-core';

export type ConnectorState = 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'closed';

const STATES: Record<SessionState, ConnectorState> = {
  idle: 'idle',
  connecting: 'connecting',
  connected: 'ready',
  reconnecting: 'reconnecting',
  closing: 'closed',
  closed: 'closed',
};

/** The connector state of a session state. */
export function connectorState(state: SessionState): ConnectorState {
  return STATES[state];
}

