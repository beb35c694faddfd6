// The live feed: GET /api/events (server-sent events). The server has no replay, so every
// (re)connection starts with a fresh snapshot of /api/status, /api/devices and /api/commands
// (see API.md).
import { decodeCommandRecord, decodeDevice, decodeReading, decodeSeplStatus, decodeVendorStatus, getCommands, getDevices, getStatus } from './api.js';
import { MAX_COMMANDS, type FleetStore } from './store.js';

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'paused' | 'error';

export interface LiveCallbacks {
  onState(state: LiveState, detail: string): void;
  /** A snapshot or an event could not be used (the reason is for the user). */
  onError(message: string): void;
}

/** Longest wait between reconnection attempts after the browser's EventSource gave up. */
const MAX_RETRY_MS = 15_000;

export class LiveFeed {
  readonly #store: FleetStore;
  readonly #callbacks: LiveCallbacks;
  #source: EventSource | null = null;
  #snapshotRun = 0;
  #retryMs = 1000;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Events that arrived while a snapshot was loading, applied on top of it. */
  #buffered: (() => void)[] | null = null;

  constructor(store: FleetStore, callbacks: LiveCallbacks) {
    this.#store = store;
    this.#callbacks = callbacks;
  }

  start(): void {
    this.#open();
  }

  /** Closes the feed (start() opens it again, with a fresh snapshot). */
  stop(): void {
    clearTimeout(this.#retryTimer);
    this.#snapshotRun++;
    this.#buffered = null;
    this.#source?.close();
    this.#source = null;
    this.#callbacks.onState('paused', 'Paused while in the background');
  }

  #open(): void {
    this.#callbacks.onState(this.#store.loaded ? 'reconnecting' : 'connecting', this.#store.loaded ? 'Reconnecting…' : 'Connecting…');
    const source = new EventSource('/api/events');
    this.#source = source;
    source.addEventListener('hello', () => {
      this.#retryMs = 1000;
      void this.#snapshot();
    });
    source.addEventListener('error', () => {
      if (source.readyState === EventSource.CLOSED) {
        // The browser gave up (e.g. the server answered with an error): retry ourselves.
        source.close();
        this.#callbacks.onState('error', `Live updates lost; retrying in ${Math.round(this.#retryMs / 1000)} s`);
        this.#retryTimer = setTimeout(() => this.#open(), this.#retryMs);
        this.#retryMs = Math.min(MAX_RETRY_MS, this.#retryMs * 2);
      } else {
        this.#callbacks.onState('reconnecting', 'Live updates interrupted; reconnecting…');
      }
    });
    this.#on(source, 'reading', (data) => this.#store.applyReading(decodeReading(data)));
    this.#on(source, 'device', (data) => this.#store.applyDevice(decodeDevice(data)));
    this.#on(source, 'vendor', (data) => this.#store.applyVendor(decodeVendorStatus(data)));
    this.#on(source, 'sepl', (data) => this.#store.applySepl(decodeSeplStatus(data)));
    this.#on(source, 'command', (data) => this.#store.applyCommand(decodeCommandRecord(data)));
  }

  #on(source: EventSource, type: string, apply: (data: unknown) => void): void {
    source.addEventListener(type, (event) => {
      const run = (): void => {
        try {
          apply(JSON.parse((event as MessageEvent<string>).data));
        } catch (error) {
          this.#callbacks.onError(`A live ${type} update could not be used: ${error instanceof Error ? error.message : String(error)}`);
        }
      };
      // While a snapshot loads, keep events for after it (the snapshot would overwrite them).
      if (this.#buffered) this.#buffered.push(run);
      else if (this.#store.loaded) run();
    });
  }

  async #snapshot(): Promise<void> {
    const run = ++this.#snapshotRun;
    this.#buffered = [];
    try {
      const [status, devices, commands] = await Promise.all([getStatus(), getDevices(), getCommands(MAX_COMMANDS)]);
      if (run !== this.#snapshotRun) return;
      this.#store.setSnapshot(status, devices, commands);
      const buffered = this.#buffered ?? [];
      this.#buffered = null;
      for (const apply of buffered) apply();
      this.#callbacks.onState('live', 'Live');
    } catch (error) {
      if (run !== this.#snapshotRun) return;
      this.#buffered = null;
      this.#callbacks.onError(`Could not load the fleet: ${error instanceof Error ? error.message : String(error)}`);
      this.#callbacks.onState('error', 'Not up to date');
    }
  }
}
