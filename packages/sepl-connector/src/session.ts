/**
 * The connector's long-lived websocket on the @x/http-core session base: one loop of
 * open → handshake + sync → read → reconnect, with the base's events (connecting, connected,
 * reconnecting, disconnected, error, closed), backoff that only a stable connection resets, an
 * async iterator of commands with pause/resume backpressure, close() from any handler, `done`.
 */
import { Session, networkErrorCategory, type ConnectAttempt, type ConnectionContext, type SessionOptions } from '@x/http-core';
import type { SeplCommand } from './command.js';
import { SeplAuthError, SeplNotConnectedError, isSeplStoreError, type SeplProtocolError } from './errors.js';
import { G1Session } from './g1-session.js';
import { G2Session } from './g2-session.js';
import { HeartbeatSocket, type OpenSocket, type SeplSocket, type SocketEnd, type SocketOptions } from './socket.js';

/** The websocket protocol generations: G1 and G2. */
export type SeplProtocol = 'g1' | 'g2';

/** What a connection found: `SeplConnector.start()` resolves with it and its `ready` event carries it. */
export interface ReadyInfo {
  protocol: SeplProtocol | 'g3';
  /** G2 gateway id (undefined for G1). */
  gatewayId: string | undefined;
  /** Gateway hash after the sync (G2) or of the registered devices (G1). */
  hash: string;
  /** True when the platform was reset (`clear` + `put` + `commit`) or the devices re-registered. */
  resynced: boolean;
  /** Websocket URL in use. */
  url: string;
}

/** One open connection: the socket, its protocol generation and what the handshake found. */
export type SeplLink = ({ kind: 'g1'; protocol: G1Session } | { kind: 'g2'; protocol: G2Session }) & {
  socket: SeplSocket;
  url: URL;
  info: ReadyInfo;
};

/** A link before its handshake: the protocol session on a fresh socket. */
export type SeplOpening = ({ kind: 'g1'; protocol: G1Session } | { kind: 'g2'; protocol: G2Session }) & { socket: SeplSocket; url: URL };

/** The gateway-specific steps the session runs on every connection (the client supplies them). */
export interface SeplSessionSteps {
  protocol: SeplProtocol;
  /** The websocket URL (G1: looked up; retried inside until `signal` aborts). */
  websocketUrl(signal: AbortSignal): Promise<URL>;
  socketOptions: Omit<SocketOptions, 'clock'>;
  /** Opens the websocket. Default: a HeartbeatSocket (tests pass an in-memory socket). */
  openSocket?: OpenSocket;
  /** Credentials, device sync or registration; resolves once the link is ready. */
  handshake(opening: SeplOpening, signal: AbortSignal): Promise<ReadyInfo>;
}

/** Extra events of the SEPL session (besides the base's lifecycle events). */
export interface SeplSessionExtraEvents {
  /** A connection finished its handshake and device sync (right after `connected`). */
  ready: [ReadyInfo];
}

/** A websocket end as an error (the reconnect reason), or the fatal SeplAuthError of a 1008 close. */
export function socketEndError(end: SocketEnd): Error {
  if (end.code === 1008) return new SeplAuthError(`credentials rejected by the platform${end.reason ? `: ${end.reason.slice(0, 200)}` : ''}`);
  return end.error ?? new SeplNotConnectedError(`connection closed (${end.code}${end.reason ? ` ${end.reason}` : ''})`);
}

/**
 * The SEPL gateway session. Commands that arrive during the handshake are kept and delivered
 * first once the connection is read. A rejected credential (G2 answer 400/401/403, a 1008 close,
 * G1 registration 401/403) is a SeplAuthError (category `auth`) and ends the session.
 */
export class SeplSession extends Session<SeplLink, SeplCommand, SeplSessionExtraEvents> {
  readonly #steps: SeplSessionSteps;
  readonly #clock: NonNullable<SessionOptions['clock']>;
  #link: SeplLink | undefined;
  #early: SeplCommand[] = [];
  #sink: ((command: SeplCommand) => void) | undefined;

  constructor(steps: SeplSessionSteps, options: SessionOptions & { clock: NonNullable<SessionOptions['clock']> }) {
    super(options);
    this.#steps = steps;
    this.#clock = options.clock;
  }

  /** The connection that finished its handshake and is being read, if any. */
  get link(): SeplLink | undefined {
    return this.#link;
  }

  protected override async connect({ signal }: ConnectAttempt): Promise<SeplLink> {
    const url = await this.#steps.websocketUrl(signal);
    const open = this.#steps.openSocket ?? ((href, options, abort) => HeartbeatSocket.open(href, options, abort));
    const socket = await open(url.href, { ...this.#steps.socketOptions, clock: this.#clock }, signal);
    this.#early = [];
    this.#sink = undefined;
    const hooks = {
      onCommand: (command: SeplCommand) => (this.#sink ? this.#sink(command) : this.#early.push(command)),
      onProtocolError: (err: SeplProtocolError) => this.report(err),
    };
    const opening: SeplOpening =
      this.#steps.protocol === 'g2'
        ? { kind: 'g2', protocol: new G2Session(socket, hooks, this.#clock), socket, url }
        : { kind: 'g1', protocol: new G1Session(socket, hooks), socket, url };
    try {
      const info = await this.#steps.handshake(opening, signal);
      return { ...opening, info };
    } catch (err) {
      socket.fail(err as Error);
      await socket.ended;
      throw err;
    }
  }

  protected override async run(link: SeplLink, context: ConnectionContext<SeplCommand>): Promise<void> {
    this.#link = link;
    // Not marked stable here: a platform that accepts the handshake and then drops must see the
    // backoff grow; a delivered command or stableAfterInMs of uptime resets it.
    try {
      this.emit('ready', link.info);
    } catch (err) {
      this.report(err);
    }
    this.#sink = (command) => void context.deliver(command);
    for (const command of this.#early.splice(0)) context.deliver(command);
    const end = await link.socket.ended;
    if (context.signal.aborted) return;
    throw socketEndError(end);
  }

  protected override async disconnect(link: SeplLink): Promise<void> {
    if (this.#link === link) this.#link = undefined;
    this.#sink = undefined;
    await link.socket.close(1000, 'closing');
  }

  /**
   * Refused credentials, an untrusted TLS certificate and a corrupt device store end the session
   * (retrying cannot help); every other failure (a 400 during the sync, a store in use) is retried.
   */
  protected override isFatal(error: Error): boolean {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && networkErrorCategory(code) === 'protocol') return true;
    return (error as { category?: unknown }).category === 'auth' || (isSeplStoreError(error) && error.corrupt);
  }

  protected override pause(link: SeplLink): void {
    link.socket.pause();
  }

  protected override resume(link: SeplLink): void {
    link.socket.resume();
  }

  /** `report` for the client (a throwing listener, a failed queued deletion). */
  notify(error: unknown): void {
    this.report(error);
  }
}
