/**
 * SeplConnector's websocket protocols (G1, G2): the http client of the lookups and registrations,
 * the Gateway (handshake, device sync, requests) and the SeplSession on the @x/http-core session
 * base, with the device operations, events and responses as each protocol sends them.
 */
import { AbortError, createHttpClient, layerLogger, type CallOptions, type HttpClient } from '@x/http-core';
import { normalizeParts, responsePayload, type ProtocolPartsInput, type SeplCommand } from './command.js';
import { connectorState } from './connector-state.js';
import { tagStrings, type SeplDevice } from './device.js';
import { SeplNotConnectedError, isSeplNotConnectedError, isSeplTimeoutError } from './errors.js';
import { g1EventMessage } from './g1-frames.js';
import { Gateway } from './gateway.js';
import type { ResolvedOptions, SeplConnectorOptions } from './options.js';
import { SeplSession, type ReadyInfo, type SeplLink } from './session.js';
import type { SocketEnd } from './socket.js';
import { USER_AGENT } from './version.js';

export class WebsocketBackend {
  readonly http: HttpClient;
  readonly gateway: Gateway;
  readonly session: SeplSession;
  readonly #o: ResolvedOptions;
  /** The last websocket close (code 1006: lost without a close frame). */
  lastClose: { code: number; reason: string } = { code: 1006, reason: '' };

  constructor(o: ResolvedOptions, options: SeplConnectorOptions) {
    this.#o = o;
    this.http = createHttpClient({
      userAgent: options.userAgent ? `${options.userAgent} ${USER_AGENT}` : USER_AGENT,
      timeoutInMs: o.httpTimeoutInMs,
      // lookups (GET) are retried on 5xx/429/network errors; the registration POST is not idempotent
      ...(options.retry !== undefined ? { retry: options.retry } : {}),
      logger: layerLogger(o.logger, 'http'),
      clock: o.clock,
      redact: { bodyKeys: ['pw', 'password'] },
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      ...(options.tls ? { tls: options.tls } : {}),
    });
    this.gateway = new Gateway(o, this.http, (err) => this.session.notify(err));
    this.session = new SeplSession(
      {
        protocol: o.protocol === 'g1' ? 'g1' : 'g2',
        websocketUrl: (signal) => this.gateway.websocketUrl(signal),
        socketOptions: {
          connectTimeoutInMs: o.handshakeTimeoutInMs,
          pingAfterInMs: o.pingAfterInMs,
          pongTimeoutInMs: o.pongTimeoutInMs,
          ...(options.tls ? { tls: options.tls } : {}),
        },
        handshake: (opening, signal) => this.gateway.handshake(opening, signal),
      },
      {
        reconnect: o.reconnect,
        stableAfterInMs: o.stableAfterInMs,
        // the handshake has its own timeouts (socket, credentials, each sync request, lookups)
        connectTimeoutInMs: 0,
        highWaterMark: 1,
        clock: o.clock,
        random: o.random,
        logger: o.logger,
        name: 'websocket',
      },
    );
    this.gateway.onSocketEnd = (end: SocketEnd) => (this.lastClose = { code: end.code, reason: end.reason });
  }

  /** Starts the session; resolves with the first ready link's info (`first` when the 'ready' event came first). */
  async start(first: () => ReadyInfo | undefined): Promise<ReadyInfo> {
    try {
      await this.session.start();
    } catch (err) {
      throw err instanceof AbortError ? new SeplNotConnectedError('the connector was closed before it was ready') : err;
    }
    return first() ?? (this.session.link as SeplLink).info;
  }

  /** Add or update: store, then the platform when connected. */
  put(device: SeplDevice, what: 'add' | 'update', call: CallOptions): Promise<void> {
    return this.gateway.mutate(async () => {
      await (what === 'add' ? this.#o.store.add(device) : this.#o.store.update(device));
      await this.gateway.unqueueDeletion(device.id);
      await this.#pushDevice(device, call);
    });
  }

  /** G2 `disconnect`/`delete` + `commit`; a delete offline (or unanswered) is queued for the next handshake. */
  unlink(deviceId: string, what: 'disconnect' | 'delete', call: CallOptions): Promise<void> {
    return this.gateway.mutate(async () => {
      await this.#o.store.remove(deviceId);
      const link = this.session.state === 'connected' ? this.session.link : undefined;
      if (!link || link.kind !== 'g2') {
        // a disconnect needs no queue: the sync after the next handshake leaves the device out
        if (what === 'delete') await this.gateway.queueDeletion(deviceId);
        return;
      }
      try {
        await this.gateway.request(link.protocol, this.#o.handlers[what], deviceId, call);
      } catch (err) {
        if (what === 'delete' && (isSeplNotConnectedError(err) || isSeplTimeoutError(err))) await this.gateway.queueDeletion(deviceId);
        throw err;
      }
      await this.gateway.commit(link.protocol, call);
    });
  }

  /** G2: an acknowledged request; G1: a fire-and-forget message. */
  async event(deviceId: string, serviceUri: string, parts: ProtocolPartsInput, call: CallOptions): Promise<void> {
    const value = normalizeParts(parts) ?? [];
    const link = this.#requireReady();
    if (link.kind === 'g2') await this.gateway.request(link.protocol, this.#o.handlers.event, { device_uri: deviceId, service_uri: serviceUri, value }, call);
    else await link.protocol.send(g1EventMessage(deviceId, serviceUri, value, this.#o.clock.now() / 1000));
  }

  async respond(command: SeplCommand, parts: ProtocolPartsInput | null, call: CallOptions): Promise<void> {
    const payload = responsePayload(command, parts);
    const link = this.#requireReady();
    if (link.kind === 'g2') await this.gateway.request(link.protocol, this.#o.handlers.response, payload, call);
    else await link.protocol.send(payload);
  }

  #requireReady(): SeplLink {
    const link = this.session.link;
    if (this.session.state !== 'connected' || !link) throw new SeplNotConnectedError(`the connector is ${connectorState(this.session.state)}, not ready`);
    return link;
  }

  async #pushDevice(device: SeplDevice, call: CallOptions): Promise<void> {
    const link = this.session.state === 'connected' ? this.session.link : undefined;
    if (!link) return;
    if (link.kind === 'g2') {
      await this.gateway.request(link.protocol, this.#o.handlers.put, { uri: device.id, name: device.name, iot_type: device.type, tags: tagStrings(device) }, call);
      await this.gateway.commit(link.protocol, call);
    } else {
      await this.gateway.register(link.protocol, link.url, [device], call.signal);
    }
  }
}
