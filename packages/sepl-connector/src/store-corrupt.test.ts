// A corrupt device store fails start() with a SeplStoreError naming the file (G2 and G3), instead
// of leaving start() pending in a reconnect loop; the same store reads a repaired file again;
// orphan temporary files are cleaned.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SeplConnector } from './client.js';
import { FileDeviceStore } from './file-store.js';
import { startSeplG3Simulator } from './testing/g3-simulator.js';
import { startSeplSimulator } from './testing/simulator.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function corruptStore(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sepl-corrupt-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'store.json');
  await writeFile(path, '{"version":1,"devices":[');
  return path;
}

const GOOD = JSON.stringify({ version: 1, devices: [{ id: 'lamp', type: 'iot#lamp', name: 'Lamp' }] });

describe('a corrupt device store', () => {
  it('G2: start() rejects with the SeplStoreError naming the file, no reconnect; a repaired file starts', async () => {
    const sim = await startSeplSimulator({ users: { alice: 'secret' } });
    cleanup.push(() => sim.close());
    const path = await corruptStore();
    const store = new FileDeviceStore(path);
    const connector = new SeplConnector({ url: sim.websocketUrl, user: 'alice', password: 'secret', store, reconnect: { initialDelayInMs: 5, maxDelayInMs: 5 } });
    cleanup.push(() => connector.close());
    let reconnects = 0;
    connector.on('reconnecting', () => reconnects++);
    connector.on('error', () => undefined);
    await expect(connector.start()).rejects.toMatchObject({ name: 'SeplStoreError', code: 'SEPL_STORE', path, corrupt: true, message: `device store ${path} is not valid JSON` });
    await expect(connector.done).rejects.toMatchObject({ name: 'SeplStoreError', path });
    expect([reconnects, connector.state]).toEqual([0, 'closed']);
    await writeFile(path, GOOD);
    expect(await store.list()).toEqual([{ id: 'lamp', type: 'iot#lamp', name: 'Lamp' }]);
    const again = new SeplConnector({ url: sim.websocketUrl, user: 'alice', password: 'secret', store });
    cleanup.push(() => again.close());
    expect(await again.start()).toMatchObject({ protocol: 'g2', resynced: true });
  });

  it('G3: start() rejects with the SeplStoreError naming the file', async () => {
    const sim = await startSeplG3Simulator({ users: { alice: 'secret' }, clientId: 'cc' });
    cleanup.push(() => sim.close());
    const path = await corruptStore();
    const connector = new SeplConnector({
      protocol: 'g3',
      g3: { tokenUrl: sim.tokenUrl, clientId: 'cc', hubUrl: sim.hubUrl, deviceUrl: sim.deviceUrl, mqttUrl: sim.mqttUrl, ca: sim.caPem },
      user: 'alice',
      password: 'secret',
      store: new FileDeviceStore(path),
    });
    cleanup.push(() => connector.close());
    await expect(connector.start()).rejects.toMatchObject({ name: 'SeplStoreError', path, corrupt: true, message: `device store ${path} is not valid JSON` });
  });
});

describe('orphan temporary files', () => {
  it('a change removes the .<name>.<hex>.part files a crashed writer left, and nothing else', async () => {
    const path = await corruptStore();
    await writeFile(path, GOOD);
    const dir = join(path, '..');
    await writeFile(join(dir, '.store.json.0123456789ab.part'), '{"version":1');
    await writeFile(join(dir, '.other.json.0123456789ab.part'), 'x');
    await writeFile(join(dir, '.store.json.notours.part'), 'x');
    const store = new FileDeviceStore(path);
    await store.add({ id: 'fan', type: 'iot#fan', name: 'Fan' });
    expect((await readdir(dir)).sort()).toEqual(['.other.json.0123456789ab.part', '.store.json.notours.part', 'store.json']);
    expect((await store.list()).map((d) => d.id)).toEqual(['lamp', 'fan']);
  });
});
