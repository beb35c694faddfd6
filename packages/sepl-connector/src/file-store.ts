import { readdir, readFile, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { cloneDevice, validateDevice, type SeplDevice } from './device.js';
import type { DeviceStore } from './store.js';
import { SeplStoreError } from './errors.js';
import { writeFileAtomic } from '@x/http-core';
import { DEFAULT_LOCK_TIMEOUT_MS, withFileLock } from './file-lock.js';

interface FileContent {
  version: 1;
  gatewayId?: string;
  devices: SeplDevice[];
  /** Devices deleted offline, their platform `delete` still to be sent. */
  pendingDeletions?: string[];
}

/**
 * A device store in one JSON file that survives restarts. Every change rewrites the file
 * atomically (temporary file + rename), so a crash never leaves a half-written store.
 * Writes are serialised, also across processes: each change takes `<path>.lock`, reads the file
 * again, applies itself and writes, so two writers never drop each other's changes.
 */
export class FileDeviceStore implements DeviceStore {
  readonly path: string;
  #loaded: Promise<void> | undefined;
  readonly #devices = new Map<string, SeplDevice>();
  #gatewayId: string | undefined;
  #pendingDeletions: string[] = [];
  #writing: Promise<void> = Promise.resolve();
  #swept = false;

  readonly #lockTimeoutInMs: number;

  /** `options.lockTimeoutInMs`: how long a change waits for another writer's lock (default 5000 ms). */
  constructor(path: string, options: { lockTimeoutInMs?: number } = {}) {
    if (typeof path !== 'string' || path === '') throw new TypeError('path must be a non-empty string');
    const timeout = options.lockTimeoutInMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout < 0) throw new RangeError('options.lockTimeoutInMs must be a number >= 0');
    this.path = path;
    this.#lockTimeoutInMs = timeout;
  }

  #load(): Promise<void> {
    // a failed read is not kept: a repaired file is read on the next call
    this.#loaded ??= this.#read().catch((err: unknown) => {
      this.#loaded = undefined;
      throw err;
    });
    return this.#loaded;
  }

  async #read(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new SeplStoreError(`device store ${this.path} is not valid JSON`, text, { path: this.path, corrupt: true });
    }
    const content = parsed as Partial<FileContent> | null;
    if (typeof content !== 'object' || content === null || content.version !== 1 || !Array.isArray(content.devices)) {
      throw new SeplStoreError(`device store ${this.path} has an unknown format`, text, { path: this.path, corrupt: true });
    }
    if (content.gatewayId !== undefined && typeof content.gatewayId !== 'string') {
      throw new SeplStoreError(`device store ${this.path}: gatewayId must be a string`, text, { path: this.path, corrupt: true });
    }
    // another writer may have changed the file since the last read: start from what it holds now
    this.#devices.clear();
    content.devices.forEach((device, i) => {
      try {
        const valid = validateDevice(device, `devices[${i}]`);
        this.#devices.set(valid.id, cloneDevice(valid));
      } catch (err) {
        throw new SeplStoreError(`device store ${this.path}: ${(err as Error).message}`, text, { path: this.path, corrupt: true });
      }
    });
    const pending = content.pendingDeletions;
    if (pending !== undefined && (!Array.isArray(pending) || !pending.every((id) => typeof id === 'string' && id !== ''))) {
      throw new SeplStoreError(`device store ${this.path}: pendingDeletions must be a list of device ids`, text, { path: this.path, corrupt: true });
    }
    this.#gatewayId = content.gatewayId;
    this.#pendingDeletions = pending ?? [];
  }

  /**
   * One change under the file lock: the file is read again (another writer may have changed it),
   * `apply` changes the memory view and says whether anything changed, then the file is written.
   */
  #mutate<T>(apply: () => { changed: boolean; result: T }): Promise<T> {
    const run = this.#writing.then(() =>
      withFileLock(this.path, async () => {
        await this.#sweepTempFiles();
        await this.#read();
        this.#loaded = Promise.resolve();
        const { changed, result } = apply();
        if (changed) await writeFileAtomic(this.path, this.#serialize());
        return result;
      }, this.#lockTimeoutInMs),
    );
    // the chain continues after a failed write; the caller still sees the failure
    this.#writing = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /**
   * Removes temporary files a crashed writer left next to the store (`.<name>.<hex>.part`, as
   * writeFileAtomic names them), once per instance. Only under the lock: a live writer's temporary
   * file exists only while it holds the lock.
   */
  async #sweepTempFiles(): Promise<void> {
    if (this.#swept) return;
    this.#swept = true;
    const name = basename(this.path);
    const dir = dirname(this.path);
    const orphans = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.startsWith(`.${name}.`) && /^\.[0-9a-f]{12}\.part$/.test(f.slice(name.length + 1)));
    await Promise.all(orphans.map((f) => rm(join(dir, f), { force: true })));
  }

  #serialize(): string {
    const content: FileContent = { version: 1, devices: [...this.#devices.values()] };
    if (this.#gatewayId !== undefined) content.gatewayId = this.#gatewayId;
    if (this.#pendingDeletions.length > 0) content.pendingDeletions = [...this.#pendingDeletions];
    return `${JSON.stringify(content, null, 2)}\n`;
  }

  async add(device: SeplDevice): Promise<void> {
    const copy = cloneDevice(validateDevice(device));
    await this.#mutate(() => {
      this.#devices.set(copy.id, copy);
      return { changed: true, result: undefined };
    });
  }

  update(device: SeplDevice): Promise<void> {
    return this.add(device);
  }

  remove(id: string): Promise<boolean> {
    return this.#mutate(() => {
      const existed = this.#devices.delete(id);
      return { changed: existed, result: existed };
    });
  }

  async get(id: string): Promise<SeplDevice | undefined> {
    await this.#load();
    const device = this.#devices.get(id);
    return device && cloneDevice(device);
  }

  async list(): Promise<SeplDevice[]> {
    await this.#load();
    return [...this.#devices.values()].map(cloneDevice);
  }

  async getGatewayId(): Promise<string | undefined> {
    await this.#load();
    return this.#gatewayId;
  }

  async setGatewayId(id: string): Promise<void> {
    if (typeof id !== 'string' || id === '') throw new TypeError('id must be a non-empty string');
    await this.#mutate(() => {
      const changed = this.#gatewayId !== id;
      this.#gatewayId = id;
      return { changed, result: undefined };
    });
  }

  async getPendingDeletions(): Promise<string[]> {
    await this.#load();
    return [...this.#pendingDeletions];
  }

  async setPendingDeletions(ids: string[]): Promise<void> {
    if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string' && id !== '')) throw new TypeError('ids must be a list of non-empty strings');
    await this.#mutate(() => {
      const same = ids.length === this.#pendingDeletions.length && ids.every((id, i) => id === this.#pendingDeletions[i]);
      this.#pendingDeletions = [...ids];
      return { changed: !same, result: undefined };
    });
  }
}
