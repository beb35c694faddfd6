import { AbortError, Session, TimeoutError, isFatalByDefault, networkErrorCategory, systemClock, validateCallOptions, type CallOptions, type Clock, type ConnectAttempt, type ConnectionContext, type SessionOptions } from '@x/http-core';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { boundedWait } from './bounded-wait.js';
import { SeplAuthError, SeplNotConnectedError, SeplPlatformError, SeplProtocolError, SeplRequestError } from './errors.js';
import { boundedPublish } from './g3-publish.js';
import { decodeG3Command, G3_QOS, g3Topics, type G3Command, type G3Data } from './g3-messages.js';

/** Options of `G3Session`: the @x/http-core session options plus the broker, the hub and the account. */
export interface G3SessionOptions extends SessionOptions {
  /** `mqtts://host:port` (the platform's connector host). */
  url: string;
  /** The hub id: the MQTT client id. */
  hubId: string;
  user: string;
  password: string;
  /** Local ids of the devices whose commands to subscribe to (more with `subscribe()`). */
  devices?: readonly string[];
  /** Extra CA to trust (PEM); verification is on unless `rejectUnauthorized: false`. */
  ca?: string;
  rejectUnauthorized?: boolean;
  /** MQTT keepalive in seconds. Default 20 (the reference client). */
  keepaliveInS?: number;
}

/** Events a G3Session adds to the session base's. */
export interface G3SessionExtraEvents {
  /** A connection subscribed to the commands of these devices (after every connect). */
  subscribed: [{ connection: number; devices: string[] }];
}

/** The defaults of the reference client's reconnect: 5 s growing by 1.85 up to 120 s. */
const REFERENCE_RECONNECT = { initialDelayInMs: 5_000, maxDelayInMs: 120_000, factor: 1.85 };
/** Correlation ids remembered against re-delivered commands and double answers. */
const REMEMBERED = 1024;
/** The longest `unsubscribe()` waits for the broker's UNSUBACK by default. */
const UNSUBSCRIBE_TIMEOUT_IN_MS = 10_000;

/**
 * The G3 data plane: one MQTT connection (clean session, client id = hub id, the account's user
 * and password, QoS 2, keepalive 20 s, TLS verified) on the session base, which reconnects with
 * backoff; every connection subscribes again to `command/{device}/+` of every known device.
 * Commands come out of the async iterator; a command re-delivered with a known correlation id is
 * dropped, and each command may be answered once.
 */
export class G3Session extends Session<MqttClient, G3Command, G3SessionExtraEvents> {
  readonly #options: G3SessionOptions;
  readonly #devices: Set<string>;
  readonly #seen = new Set<string>();
  readonly #answered = new Set<string>();
  readonly #clock: Clock;
  #client: MqttClient | undefined;

  constructor(options: G3SessionOptions) {
    for (const key of ['url', 'hubId', 'user', 'password'] as const) {
      if (typeof options?.[key] !== 'string' || options[key] === '') throw new TypeError(`options.${key} must be a non-empty string`);
    }
    const keepalive = options.keepaliveInS ?? 20;
    if (!Number.isInteger(keepalive) || keepalive < 1 || keepalive > 65_535) throw new RangeError('options.keepaliveInS must be a whole number of seconds from 1 to 65535');
    super({ name: 'sepl-connector:g3', ...options, reconnect: options.reconnect ?? REFERENCE_RECONNECT });
    this.#options = { ...options, keepaliveInS: keepalive };
    this.#devices = new Set(options.devices ?? []);
    this.#clock = options.clock ?? systemClock;
  }

  /** Subscribes to a device's commands now (when connected) and after every reconnect. */
  async subscribe(deviceId: string): Promise<void> {
    if (typeof deviceId !== 'string' || deviceId === '' || /[/+#]/.test(deviceId)) throw new TypeError('deviceId must be a non-empty string without /, + or #');
    this.#devices.add(deviceId);
    if (this.#client?.connected) await this.#subscribe(this.#client, [deviceId]);
  }

  /**
   * Stops a device's commands (now and after reconnects). The wait for the broker's UNSUBACK is
   * bounded by `options` (default `timeoutInMs` 10 s): a broker that does not answer in time gets
   * its connection closed (reported as an `error`), and the clean session's next connection
   * subscribes only the remaining devices, so the commands stop either way. Resolves then; an
   * aborted `options.signal` closes the connection the same way and rejects with AbortError.
   */
  async unsubscribe(deviceId: string, options?: CallOptions): Promise<void> {
    const call = validateCallOptions(options, 'unsubscribe() options');
    this.#devices.delete(deviceId);
    const client = this.#client;
    if (!client?.connected) return;
    const topics = [g3Topics.commands(deviceId), g3Topics.deviceErrors(deviceId)];
    const bound = { ...call, timeoutInMs: call.timeoutInMs ?? UNSUBSCRIBE_TIMEOUT_IN_MS };
    const label = { method: 'UNSUBSCRIBE', url: topics[0] as string, what: `MQTT acknowledgement of the unsubscribe from ${topics[0] as string}` };
    try {
      await boundedWait(() => client.unsubscribeAsync(topics).then(() => undefined), bound, this.#clock, label);
    } catch (err) {
      // an unsubscribe cut short by a closing connection is done: the next connection does not subscribe it
      if (!(err instanceof TimeoutError || err instanceof AbortError)) return;
      if (this.#client === client) {
        this.report(err);
        client.end(true);
      }
      if (err instanceof AbortError) throw err;
    }
  }

  /**
   * Publishes an event `{metadata, data}` to `event/{device}/{service}` (QoS 2); resolves on the
   * broker's acknowledgement. `options` bound the wait (AbortError, TimeoutError; the message may
   * still reach the broker after either).
   */
  async event(deviceId: string, serviceId: string, data: G3Data, options?: CallOptions): Promise<void> {
    const call = validateCallOptions(options, 'event() options');
    const topic = g3Topics.event(deviceId, serviceId);
    await boundedPublish(() => this.#publish(topic, { metadata: data.metadata ?? null, data: data.data ?? null }), call, this.#clock, topic);
  }

  /**
   * Answers a command once, on `response/{device}/{service}`; a second answer is a RangeError. An
   * answer that was not sent (not connected, refused, aborted before sending) may be given again;
   * one whose wait `options` cut short counts as given unless its publish fails later.
   */
  async respond(command: G3Command, data: G3Data, options?: CallOptions): Promise<void> {
    const call = validateCallOptions(options, 'respond() options');
    const id = command.correlationId;
    if (this.#answered.has(id)) throw new RangeError(`command ${id} was answered already`);
    this.#remember(this.#answered, id);
    const topic = g3Topics.response(command.deviceId, command.serviceId);
    const body = { correlation_id: id, payload: { metadata: data.metadata ?? null, data: data.data ?? null } };
    let sent = false;
    const publish = (): Promise<void> => {
      sent = true;
      return this.#publish(topic, body).catch((err: unknown) => {
        this.#answered.delete(id); // not sent: it may be answered again
        throw err;
      });
    };
    try {
      await boundedPublish(publish, call, this.#clock, topic);
    } catch (err) {
      if (!sent) this.#answered.delete(id);
      throw err;
    }
  }

  /** `report` for the connector (a throwing listener): to 'error' listeners, else the logger. */
  notify(error: unknown): void {
    this.report(error);
  }

  protected override async connect({ signal }: ConnectAttempt): Promise<MqttClient> {
    const options: IClientOptions = {
      clientId: this.#options.hubId,
      username: this.#options.user,
      password: this.#options.password,
      keepalive: this.#options.keepaliveInS,
      clean: true,
      reconnectPeriod: 0,
      protocolVersion: 4,
      rejectUnauthorized: this.#options.rejectUnauthorized ?? true,
      ...(this.#options.ca ? { ca: this.#options.ca } : {}),
    };
    try {
      const client = await connectAsync(this.#options.url, options, false);
      if (signal.aborted) client.end(true);
      return client;
    } catch (err) {
      throw connectError(err);
    }
  }

  protected override run(client: MqttClient, ctx: ConnectionContext<G3Command>): Promise<void> {
    this.#client = client;
    return new Promise<void>((resolve, reject) => {
      client.on('message', (topic, payload) => {
        const platformError = /^error(?:\/device\/([^/]+))?$/.exec(topic);
        if (platformError) {
          ctx.report(new SeplPlatformError(topic, platformError[1], payload.toString('utf8')));
          return;
        }
        let command: G3Command | undefined;
        try {
          command = decodeG3Command(topic, payload);
        } catch (err) {
          ctx.report(err);
          return;
        }
        if (command === undefined || this.#seen.has(command.correlationId)) return;
        this.#remember(this.#seen, command.correlationId);
        ctx.deliver(command);
      });
      client.on('close', () => resolve());
      client.on('error', (err) => reject(connectError(err)));
      const devices = [...this.#devices];
      this.#subscribe(client, devices, true).then(
        () => {
          ctx.stable();
          if (client.connected) this.emit('subscribed', { connection: ctx.connection, devices });
        },
        (err: unknown) => ctx.report(err),
      );
    }).finally(() => {
      if (this.#client === client) this.#client = undefined;
    });
  }

  /** Refused logins and untrusted broker certificates end the session: retrying cannot help. */
  protected override isFatal(error: Error): boolean {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && networkErrorCategory(code) === 'protocol') return true;
    return isFatalByDefault(error);
  }

  /** Backpressure: stop reading the socket (the broker holds the unacknowledged QoS 2 commands). */
  protected override pause(client: MqttClient): void {
    client.stream.pause();
  }

  protected override resume(client: MqttClient): void {
    client.stream.resume();
  }

  protected override disconnect(client: MqttClient): void {
    client.end(true);
  }

  async #subscribe(client: MqttClient, devices: readonly string[], hub = false): Promise<void> {
    // one SUBSCRIBE per device, so a refusal (SUBACK 0x80) names its topic
    const topics = devices.map(g3Topics.commands);
    const results = await Promise.allSettled(devices.map((id) => client.subscribeAsync(g3Topics.commands(id), { qos: G3_QOS })));
    // the platform's error topics are best effort: a broker that refuses them loses nothing else
    await Promise.allSettled([...(hub ? [g3Topics.hubErrors] : []), ...devices.map(g3Topics.deviceErrors)].map((t) => client.subscribeAsync(t, { qos: G3_QOS })));
    // a subscribe cut short by a closing connection is no refusal: the next connection subscribes again
    if (!client.connected) return;
    const refused = topics.filter((_t, i) => results[i]?.status === 'rejected');
    if (refused.length > 0) throw new SeplRequestError('subscribe', refused.join(','), 403, `the broker refused ${refused.join(', ')}`);
  }

  async #publish(topic: string, body: unknown): Promise<void> {
    const client = this.#client;
    if (client === undefined || !client.connected) throw new SeplNotConnectedError('the G3 connection is not up');
    try {
      await client.publishAsync(topic, JSON.stringify(body), { qos: G3_QOS });
    } catch (err) {
      // mqtt.js fails the publishes in flight when their connection ends (a refused publish ends it too)
      throw new SeplNotConnectedError(`the G3 connection ended before the broker acknowledged the publish to ${topic}`, { cause: err });
    }
  }

  #remember(set: Set<string>, id: string): void {
    set.add(id);
    if (set.size > REMEMBERED) set.delete(set.values().next().value as string);
  }
}

/** A refused CONNECT (bad user name or password, not authorized) is an auth error: no retry. */
function connectError(err: unknown): Error {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 4 || code === 5 || code === 134 || code === 135) return new SeplAuthError('the MQTT broker refused the login', typeof code === 'number' ? code : undefined);
  if (err instanceof Error) return err;
  return new SeplProtocolError('MQTT connection failed', String(err));
}
