/**
 * The gateway's side of every connection: where the websocket is (lookup), the handshake and
 * device sync after each connect, G1 registration, and the queue of deletions sent after the
 * next handshake. The session runs it; the client's device operations share its lock.
 */
import { AbortError, sleep, type CallOptions, type HttpClient } from '@x/http-core';
import { checkWebsocketUrl } from './config.js';
import { gatewayHash, tagStrings, type SeplDevice } from './device.js';
import { SeplAuthError, SeplNotConnectedError, isSeplRequestError } from './errors.js';
import { g1RegistrationBody } from './g1-frames.js';
import type { G1Session } from './g1-session.js';
import type { G2Session } from './g2-session.js';
import type { ResolvedOptions } from './options.js';
import type { ReadyInfo, SeplOpening } from './session.js';
import type { SocketEnd } from './socket.js';

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new AbortError(signal.reason);
}

export class Gateway {
  readonly #o: ResolvedOptions;
  readonly #http: HttpClient;
  readonly #report: (error: Error) => void;
  #lock: Promise<unknown> = Promise.resolve();
  #gatewayId: string | undefined;
  /** Devices deleted while offline, their platform `delete` not confirmed yet (loaded from the store). */
  #pendingDeletions: string[] | undefined;
  /** Hears how each socket ended (for the `disconnected` event's close code). */
  onSocketEnd: ((end: SocketEnd) => void) | undefined;

  constructor(options: ResolvedOptions, http: HttpClient, report: (error: Error) => void) {
    this.#o = options;
    this.#http = http;
    this.#report = report;
  }

  get gatewayId(): string | undefined {
    return this.#gatewayId;
  }

  /** Serialises changes of the device set with each other and with the sync after a handshake. */
  mutate<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(work, work);
    this.#lock = run.catch(() => undefined);
    return run;
  }

  /** A G2 request with the call's timeout (default `requestTimeoutInMs`) and signal. */
  async request(session: G2Session, handler: string, payload: unknown, call: CallOptions = {}): Promise<unknown> {
    const answer = session.request(handler, payload, call.timeoutInMs ?? this.#o.requestTimeoutInMs);
    const { signal } = call;
    if (!signal) return answer;
    answer.catch(() => undefined);
    if (signal.aborted) throw abortReason(signal);
    let onAbort = (): void => undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(abortReason(signal));
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([answer, aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  async commit(session: G2Session, call: CallOptions = {}): Promise<string> {
    const hash = gatewayHash(await this.#o.store.list());
    await this.request(session, this.#o.handlers.commit, hash, call);
    return hash;
  }

  logReady(info: ReadyInfo): void {
    this.#o.logger.info('ready', { protocol: info.protocol, gatewayId: info.gatewayId, resynced: info.resynced });
  }

  // ------------------------------------------------------------ connection steps

  /** The websocket URL: the configured one, or looked up (retried every `lookupRetryDelayInMs`). */
  async websocketUrl(signal: AbortSignal): Promise<URL> {
    if (this.#o.url) return this.#applyHttps(this.#o.url);
    const lookup = this.#o.lookupUrl as URL;
    for (;;) {
      try {
        const res = await this.#http.request<string>({ method: 'GET', path: lookup.href, responseType: 'text', signal });
        return this.#applyHttps(checkWebsocketUrl(res.body.trim(), 'the lookup answer'));
      } catch (err) {
        if (signal.aborted) throw err;
        this.#o.logger.warn('lookup failed', { message: (err as Error).message });
        this.#report(err as Error);
        await sleep(this.#o.lookupRetryDelayInMs, signal, this.#o.clock);
      }
    }
  }

  /** Credentials and device sync (G2) or credentials and registration (G1). */
  async handshake(opening: SeplOpening, signal: AbortSignal): Promise<ReadyInfo> {
    void opening.socket.ended.then((end) => this.onSocketEnd?.(end));
    if (opening.kind === 'g2') return this.#g2Handshake(opening.protocol, opening.url, signal);
    await opening.protocol.sendCredentials(this.#o.user, this.#o.password);
    return this.mutate(async () => {
      const devices = await this.#o.store.list();
      // the POST also checks the credentials (G1 never answers the credentials frame)
      await this.register(opening.protocol, opening.url, devices, signal);
      if (signal.aborted) throw abortReason(signal);
      return { protocol: 'g1' as const, gatewayId: undefined, hash: gatewayHash(devices), resynced: true, url: opening.url.href };
    });
  }

  async #g2Handshake(session: G2Session, url: URL, signal: AbortSignal): Promise<ReadyInfo> {
    const { store, user, password, handlers, handshakeTimeoutInMs } = this.#o;
    const stored = await store.getGatewayId();
    const hello = await session.handshake(user, password, stored, handshakeTimeoutInMs);
    this.#gatewayId = hello.gatewayId;
    if (stored !== hello.gatewayId) await store.setGatewayId(hello.gatewayId);
    return this.mutate(async () => {
      await this.#replayDeletions(session);
      const devices = await store.list();
      const local = gatewayHash(devices);
      const resynced = local !== hello.hash || stored !== hello.gatewayId;
      if (resynced) {
        await this.request(session, handlers.clear, null);
        for (const d of devices) await this.request(session, handlers.put, { uri: d.id, name: d.name, iot_type: d.type, tags: tagStrings(d) });
        await this.request(session, handlers.commit, local);
      }
      if (signal.aborted) throw abortReason(signal);
      return { protocol: 'g2' as const, gatewayId: hello.gatewayId, hash: local, resynced, url: url.href };
    });
  }

  #applyHttps(url: URL): URL {
    const copy = new URL(url.href);
    if (this.#o.https && copy.protocol === 'ws:') copy.protocol = 'wss:';
    return copy;
  }

  #registrationUrl(websocketUrl: URL): URL {
    const { registrationBase, lookupUrl, https, registrationPath } = this.#o;
    const base = new URL(registrationBase === 'lookup' && lookupUrl ? lookupUrl.href : websocketUrl.href);
    const secure = https || base.protocol === 'wss:' || base.protocol === 'https:';
    return new URL(`${secure ? 'https' : 'http'}://${base.host}/${registrationPath}`);
  }

  /** G1: posts the devices (401/403 = rejected credentials), then asks the platform to re-read them. */
  async register(session: G1Session, websocketUrl: URL, devices: readonly SeplDevice[], signal?: AbortSignal): Promise<void> {
    if (!session.socket.isOpen) throw new SeplNotConnectedError('the connection was lost before the registration');
    const res = await this.#http.request({
      method: 'POST',
      path: this.#registrationUrl(websocketUrl).href,
      json: g1RegistrationBody(this.#o.user, this.#o.password, devices),
      responseType: 'text',
      okStatus: (status) => status < 300 || status === 401 || status === 403,
      ...(signal ? { signal } : {}),
    });
    if (res.status === 401 || res.status === 403) throw new SeplAuthError(`credentials rejected by the registration endpoint (status ${res.status})`, res.status);
    await session.sendUpdate();
  }

  // ------------------------------------------------------------ queued deletions

  async #pendingDeletionIds(): Promise<string[]> {
    this.#pendingDeletions ??= [...((await this.#o.store.getPendingDeletions?.()) ?? [])];
    return this.#pendingDeletions;
  }

  async #setPendingDeletions(ids: string[]): Promise<void> {
    this.#pendingDeletions = ids;
    await this.#o.store.setPendingDeletions?.([...ids]);
  }

  async queueDeletion(deviceId: string): Promise<void> {
    const ids = await this.#pendingDeletionIds();
    if (!ids.includes(deviceId)) await this.#setPendingDeletions([...ids, deviceId]);
    this.#o.logger.info('deletion queued until the next handshake', { device: deviceId });
  }

  async unqueueDeletion(deviceId: string): Promise<void> {
    const ids = await this.#pendingDeletionIds();
    if (ids.includes(deviceId)) await this.#setPendingDeletions(ids.filter((id) => id !== deviceId));
  }

  /**
   * Sends the queued deletions right after the handshake, while the platform still knows the
   * devices of the last commit. A 400 answer means the platform does not know the device (gone
   * already); another status is reported as an 'error'; both end the deletion's retries. No
   * answer fails the connection and keeps the deletion queued.
   */
  async #replayDeletions(session: G2Session): Promise<void> {
    for (const id of [...(await this.#pendingDeletionIds())]) {
      try {
        await this.request(session, this.#o.handlers.delete, id);
      } catch (err) {
        if (!isSeplRequestError(err)) throw err;
        if (err.status === 400) this.#o.logger.info('queued deletion of a device the platform does not know', { device: id });
        else this.#report(err);
      }
      await this.unqueueDeletion(id);
    }
  }
}
