import { randomUUID } from 'node:crypto';
import type { Clock } from '@x/http-core';
import type { SeplCommand } from './command.js';
import { SeplAuthError, SeplNotConnectedError, SeplProtocolError, SeplRequestError, SeplTimeoutError, preview } from './errors.js';
import { CREDENTIALS_TOKEN, g2CredentialsFrame, g2RequestFrame, parseG2Inbound, parseHandshakePayload } from './g2-frames.js';
import type { SeplSocket } from './socket.js';

interface Pending {
  handler: string;
  resolve(payload: unknown): void;
  reject(err: Error): void;
  timer: unknown;
  /** Releases the socket hold taken while the answer is awaited. */
  release(): void;
}

export interface G2SessionHooks {
  onCommand(command: SeplCommand): void;
  /** A frame that could not be understood (the session goes on). */
  onProtocolError(err: SeplProtocolError): void;
}

/** One G2 session on an open socket: handshake, token-correlated requests, inbound commands. */
export class G2Session {
  readonly socket: SeplSocket;
  readonly #pending = new Map<string, Pending>();
  readonly #hooks: G2SessionHooks;
  readonly #clock: Clock;
  #lost: Error | undefined;

  constructor(socket: SeplSocket, hooks: G2SessionHooks, clock: Clock) {
    this.socket = socket;
    this.#hooks = hooks;
    this.#clock = clock;
    socket.onText((text) => this.#inbound(text));
    void socket.ended.then((end) => {
      this.#lost = new SeplNotConnectedError(`connection lost (${end.code}${end.reason ? ` ${end.reason}` : ''}) before the answer`);
      for (const [token, pending] of this.#pending) {
        this.#clock.clearTimeout(pending.timer);
        pending.release();
        this.#pending.delete(token);
        pending.reject(this.#lost);
      }
    });
  }

  /**
   * Sends the credentials frame and waits for its answer. A 400/401/403 answer, or the socket
   * closing with 1008 (policy violation), is a SeplAuthError.
   */
  async handshake(user: string, password: string, gatewayId: string | undefined, timeoutInMs: number): Promise<{ gatewayId: string; hash: string }> {
    const answer = this.#wait(CREDENTIALS_TOKEN, 'credentials', timeoutInMs);
    const closed = this.socket.ended.then((end) => {
      if (end.code === 1008) throw new SeplAuthError(`credentials rejected by the platform${end.reason ? `: ${end.reason.slice(0, 200)}` : ''}`);
      throw new SeplNotConnectedError(`connection closed (${end.code}) during the handshake`);
    });
    await this.socket.send(g2CredentialsFrame(user, password, gatewayId));
    let payload: unknown;
    try {
      payload = await Promise.race([answer, closed]);
    } catch (err) {
      const e = err as SeplRequestError;
      if (e.name === 'SeplRequestError' && [400, 401, 403].includes(e.status)) {
        throw new SeplAuthError(`credentials rejected by the platform (status ${e.status}): ${e.payloadPreview.slice(0, 200)}`, e.status);
      }
      throw err;
    } finally {
      closed.catch(() => undefined);
    }
    return parseHandshakePayload(payload, preview(payload));
  }

  /** Sends `{handler, token, payload}` and resolves with the answer's payload (status 200). */
  async request(handler: string, payload: unknown, timeoutInMs: number): Promise<unknown> {
    if (this.#lost) throw this.#lost;
    const token = randomUUID();
    const answer = this.#wait(token, handler, timeoutInMs);
    try {
      await this.socket.send(g2RequestFrame(handler, token, payload));
    } catch (err) {
      this.#cancel(token);
      answer.catch(() => undefined);
      throw new SeplNotConnectedError(`could not send the ${handler} request: ${(err as Error).message}`);
    }
    return answer;
  }

  #wait(token: string, handler: string, timeoutInMs: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      // the answer comes on this socket: keep reading it even while commands back up
      const release = this.socket.hold();
      const timer = this.#clock.setTimeout(() => {
        release();
        this.#pending.delete(token);
        reject(new SeplTimeoutError(handler, timeoutInMs));
      }, timeoutInMs);
      this.#pending.set(token, { handler, resolve, reject, timer, release });
    });
  }

  #cancel(token: string): void {
    const pending = this.#pending.get(token);
    if (!pending) return;
    this.#clock.clearTimeout(pending.timer);
    pending.release();
    this.#pending.delete(token);
  }

  #inbound(text: string): void {
    let frame;
    try {
      frame = parseG2Inbound(text);
    } catch (err) {
      this.#hooks.onProtocolError(err as SeplProtocolError);
      return;
    }
    if (frame.kind === 'command') {
      this.#hooks.onCommand(frame.command);
      return;
    }
    const pending = this.#pending.get(frame.token);
    if (!pending) {
      this.#hooks.onProtocolError(new SeplProtocolError(`answer for an unknown or expired token ${frame.token.slice(0, 64)}`, text));
      return;
    }
    this.#cancel(frame.token);
    if (frame.status === 200) pending.resolve(frame.payload);
    else pending.reject(new SeplRequestError(pending.handler, frame.token, frame.status, frame.payload));
  }
}
