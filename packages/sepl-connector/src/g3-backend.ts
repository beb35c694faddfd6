/**
 * SeplConnector's `protocol: 'g3'`: a G3Connector whose session events, ready info and commands
 * come out in the shape the websocket protocols use, so an application switches by configuration.
 */
import type { CallOptions } from '@x/http-core';
import type { ProtocolPartsInput, SeplCommand } from './command.js';
import { g3CommandFromSepl, g3DataFromParts, seplCommandFromG3 } from './g3-commands.js';
import { G3Connector, type G3ReadyInfo } from './g3-connector.js';
import type { G3Session } from './g3-session.js';
import type { ResolvedOptions, SeplConnectorOptions, SeplG3Options } from './options.js';
import type { ReadyInfo } from './session.js';

/** What the backend tells SeplConnector. */
export interface G3BackendHooks {
  /** The MQTT session exists and is about to start: wire its events, start reading commands. */
  session(session: G3Session): void;
  /** A connection subscribed to the commands (the G3 counterpart of a finished handshake). */
  ready(info: ReadyInfo): void;
}

export class G3Backend {
  readonly connector: G3Connector;
  readonly #g3: SeplG3Options;
  #first: G3ReadyInfo | undefined;
  #session: G3Session | undefined;
  /** A connection that subscribed before start() knew the hub (its ready comes from start()). */
  #early: number | undefined;
  #hooks: G3BackendHooks;

  constructor(o: ResolvedOptions, options: SeplConnectorOptions, hooks: G3BackendHooks) {
    const g3 = o.g3 as SeplG3Options;
    this.#g3 = g3;
    this.#hooks = hooks;
    this.connector = new G3Connector({
      ...(options.userAgent ? { userAgent: options.userAgent } : {}),
      ...(options.retry !== undefined ? { retry: options.retry } : {}),
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      ...(options.tls ? { tls: options.tls } : {}),
      timeoutInMs: o.httpTimeoutInMs,
      tokenUrl: g3.tokenUrl,
      clientId: g3.clientId,
      hubUrl: g3.hubUrl,
      deviceUrl: g3.deviceUrl,
      mqttUrl: g3.mqttUrl,
      user: o.user,
      password: o.password,
      ...(g3.hubName ? { hubName: g3.hubName } : {}),
      ...(g3.ca ? { ca: g3.ca } : {}),
      store: o.store,
      // without options.reconnect, the reference client's 5 s · 1.85ⁿ up to 120 s
      ...(options.reconnect ? { reconnect: o.reconnect } : {}),
      clock: o.clock,
      random: o.random,
      logger: o.logger,
      onSession: (session) => {
        this.#session = session;
        session.on('subscribed', ({ connection }) => {
          if (this.#first) hooks.ready(this.#info(this.#first, connection));
          else this.#early = connection;
        });
        hooks.session(session);
      },
    });
  }

  get session(): G3Session | undefined {
    return this.#session;
  }

  /** Hub, fleet sync, MQTT: resolves on the first connection (as the websocket protocols' start()). */
  async start(call: CallOptions): Promise<ReadyInfo> {
    const first = await this.connector.start(call);
    this.#first = first;
    if (this.#early !== undefined) this.#hooks.ready(this.#info(first, this.#early));
    return this.#info(first, 1);
  }

  /** Common-shape commands from the MQTT session's iterator. */
  async *commands(session: G3Session): AsyncGenerator<SeplCommand> {
    for await (const command of session) yield seplCommandFromG3(command);
  }

  event(deviceId: string, serviceUri: string, parts: ProtocolPartsInput): Promise<void> {
    return this.connector.event(deviceId, serviceUri, g3DataFromParts(parts));
  }

  respond(command: SeplCommand, parts: ProtocolPartsInput | null): Promise<void> {
    return this.connector.respond(g3CommandFromSepl(command), g3DataFromParts(parts));
  }

  #info(first: G3ReadyInfo, connection: number): ReadyInfo {
    return { protocol: 'g3', gatewayId: first.hubId, hash: first.hash, resynced: connection === 1 && first.synced, url: this.#g3.mqttUrl };
  }
}
