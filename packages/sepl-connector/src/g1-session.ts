import type { SeplCommand } from './command.js';
import type { SeplProtocolError } from './errors.js';
import { g1CredentialsFrame, g1OutboundFrame, G1_UPDATE_FRAME, parseG1Inbound } from './g1-frames.js';
import type { SeplSocket } from './socket.js';

export interface G1SessionHooks {
  onCommand(command: SeplCommand): void;
  onProtocolError(err: SeplProtocolError): void;
}

/** One G1 (seed) session on an open socket: prefix framing, raw JSON commands inbound. */
export class G1Session {
  readonly socket: SeplSocket;

  constructor(socket: SeplSocket, hooks: G1SessionHooks) {
    this.socket = socket;
    socket.onText((text) => {
      let command: SeplCommand;
      try {
        command = parseG1Inbound(text);
      } catch (err) {
        hooks.onProtocolError(err as SeplProtocolError);
        return;
      }
      hooks.onCommand(command);
    });
  }

  /** The seed sends the credentials and does not wait for an answer. */
  sendCredentials(user: string, password: string): Promise<void> {
    return this.socket.send(g1CredentialsFrame(user, password));
  }

  /** `change:` (no task id) or `response:` (task id) + JSON. */
  send(message: Record<string, unknown>): Promise<void> {
    return this.socket.send(g1OutboundFrame(message));
  }

  /** Asks the platform to re-read the device usage after a registration. */
  sendUpdate(): Promise<void> {
    return this.socket.send(G1_UPDATE_FRAME);
  }
}
