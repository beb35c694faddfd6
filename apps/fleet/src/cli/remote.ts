// `fleet devices` / `fleet export` while a service holds the data folder: they ask its HTTP API
// (the URL recorded in the folder's lock file) instead of opening the embedded database a second time.
import type { Device } from '../model.js';
import type { LockHolder } from '../storage/data-lock.js';

/** The holder's URL as a client reaches it: a wildcard bind is reached over loopback. */
export function clientUrl(url: string): string {
  const u = new URL(url);
  if (u.hostname === '0.0.0.0') u.hostname = '127.0.0.1';
  else if (u.hostname === '[::]') u.hostname = '[::1]';
  return u.origin;
}

export class RemoteService {
  readonly #base: string;
  readonly #token: string | undefined;
  readonly #signal: AbortSignal | undefined;

  constructor(holder: LockHolder & { url: string }, accessToken: string | undefined, signal?: AbortSignal) {
    this.#base = clientUrl(holder.url);
    this.#token = accessToken;
    this.#signal = signal;
  }

  async #get(path: string): Promise<Response> {
    const res = await fetch(`${this.#base}${path}`, {
      headers: this.#token === undefined ? {} : { authorization: `Bearer ${this.#token}` },
      ...(this.#signal ? { signal: this.#signal } : {}),
    });
    if (!res.ok) {
      const body = (await res.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
      throw new Error(`the running service (${this.#base}) answered ${res.status}: ${body?.error?.message ?? res.statusText}`);
    }
    return res;
  }

  async devices(): Promise<Device[]> {
    return ((await (await this.#get('/api/devices')).json()) as { devices: Device[] }).devices;
  }

  /** The CSV export, chunk by chunk. */
  async *exportCsv(q: { from: number; to: number; deviceId?: string | undefined; metric?: string | undefined }): AsyncGenerator<string> {
    const params = new URLSearchParams({ from: String(q.from), to: String(q.to) });
    if (q.deviceId !== undefined) params.set('deviceId', q.deviceId);
    if (q.metric !== undefined) params.set('metric', q.metric);
    const res = await this.#get(`/api/export.csv?${params.toString()}`);
    if (!res.body) return;
    yield* res.body.pipeThrough(new TextDecoderStream());
  }
}

/** Counts the CSV records in a stream of chunks (line ends outside quotes), header excluded. */
export function csvRecordCounter(): { feed(chunk: string): void; readonly records: number } {
  let quoted = false;
  let lines = 0;
  return {
    feed(chunk) {
      for (const ch of chunk) {
        if (ch === '"') quoted = !quoted;
        else if (ch === '\n' && !quoted) lines += 1;
      }
    },
    get records() {
      return Math.max(0, lines - 1);
    },
  };
}
