import { readFile } from 'node:fs/promises';
import { cloneDevice, validateDevice, type SeplDevice } from './device.js';
import type { DeviceStore } from './store.js';
import { SeplStoreError } from './errors.js';
import { writeFileAtomic } from '@x/http-core';

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
 * Writes are serialised; the file is read once, on first use.
 */
export class FileDeviceStore implements DeviceStore {
  readonly path: string;
  #loaded: Promise<void> | undefined;
  readonly #devices = new Map<string, SeplDevice>();
  #gatewayId: string | undefined;
  #pendingDeletions: string[] = [];
  #writing: Promise<void> = Promise.resolve();

  constructor(path: string) {
    if (typeof path !== 'string' || path === '') throw new TypeError('path must be a non-empty string');
    this.path = path;
  }

  #load(): Promise<void> {
    this.#loaded ??= this.#read();
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
      throw new SeplStoreError(`device store ${this.path} is not valid JSON`, text);
    }
    const content = parsed as Partial<FileContent> | null;
    if (typeof content !== 'object' || content === null || content.version !== 1 || !Array.isArray(content.devices)) {
      throw new SeplStoreError(`device store ${this.path} has an unknown format`, text);
    }
    if (content.gatewayId !== undefined && typeof content.gatewayId !== 'string') {
      throw new SeplStoreError(`device store ${this.path}: gatewayId must be a string`, text);
    }
    content.devices.forEach((device, i) => {
      try {
        const valid = validateDevice(device, `devices[${i}]`);
        this.#devices.set(valid.id, cloneDevice(valid));
      } catch (err) {
        throw new SeplStoreError(`device store ${this.path}: ${(err as Error).message}`, text);
      }
    });
    const pending = content.pendingDeletions;
    if (pending !== undefined && (!Array.isArray(pending) || !pending.every((id) => typeof id === 'string' && id !== ''))) {
      throw new SeplStoreError(`device store ${this.path}: pendingDeletions must be a list of device ids`, text);
    }
    this.#gatewayId = content.gatewayId;
    this.#pendingDeletions = pending ?? [];
  }

  #persist(): Promise<void> {
    const content: FileContent = { version: 1, devices: [...this.#devices.values()] };
    if (this.#gatewayId !== undefined) content.gatewayId = this.#gatewayId;
    if (this.#pendingDeletions.length > 0) content.pendingDeletions = [...this.#pendingDeletions];
    const text = `${JSON.stringify(content, null, 2)}\n`;
    const write = this.#writing.then(() => writeFileAtomic(this.path, text));
    // the chain continues after a failed write; the caller still sees the failure
    this.#writing = write.catch(() => undefined);
    return write;
  }

  async add(device: SeplDevice): Promise<void> {
    const copy = cloneDevice(validateDevice(device));
    await this.#load();
    this.#devices.set(copy.id, copy);
    await this.#persist();
  }

  update(device: SeplDevice): Promise<void> {
    return this.add(device);
  }

  async remove(id: string): Promise<boolean> {
    await this.#load();
    const existed = this.#devices.delete(id);
    if (existed) await this.#persist();
    return existed;
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
    await this.#load();
    if (this.#gatewayId === id) return;
    this.#gatewayId = id;
    await this.#persist();
  }

  async getPendingDeletions(): Promise<string[]> {
    await this.#load();
    return [...this.#pendingDeletions];
  }

  async setPendingDeletions(ids: string[]): Promise<void> {
    if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string' && id !== '')) throw new TypeError('ids must be a list of non-empty strings');
    await this.#load();
    if (ids.length === this.#pendingDeletions.length && ids.every((id, i) => id === this.#pendingDeletions[i])) return;
    this.#pendingDeletions = [...ids];
    await this.#persist();
  }
}
