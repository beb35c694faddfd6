import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SeplConnector } from './client.js';
import { FileDeviceStore } from './file-store.js';
import { MemoryDeviceStore } from './memory-store.js';
import type { DeviceStore } from './store.js';
import { startSeplSimulator } from './testing/simulator.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
async function tempFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sepl-store-'));
  dirs.push(dir);
  return join(dir, 'devices.json');
}

const a = { id: 'a', type: 'iot#t', name: 'A', tags: { room: 'hall' } };
const b = { id: 'b', type: 'iot#t', name: 'B' };

describe.each([
  ['MemoryDeviceStore', (): Promise<DeviceStore> => Promise.resolve(new MemoryDeviceStore())],
  ['FileDeviceStore', async (): Promise<DeviceStore> => new FileDeviceStore(await tempFile())],
])('%s', (_, make) => {
  it('adds, updates, gets, lists and removes devices, and keeps the gateway id', async () => {
    const store = await make();
    expect(await store.list()).toEqual([]);
    expect(await store.getGatewayId()).toBeUndefined();
    await store.add(a);
    await store.add(b);
    await store.update({ ...a, name: 'A2' });
    expect(await store.get('a')).toEqual({ id: 'a', type: 'iot#t', name: 'A2', tags: [['room', 'hall']] });
    expect(await store.get('zzz')).toBeUndefined();
    expect((await store.list()).map((d) => d.id)).toEqual(['a', 'b']);
    expect(await store.remove('b')).toBe(true);
    expect(await store.remove('b')).toBe(false);
    await store.setGatewayId('gid-1');
    expect(await store.getGatewayId()).toBe('gid-1');
    await expect(Promise.resolve().then(() => store.add({ id: '', type: 't', name: 'n' }))).rejects.toThrow(RangeError);
  });

  it('keeps pending deletions, as copies', async () => {
    const store = await make();
    expect(await store.getPendingDeletions!()).toEqual([]);
    const ids = ['x'];
    await store.setPendingDeletions!(ids);
    ids.push('y');
    const got = await store.getPendingDeletions!();
    expect(got).toEqual(['x']);
    got.push('z');
    expect(await store.getPendingDeletions!()).toEqual(['x']);
  });

  it('returns copies that do not change the store', async () => {
    const store = await make();
    await store.add(a);
    const got = (await store.get('a'))!;
    (got.tags as [string, string][]).push(['x', 'y']);
    expect((await store.get('a'))!.tags).toEqual([['room', 'hall']]);
  });
});

describe('FileDeviceStore persistence', () => {
  it('survives a restart, writing the whole file atomically', async () => {
    const path = await tempFile();
    const first = new FileDeviceStore(path);
    await Promise.all([first.add(a), first.add(b), first.setGatewayId('g-7')]);
    const text = await readFile(path, 'utf8');
    expect(JSON.parse(text)).toEqual({
      version: 1,
      gatewayId: 'g-7',
      devices: [
        { id: 'a', type: 'iot#t', name: 'A', tags: [['room', 'hall']] },
        { id: 'b', type: 'iot#t', name: 'B' },
      ],
    });
    const second = new FileDeviceStore(path);
    expect(await second.list()).toEqual([
      { id: 'a', type: 'iot#t', name: 'A', tags: [['room', 'hall']] },
      { id: 'b', type: 'iot#t', name: 'B' },
    ]);
    expect(await second.getGatewayId()).toBe('g-7');
    await second.setPendingDeletions(['old-1', 'old-2']);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ pendingDeletions: ['old-1', 'old-2'] });
    expect(await new FileDeviceStore(path).getPendingDeletions()).toEqual(['old-1', 'old-2']);
    await second.setPendingDeletions([]);
    expect(JSON.parse(await readFile(path, 'utf8'))).not.toHaveProperty('pendingDeletions');
  });

  it.each([
    ['not json', 'is not valid JSON'],
    ['{"version":2,"devices":[]}', 'has an unknown format'],
    ['{"version":1,"devices":[],"gatewayId":5}', 'gatewayId must be a string'],
    ['{"version":1,"devices":[{"id":"x"}]}', 'devices[0].type must be a string'],
    ['{"version":1,"devices":[],"pendingDeletions":[3]}', 'pendingDeletions must be a list of device ids'],
  ])('rejects a broken file %j with a SeplStoreError', async (content, message) => {
    const path = await tempFile();
    await writeFile(path, content);
    const store = new FileDeviceStore(path);
    await expect(store.list()).rejects.toMatchObject({ name: 'SeplStoreError', code: 'SEPL_STORE' });
    await expect(new FileDeviceStore(path).list()).rejects.toThrow(message);
  });

  it('validates its arguments', async () => {
    expect(() => new FileDeviceStore('')).toThrow(new TypeError('path must be a non-empty string'));
    await expect(new FileDeviceStore(await tempFile()).setGatewayId('')).rejects.toThrow(TypeError);
    await expect(new FileDeviceStore(await tempFile()).setPendingDeletions([''])).rejects.toThrow(new TypeError('ids must be a list of non-empty strings'));
  });

  it('keeps the gateway across connector restarts (no reset when nothing changed)', async () => {
    const sim = await startSeplSimulator({ users: { u: 'p' } });
    try {
      const path = await tempFile();
      const one = new SeplConnector({ url: sim.websocketUrl, user: 'u', password: 'p', store: new FileDeviceStore(path) });
      await one.start();
      await one.add(a);
      await one.close();
      const two = new SeplConnector({ url: sim.websocketUrl, user: 'u', password: 'p', store: new FileDeviceStore(path) });
      const info = await two.start();
      await two.close();
      expect(info.resynced).toBe(false);
      expect(sim.gateways.size).toBe(1);
      expect([...sim.gateways.values()][0]!.clears).toBe(1);
    } finally {
      await sim.close();
    }
  });
});
