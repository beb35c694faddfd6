// Two writers on one FileDeviceStore file (two instances, as two processes would be): every
// acknowledged change survives (before the lock: 100 acknowledged adds kept 50), a stale lock of
// a crashed writer is broken, a live writer's lock makes the other fail with "in use".
import { mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileDeviceStore } from './file-store.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function file(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sepl-writers-'));
  dirs.push(dir);
  return join(dir, 'devices.json');
}

describe('FileDeviceStore with two writers', () => {
  it('keeps all 100 acknowledged adds of two interleaved writers', async () => {
    const path = await file();
    const a = new FileDeviceStore(path);
    const b = new FileDeviceStore(path);
    await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? a : b).add({ id: `d${i}`, type: 't', name: `D${i}` })));
    const ids = (await new FileDeviceStore(path).list()).map((d) => d.id);
    expect(ids.sort()).toEqual(Array.from({ length: 100 }, (_, i) => `d${i}`).sort());
    await a.remove('d0');
    await b.setGatewayId('gw');
    const fresh = new FileDeviceStore(path);
    expect([(await fresh.list()).length, await fresh.getGatewayId()]).toEqual([99, 'gw']);
    await expect(stat(`${path}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('breaks the stale lock of a crashed writer; a live lock is "in use" after lockTimeoutInMs', async () => {
    const path = await file();
    await writeFile(`${path}.lock`, '4242');
    const old = new Date(Date.now() - 60_000);
    await utimes(`${path}.lock`, old, old);
    const store = new FileDeviceStore(path, { lockTimeoutInMs: 100 });
    await store.add({ id: 'lamp', type: 't', name: 'Lamp' });
    expect((await new FileDeviceStore(path).list()).map((d) => d.id)).toEqual(['lamp']);
    await writeFile(`${path}.lock`, '4243');
    const error = await store.add({ id: 'plug', type: 't', name: 'Plug' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'SeplStoreError', code: 'SEPL_STORE', message: `device store ${path} is in use by another writer (${path}.lock exists)` });
    expect(() => new FileDeviceStore(path, { lockTimeoutInMs: -1 })).toThrow(new RangeError('options.lockTimeoutInMs must be a number >= 0'));
  });
});
