// Server-sent events: every bus event goes to every connected client as `event:` + JSON `data:`.
// A slow client whose buffer keeps growing is dropped rather than letting memory grow.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventBus, FleetEventName, FleetEvents } from '../events.js';
import type { Reading } from '../model.js';
import { readableReading } from '../readable.js';

const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

export interface SseOptions {
  heartbeatInMs?: number;
  now?: () => number;
}

export class SseHub {
  readonly #clients = new Set<ServerResponse>();
  readonly #heartbeat: NodeJS.Timeout;
  readonly #now: () => number;
  #nextId = 1;
  readonly #unsubscribe: () => void;

  constructor(bus: EventBus, options: SseOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#unsubscribe = bus.onAny((name, payload) => this.broadcast(name, payload));
    this.#heartbeat = setInterval(() => {
      for (const res of this.#clients) this.#write(res, ': ping\n\n');
    }, options.heartbeatInMs ?? 15_000);
    this.#heartbeat.unref();
  }

  get size(): number {
    return this.#clients.size;
  }

  attach(req: IncomingMessage, res: ServerResponse, headers: Record<string, string>): void {
    res.writeHead(200, {
      ...headers,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.socket?.setNoDelay(true);
    this.#clients.add(res);
    const drop = (): void => {
      this.#clients.delete(res);
    };
    req.on('close', drop);
    res.on('close', drop);
    this.#write(res, 'retry: 2000\n\n');
    this.#write(res, this.#frame('hello', { serverTime: new Date(this.#now()).toISOString() }));
  }

  broadcast<K extends FleetEventName>(name: K | 'hello', payload: FleetEvents[K] | { serverTime: string }): void {
    if (this.#clients.size === 0) return;
    // Readings reach people with their words (devices get theirs where the app decorates them).
    const frame = this.#frame(name, name === 'reading' ? readableReading(payload as Reading) : payload);
    for (const res of this.#clients) this.#write(res, frame);
  }

  #frame(name: string, payload: unknown): string {
    return `id: ${this.#nextId++}\nevent: ${name}\ndata: ${JSON.stringify(payload)}\n\n`;
  }

  #write(res: ServerResponse, text: string): void {
    if (res.writableEnded || res.destroyed) {
      this.#clients.delete(res);
      return;
    }
    if (res.writableLength > MAX_BUFFERED_BYTES) {
      this.#clients.delete(res);
      res.destroy();
      return;
    }
    res.write(text);
  }

  close(): void {
    clearInterval(this.#heartbeat);
    this.#unsubscribe();
    for (const res of this.#clients) res.end();
    this.#clients.clear();
  }
}
