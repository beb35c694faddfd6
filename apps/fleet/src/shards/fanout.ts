// Live events across collectors through PostgreSQL LISTEN/NOTIFY, so every collector's SSE stream
// shows the whole fleet. Each collector notifies its own readings, device changes and commands
// (batched, one statement per batch, so they arrive in order) and re-emits the others' on the
// bus its HTTP server streams from. A NOTIFY payload must stay under 8000 bytes: a larger event
// is written to `event_outbox` and only its id is notified, the listeners fetch it.
import pg from 'pg';
import { createBackoff } from '@x/http-core';
import type { EventBus, FleetEventName, FleetEvents } from '../events.js';
import type { Logger } from '../log.js';
import type { SqlDriver } from '../storage/driver.js';

export const FANOUT_CHANNEL = 'fleet_events';
/** PostgreSQL's NOTIFY payload must be shorter than 8000 bytes. */
export const NOTIFY_LIMIT_BYTES = 7999;
/** Events waiting to be sent while the database is slow; beyond it the oldest are dropped. */
const MAX_QUEUED = 10_000;
/** Outbox rows only serve listeners that are up now; older ones are removed. */
const OUTBOX_KEEP_MS = 60_000;

/** The events that describe the fleet (vendor and SEPL states are each collector's own). */
export const FANNED_OUT: readonly FleetEventName[] = ['reading', 'device', 'command'];

interface Message {
  /** Sending collector. */
  c: string;
  e: FleetEventName;
  p?: unknown;
  /** event_outbox id when the event did not fit. */
  ref?: string;
}

export interface FanoutOptions {
  databaseUrl: string;
  db: SqlDriver;
  collectorId: string;
  /** Local events to send. */
  local: EventBus;
  /** Where the other collectors' events are emitted. */
  remote: EventBus;
  logger: Logger;
  limitBytes?: number;
  reconnect?: { initialDelayInMs?: number; maxDelayInMs?: number };
}

export class EventFanout {
  readonly #o: FanoutOptions;
  readonly #limit: number;
  readonly #backoff;
  #queue: string[] = [];
  #sending: Promise<void> | undefined;
  #client: pg.Client | undefined;
  #retry: NodeJS.Timeout | undefined;
  #off: (() => void) | undefined;
  #stopped = false;
  #lostReason: string | null = null;

  constructor(options: FanoutOptions) {
    this.#o = options;
    this.#limit = options.limitBytes ?? NOTIFY_LIMIT_BYTES;
    this.#backoff = createBackoff({ initialDelayInMs: options.reconnect?.initialDelayInMs ?? 1000, maxDelayInMs: options.reconnect?.maxDelayInMs ?? 30_000, jitter: 'equal' });
  }

  /** Whether the other collectors' events arrive (the listening connection is up). */
  status(): { state: 'connected' | 'reconnecting'; reason: string | null } {
    return this.#client ? { state: 'connected', reason: null } : { state: 'reconnecting', reason: this.#lostReason ?? 'not connected yet' };
  }

  /** Listens (the first connection must succeed; later losses reconnect) and starts sending. */
  async start(): Promise<void> {
    await this.#listen();
    this.#off = this.#o.local.onAny((name, payload) => {
      if (FANNED_OUT.includes(name)) this.#send({ c: this.#o.collectorId, e: name, p: payload });
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#off?.();
    clearTimeout(this.#retry);
    await this.#sending;
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  #send(message: Message): void {
    if (this.#queue.length >= MAX_QUEUED) this.#queue.shift();
    this.#queue.push(JSON.stringify(message));
    this.#sending ??= this.#drain();
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0);
        try {
          const texts = await Promise.all(batch.map((text) => this.#fit(text)));
          await this.#o.db.query('SELECT pg_notify($1, x) FROM unnest($2::text[]) AS x', [FANOUT_CHANNEL, texts]);
        } catch (err) {
          this.#o.logger.warn('live events not sent to the other collectors', { error: err, events: batch.length });
        }
      }
    } finally {
      this.#sending = undefined;
    }
  }

  /** The message itself when it fits a NOTIFY, otherwise a reference to its outbox row. */
  async #fit(text: string): Promise<string> {
    if (Buffer.byteLength(text, 'utf8') <= this.#limit) return text;
    const { c, e } = JSON.parse(text) as Message;
    // The database's clock, so that collectors with skewed clocks never remove each other's fresh rows.
    const [row] = await this.#o.db.query<{ id: string }>(
      `WITH now AS (SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS ms),
            gone AS (DELETE FROM event_outbox WHERE created_at < (SELECT ms FROM now) - ${OUTBOX_KEEP_MS})
       INSERT INTO event_outbox (body, created_at) SELECT $1, ms FROM now RETURNING id::text`,
      [text],
    );
    return JSON.stringify({ c, e, ref: row?.id } satisfies Message);
  }

  async #listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.#o.databaseUrl, application_name: 'x-fleet listener' });
    client.on('notification', (n) => void this.#receive(n.payload));
    client.on('error', (err) => this.#lost(client, err));
    client.on('end', () => this.#lost(client, new Error('connection ended')));
    await client.connect();
    await client.query(`LISTEN ${FANOUT_CHANNEL}`);
    this.#client = client;
    this.#lostReason = null;
    this.#backoff.reset();
  }

  #lost(client: pg.Client, err: Error): void {
    if (this.#stopped || this.#client !== client) return;
    this.#client = undefined;
    this.#lostReason = `listening connection lost: ${err.message}`;
    this.#o.logger.warn('live events of the other collectors interrupted; reconnecting', { error: err });
    void client.end().catch(() => undefined);
    this.#reconnectLater();
  }

  #reconnectLater(): void {
    this.#retry = setTimeout(() => {
      if (this.#stopped) return;
      this.#listen().catch((err: unknown) => {
        this.#o.logger.warn('live events listener: reconnect failed', { error: err });
        this.#reconnectLater();
      });
    }, this.#backoff.next());
  }

  async #receive(payload: string | undefined): Promise<void> {
    try {
      const message = JSON.parse(payload ?? '') as Message;
      if (message.c === this.#o.collectorId || !FANNED_OUT.includes(message.e)) return;
      const full = message.ref === undefined ? message : await this.#fetch(message.ref);
      if (full) this.#o.remote.emit(full.e, full.p as FleetEvents[typeof full.e]);
    } catch (err) {
      this.#o.logger.warn('live event of another collector dropped', { error: err });
    }
  }

  async #fetch(ref: string): Promise<Message | undefined> {
    const [row] = await this.#o.db.query<{ body: string }>('SELECT body FROM event_outbox WHERE id = $1::bigint', [ref]);
    return row ? (JSON.parse(row.body) as Message) : undefined;
  }
}
