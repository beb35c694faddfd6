/**
 * SeplConnector's `protocol: 'g3'`: a G3Connector whose session events, ready info and commands
 * come out in the shape the websocket protocols use, so an application switches by configuration.
 */
import type { CallOptions } from '@x/http-core';
import { boundedWait } from './bounded-wait.js';
import type { ProtocolPartsInput, SeplCommand } from './command.js';
import { connectorState, type ConnectorState } from './connector-state.js';
import type { SeplDevice } from './device.js';
import { SeplNotConnectedError } from './errors.js';
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

/** A promise settled from outside; unobserved, its rejection is no unhandled rejection. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (err: Error) => void } {
  let resolve = (): void => undefined;
  let reject = (_err: Error): void => undefined;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

export class G3Backend {
  readonly connector: G3Connector;
  /** Settles when the MQTT session closes (or on close() before start()): SeplConnector's `done`. */
  readonly done = deferred();
  readonly #g3: SeplG3Options;
  readonly #o: ResolvedOptions;
  #closed = false;
  #session: G3Session | undefined;
  /** The first start() (kept once it created the MQTT session; forgotten when it failed before). */
  #starting: Promise<G3ReadyInfo> | undefined;

  constructor(o: ResolvedOptions, options: SeplConnectorOptions, hooks: G3BackendHooks) {
    const g3 = o.g3 as SeplG3Options;
    this.#g3 = g3;
    this.#o = o;
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
        // the session exists once start()'s REST steps are done: the connector knows the hub
        session.on('subscribed', ({ connection }) => hooks.ready(this.#info(this.connector.info as G3ReadyInfo, connection)));
        hooks.session(session);
      },
    });
  }

  get session(): G3Session | undefined {
    return this.#session;
  }

  /**
   * Hub, fleet sync, MQTT: resolves on the first connection (as the websocket protocols' start()).
   * `call` bounds each step and the whole start (G3Connector.start). Called again, it joins the
   * start that ran (or runs), waiting within its own `call`; after a start that failed before the
   * MQTT session existed (REST steps), it starts over.
   */
  async start(call: CallOptions): Promise<ReadyInfo> {
    let running = this.#starting;
    if (running === undefined) {
      running = this.connector.start(call);
      const attempt = running;
      this.#starting = attempt;
      attempt.catch(() => {
        if (this.#session === undefined && this.#starting === attempt) this.#starting = undefined;
      });
      return this.#info(await attempt, 1);
    }
    const joined = running.catch((err: unknown) => {
      // that caller's limits cut it short; the session it began may still connect
      if (this.#session === undefined) throw err;
      return this.#session.start().then(() => this.connector.info as G3ReadyInfo);
    });
    const url = this.#g3.mqttUrl;
    return this.#info(await boundedWait(() => joined, call, this.#o.clock, { method: 'CONNECT', url, what: `MQTT connection to ${url}` }), 1);
  }

  /** Common-shape commands from the MQTT session's iterator. */
  async *commands(session: G3Session): AsyncGenerator<SeplCommand> {
    for await (const command of session) yield seplCommandFromG3(command);
  }

  get state(): ConnectorState {
    return this.#closed ? 'closed' : connectorState(this.#session?.state ?? 'idle');
  }

  /** Before start(): only the store (start() brings the platform in line); after: store, device REST, hub. */
  async put(device: SeplDevice, what: 'add' | 'update', call: CallOptions): Promise<void> {
    if (this.#session === undefined) await (what === 'add' ? this.#o.store.add(device) : this.#o.store.update(device));
    else await this.connector.add(device, call);
  }

  /** Delete after start(): store, subscription, device REST, hub. Disconnect (or before start()): store and subscription only. */
  async unlink(deviceId: string, what: 'disconnect' | 'delete', call: CallOptions): Promise<void> {
    if (what === 'delete' && this.#session !== undefined) return this.connector.delete(deviceId, call);
    await this.#o.store.remove(deviceId);
    await this.#session?.unsubscribe(deviceId, this.#bounded(call));
  }

  /** A publish waits for the broker at most `requestTimeoutInMs` unless `call` says otherwise (as a G2 request). */
  event(deviceId: string, serviceUri: string, parts: ProtocolPartsInput, call: CallOptions): Promise<void> {
    const data = g3DataFromParts(parts);
    return this.#ready().event(deviceId, serviceUri, data, this.#bounded(call));
  }

  respond(command: SeplCommand, parts: ProtocolPartsInput | null, call: CallOptions): Promise<void> {
    const g3 = g3CommandFromSepl(command);
    const data = g3DataFromParts(parts);
    return this.#ready().respond(g3, data, this.#bounded(call));
  }

  /** A listener's error: to the MQTT session's 'error' listeners (else its logger). */
  notify(error: unknown): void {
    this.#session?.notify(error);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.connector.close();
    this.done.resolve(); // no-op after the session's 'closed'
  }

  #ready(): G3Connector {
    if (this.#session?.state !== 'connected') throw new SeplNotConnectedError(`the connector is ${this.state}, not ready`);
    return this.connector;
  }

  #bounded(call: CallOptions): CallOptions {
    return { ...call, timeoutInMs: call.timeoutInMs ?? this.#o.requestTimeoutInMs };
  }

  #info(first: G3ReadyInfo, connection: number): ReadyInfo {
    return { protocol: 'g3', gatewayId: first.hubId, hash: first.hash, resynced: connection === 1 && first.synced, url: this.#g3.mqttUrl };
  }
}
