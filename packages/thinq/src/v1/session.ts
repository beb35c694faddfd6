/**
 * rti monitoring of one v1 device: `V1Monitor` (start, poll, stop: one step at a time, as wideq's
 * `Monitor`) and `V1MonitorSession`, the long-lived watch on the http-core session base (events
 * connecting/connected/reconnecting/disconnected/error/closed, async iterator, done, backoff).
 * A "connection" is one rti work id: polled every `intervalInMs`, restarted with backoff when the
 * monitor fails, stopped on close.
 */
import { Session, assertDuration, namespacedLogger, sleep, type Clock, type ConnectAttempt, type ConnectionContext, type SessionOptions } from '@x/http-core';
import type { CallOptionsArg } from '../call-options.js';
import { isMonitorError } from '../errors.js';
import type { ModelInfo, MonitorData } from '../model.js';
import type { V1Client } from './client.js';

/** Options of `V1Monitor.watch` (and of `V1MonitorSession`). */
export interface WatchOptions extends Omit<SessionOptions, 'clock'> {
  /** Pause between polls. Default 1000 ms (wideq's example). */
  intervalInMs?: number;
}

/** One decoded monitor frame. */
export interface MonitorFrame {
  raw: Uint8Array;
  data: MonitorData;
}

/** rti monitoring of one v1 device (wideq `Monitor`). */
export class V1Monitor {
  #workId: string | undefined;
  #restarted = false;
  constructor(
    private readonly client: V1Client,
    readonly deviceId: string,
    private readonly clock: Clock,
  ) {}

  /** The work id of the running monitor, if started. */
  get workId(): string | undefined {
    return this.#workId;
  }

  /** Starts the monitor (`rti/rtiMon` Start) and keeps its new work id; a running one is not stopped first. */
  async start(options?: CallOptionsArg): Promise<void> {
    this.#workId = await this.client.monitorStart(this.deviceId, options);
  }

  /**
   * Polls once: null while warming up or when nothing is new. A monitor error stops and restarts the
   * monitor (new work id) and yields null; a second error before any successful poll is thrown.
   */
  async poll(options?: CallOptionsArg): Promise<Uint8Array | null> {
    if (this.#workId === undefined) await this.start(options);
    try {
      const frame = await this.client.monitorPoll(this.deviceId, this.#workId as string, options);
      this.#restarted = false;
      return frame;
    } catch (err) {
      if (!isMonitorError(err) || this.#restarted) throw err;
      this.#restarted = true;
      await this.stop(options).catch(() => undefined);
      await this.start(options);
      return null;
    }
  }

  /** Stops the monitor (`rti/rtiMon` Stop) if started; the work id is forgotten even when the call fails. */
  async stop(options?: CallOptionsArg): Promise<void> {
    const workId = this.#workId;
    this.#workId = undefined;
    if (workId !== undefined) await this.client.monitorStop(this.deviceId, workId, options);
  }

  /**
   * Watches the device until `signal` aborts or the session is closed: a V1MonitorSession (an
   * async iterable of decoded frames that restarts the monitor with backoff after a failure).
   */
  watch(model: ModelInfo, options: WatchOptions = {}): V1MonitorSession {
    return new V1MonitorSession(this.client, this.deviceId, model, { ...options, clock: this.clock });
  }
}

/** The long-lived rti watch of one device, on the http-core session base. */
export class V1MonitorSession extends Session<string, MonitorFrame> {
  readonly #client: V1Client;
  readonly #model: ModelInfo;
  readonly #intervalInMs: number;
  readonly #clock: Clock | undefined;
  readonly deviceId: string;

  constructor(client: V1Client, deviceId: string, model: ModelInfo, options: WatchOptions & { clock?: Clock } = {}) {
    const { intervalInMs, logger, ...session } = options;
    assertDuration('intervalInMs', intervalInMs);
    // Polling cannot pause a device; the oldest unread frames give way to new ones.
    super({ overflow: 'drop-oldest', name: `v1 monitor ${deviceId}`, ...session, ...(logger ? { logger: namespacedLogger(logger, 'thinq') } : {}) });
    this.#client = client;
    this.deviceId = deviceId;
    this.#model = model;
    this.#intervalInMs = intervalInMs ?? 1000;
    this.#clock = options.clock;
  }

  protected override connect(attempt: ConnectAttempt): Promise<string> {
    return this.#client.monitorStart(this.deviceId, { signal: attempt.signal });
  }

  protected override async run(workId: string, context: ConnectionContext<MonitorFrame>): Promise<void> {
    const { signal } = context;
    while (!signal.aborted) {
      const raw = await this.#client.monitorPoll(this.deviceId, workId, { signal });
      if (raw) {
        let data: MonitorData;
        try {
          data = this.#model.decodeMonitor(raw);
        } catch (err) {
          context.report(err);
          continue;
        }
        context.deliver({ raw, data });
      } else {
        context.alive();
      }
      // Pending work: the poll wait keeps the process alive (sleep on the session's clock).
      await sleep(this.#intervalInMs, signal, this.#clock).catch((err: unknown) => {
        if (!signal.aborted) throw err;
      });
    }
  }

  protected override async disconnect(workId: string): Promise<void> {
    await this.#client.monitorStop(this.deviceId, workId).catch(() => undefined);
  }
}
