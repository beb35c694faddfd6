// The `/api/devices` answer, cached: the device list (per filter) is read from the database and
// serialised once, then served to every caller until a device or reading event says it changed,
// with an ETag (a hash of the body) so a client that has it gets a 304. A list is never older than
// `maxAgeInMs` (changes written by another collector do not pass this process' bus), and while
// changes stream in it is rebuilt at most every `minAgeInMs`, so a busy fleet does not rebuild it
// per request. Both ages stretch to five times the last rebuild's duration (a list of 10,000
// devices takes a second or more to read), and while one caller rebuilds a list, the others are
// served the previous one rather than waiting.
import { createHash } from 'node:crypto';
import type { EventBus } from '../events.js';
import type { Device } from '../model.js';

export interface DevicesPage {
  readonly body: string;
  readonly etag: string;
}

export interface DevicesCacheOptions {
  /** Reads the full, sorted list for a filter key (`vendor|kind`). */
  load: (key: string) => Promise<Device[]>;
  now?: () => number;
  minAgeInMs?: number;
  maxAgeInMs?: number;
}

interface Entry {
  readonly version: number;
  readonly at: number;
  readonly devices: Device[];
  readonly pages: Map<string, DevicesPage>;
}

export function etagOf(body: string): string {
  return `"${createHash('sha1').update(body).digest('base64url')}"`;
}

/** Whether an If-None-Match header names `etag` (a list, weak forms, or `*`). */
export function matchesEtag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim().replace(/^W\//, '');
    return t === '*' || t === etag;
  });
}

export class DevicesCache {
  readonly #o: Required<Omit<DevicesCacheOptions, 'load'>> & Pick<DevicesCacheOptions, 'load'>;
  readonly #entries = new Map<string, Entry>();
  readonly #loading = new Map<string, Promise<Entry>>();
  readonly #unsubscribe: Array<() => void>;
  #version = 0;
  #lastBuildMs = 0;

  constructor(bus: EventBus, options: DevicesCacheOptions) {
    this.#o = { now: Date.now, minAgeInMs: 200, maxAgeInMs: 1000, ...options };
    const bump = (): void => {
      this.#version++;
    };
    this.#unsubscribe = [bus.on('device', bump), bus.on('reading', bump)];
  }

  /**
   * The answer for a filter and a page (`offset`, `limit`; no limit: every device):
   * `{ devices, total, nextCursor }` serialised, and its ETag.
   */
  async page(key: string, offset: number, limit: number | undefined): Promise<DevicesPage> {
    const entry = await this.#entry(key);
    const pageKey = `${offset}/${limit ?? ''}`;
    let page = entry.pages.get(pageKey);
    if (!page) {
      const end = limit === undefined ? entry.devices.length : Math.min(entry.devices.length, offset + limit);
      const devices = offset === 0 && end === entry.devices.length ? entry.devices : entry.devices.slice(offset, end);
      const body = JSON.stringify({ devices, total: entry.devices.length, nextCursor: end < entry.devices.length ? String(end) : null });
      page = { body, etag: etagOf(body) };
      // Pages of one list are few (the dashboard walks them in order); keep them with it.
      if (entry.pages.size < 1000) entry.pages.set(pageKey, page);
    }
    return page;
  }

  close(): void {
    for (const off of this.#unsubscribe) off();
  }

  #fresh(entry: Entry, now: number): boolean {
    const age = now - entry.at;
    const slow = 5 * this.#lastBuildMs;
    if (age >= Math.max(this.#o.maxAgeInMs, slow)) return false;
    return entry.version === this.#version || age < Math.max(this.#o.minAgeInMs, slow);
  }

  async #entry(key: string): Promise<Entry> {
    const cached = this.#entries.get(key);
    if (cached && this.#fresh(cached, this.#o.now())) return cached;
    const loading = this.#loading.get(key);
    // A rebuild is under way: the previous list meanwhile (the first caller waits for the new one).
    if (loading) return cached ?? loading;
    const build = this.#build(key).finally(() => this.#loading.delete(key));
    this.#loading.set(key, build);
    return build;
  }

  async #build(key: string): Promise<Entry> {
    const version = this.#version;
    const started = this.#o.now();
    const devices = await this.#o.load(key);
    this.#lastBuildMs = this.#o.now() - started;
    const entry: Entry = { version, at: started, devices, pages: new Map() };
    this.#entries.set(key, entry);
    return entry;
  }
}
