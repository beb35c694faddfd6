/**
 * One simulated monitor: its `<Monitor>` fields, topic matching, and the delivery queue shared by
 * the TCP push and HTTP transports (batching by size and duration, in-flight blocks awaiting an ack
 * or a 2xx, replay of everything undelivered to persistent monitors after a reconnect).
 */
import { compress, renderDocument, type SimEvent } from './sim-events.js';

/** A block of events as handed to a push connection or HTTP deliverer. */
export interface SimBatch {
  blockId: number;
  events: SimEvent[];
  format: 'json' | 'xml';
  compression: 'none' | 'zlib';
  /** Document bytes, compressed when the monitor says so. */
  data: Buffer;
}

/** Where a monitor's batches go: a push connection or an HTTP deliverer. */
export interface Sink {
  /** How many batches may be in flight (sent, not yet confirmed). */
  readonly window: number;
  send(batch: SimBatch): void;
  close(): void;
}

interface TopicFilter {
  type: string;
  path?: RegExp;
  operations?: Set<string>;
}

function parseTopic(topic: string): TopicFilter {
  let rest = topic.trim();
  let operations: Set<string> | undefined;
  const opFilter = (text: string) => {
    const letters = text.toUpperCase().replace(/[^CUD]/g, '');
    operations = new Set([...letters].map((l) => (l === 'C' ? 'create' : l === 'U' ? 'update' : 'delete')));
  };
  // Leading filters: [operation=U][group=*]Type/…
  for (let m = /^\[(\w+)=([^\]]*)\]/.exec(rest); m; m = /^\[(\w+)=([^\]]*)\]/.exec(rest)) {
    if (m[1] === 'operation') opFilter(m[2] ?? '');
    rest = rest.slice(m[0].length);
  }
  const slash = rest.indexOf('/');
  let type = slash < 0 ? rest : rest.slice(0, slash);
  const suffix = /^(\w+)\[([A-Za-z]+)\]$/.exec(type); // DeviceCore[U]
  if (suffix) {
    type = suffix[1] ?? type;
    opFilter(suffix[2] ?? '');
  }
  const filter: TopicFilter = { type };
  if (operations) filter.operations = operations;
  if (slash >= 0) {
    const pattern = decodeURIComponent(rest.slice(slash + 1));
    const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
    filter.path = new RegExp(`^${escaped}(/.*)?$`);
  }
  return filter;
}

/** A monitor inside the simulator: its `<Monitor>` fields, topic filters and delivery queue. */
export class SimMonitor {
  readonly id: number;
  fields: Record<string, string>;
  pending: SimEvent[] = [];
  /** Sent blocks not yet confirmed, in send order. */
  readonly inflight = new Map<number, SimBatch>();
  /** The last 10 000 batches handed to a sink (for assertions). */
  readonly sent: SimBatch[] = [];
  /** Block ids of the acks received (explicit-ack monitors; the last 10 000). */
  readonly acks: number[] = [];
  /** Bytes a client sent after the handshake of an ack-off monitor (ignored, as the server does: acks it need not send). */
  ignoredBytes = 0;
  /** Saved events of a persistent or polling monitor, oldest first (the last 10 000), for the history API. */
  readonly history: SimEvent[] = [];
  /** Events dropped because the monitor was not connected and not persistent. */
  dropped = 0;
  sink: Sink | undefined;
  stalledUntil = 0;
  private filters: TopicFilter[] = [];
  private nextBlockId = 0;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;

  constructor(
    id: number,
    fields: Record<string, string>,
    private readonly secondInMs: number,
  ) {
    this.id = id;
    this.fields = fields;
    this.update({});
  }

  /** Merges `<Monitor>` field changes (`monId` kept; `gzip` stored as `zlib`) and re-reads the topic filters. */
  update(changes: Record<string, string>): void {
    this.fields = { ...this.fields, ...changes, monId: String(this.id) };
    if (this.fields.monCompression === 'gzip') this.fields.monCompression = 'zlib';
    this.filters = (this.fields.monTopic ?? '').split(',').filter(Boolean).map(parseTopic);
    if (!this.fields.monStatus) this.fields.monStatus = this.transport === 'http' ? 'CONNECTING' : 'INACTIVE';
  }

  get transport(): string {
    return this.fields.monTransportType ?? 'tcp';
  }
  get persistent(): boolean {
    return this.fields.monAutoReplayOnConnect === 'true';
  }
  get explicitAck(): boolean {
    return this.fields.monAckOption === 'explicit';
  }
  get batchSize(): number {
    const n = Number(this.fields.monBatchSize ?? '100');
    return Number.isInteger(n) && n > 0 ? Math.min(n, 0xffff) : 100;
  }
  get batchDurationInMs(): number {
    const n = Number(this.fields.monBatchDuration ?? '10');
    return (Number.isFinite(n) && n >= 0 ? n : 10) * this.secondInMs;
  }
  get format(): 'json' | 'xml' {
    return this.fields.monFormatType === 'xml' ? 'xml' : 'json';
  }
  get compression(): 'none' | 'zlib' {
    return this.fields.monCompression === 'zlib' ? 'zlib' : 'none';
  }

  /** Whether one of the monitor's topics covers the event (type, operation filter and path). */
  matches(event: SimEvent): boolean {
    const path = event.topic.split('/').slice(2).join('/');
    return this.filters.some(
      (f) => f.type === event.type && (f.operations === undefined || f.operations.has(event.operation)) && (f.path === undefined || f.path.test(path)),
    );
  }

  /** Persistent and polling monitors save their events (server time = the event's timestamp). */
  get savesHistory(): boolean {
    return this.persistent || this.transport === 'polling';
  }

  /** A matching event was published: saved when the monitor keeps history, queued for its transport. */
  offer(event: SimEvent): void {
    if (this.savesHistory) {
      this.history.push({ ...event, replay: false });
      if (this.history.length > 10_000) this.history.shift();
    }
    if (this.transport === 'polling') return; // read with the history API, never pushed
    if (this.sink) {
      this.pending.push({ ...event });
      this.schedule();
    } else if (this.persistent) {
      this.pending.push({ ...event, replay: true });
    } else {
      this.dropped++;
    }
  }

  /** Connects a transport (replacing and closing the previous one); the monitor becomes ACTIVE and batching starts. */
  attach(sink: Sink, now: Date): void {
    const previous = this.sink;
    if (previous) {
      this.detach(previous);
      previous.close();
    }
    this.sink = sink;
    this.fields.monStatus = 'ACTIVE';
    this.fields.monLastConnect = now.toISOString();
    this.schedule();
  }

  /** The sink went away: undelivered blocks come back (flagged replay) for persistent monitors. */
  detach(sink: Sink): void {
    if (this.sink !== sink) return;
    this.sink = undefined;
    this.clearTimers();
    const undelivered = [...this.inflight.values()].flatMap((b) => b.events);
    this.inflight.clear();
    if (this.persistent) {
      this.pending = [...undelivered, ...this.pending].map((e) => ({ ...e, replay: true }));
      this.fields.monStatus = 'SUSPENDED';
    } else {
      this.dropped += undelivered.length + this.pending.length;
      this.pending = [];
      this.fields.monStatus = this.transport === 'http' ? 'DISABLED' : 'INACTIVE';
    }
  }

  /** The sink confirmed a block (ack, complete write, or 2xx). */
  delivered(blockId: number, now: Date): void {
    if (!this.inflight.delete(blockId)) return;
    this.fields.monLastSent = now.toISOString();
    this.schedule();
  }

  /** Re-arms batching after a stall or a confirmation. */
  schedule(): void {
    if (!this.sink || this.pending.length === 0) return;
    if (this.pending.length >= this.batchSize) {
      this.immediate ??= setImmediate(() => {
        this.immediate = undefined;
        this.flush(false);
      });
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush(true);
    }, this.batchDurationInMs);
  }

  private flush(all: boolean): void {
    const sink = this.sink;
    if (!sink) return;
    const stall = this.stalledUntil - Date.now();
    if (stall > 0) {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.flush(true);
      }, stall);
      return;
    }
    while (this.pending.length > 0 && this.inflight.size < sink.window && (all || this.pending.length >= this.batchSize)) {
      const events = this.pending.splice(0, this.batchSize);
      const blockId = this.nextBlockId;
      this.nextBlockId = (this.nextBlockId + 1) & 0xffff;
      const batch: SimBatch = {
        blockId,
        events,
        format: this.format,
        compression: this.compression,
        data: compress(renderDocument(events, this.format), this.compression),
      };
      this.inflight.set(blockId, batch);
      this.sent.push(batch);
      if (this.sent.length > 10_000) this.sent.shift();
      sink.send(batch);
      if (this.sink !== sink) return; // the send failed synchronously and detached us
    }
    if (this.pending.length > 0 && this.inflight.size < sink.window) this.schedule();
  }

  /** Cancels the pending batch timers. */
  clearTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }
}
