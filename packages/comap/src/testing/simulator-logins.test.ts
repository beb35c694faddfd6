import { afterEach, describe, expect, it } from 'vitest';
import { ComapClient } from '../index.js';
import { startComapSimulator, type ComapSimulator } from './index.js';

// Several logins and applications on one identity, as the Identity API and WSV treat them.
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
});

async function authenticate(s: ComapSimulator, clientId: string, secret: string): Promise<number> {
  const res = await fetch(`${s.url}/identity/application/authenticate`, {
    method: 'POST',
    headers: { 'Comap-Key': s.key, 'Content-Type': 'application/json' },
    body: JSON.stringify({ clientId, secret }),
  });
  await res.arrayBuffer();
  return res.status;
}

describe('simulator: several logins and applications of one identity', () => {
  it('clients of two logins share one token; each login reads and commands; a login outside the identity is a 403', async () => {
    const sim = await startComapSimulator({ units: 2, rateLimit: false, logins: ['site.north'] });
    const main = new ComapClient({ ...sim.credentials(), baseUrl: sim.url, rateLimit: false });
    const north = new ComapClient({ ...sim.credentials(), loginId: 'site.north', baseUrl: sim.url, rateLimit: false });
    const stranger = new ComapClient({ ...sim.credentials(), loginId: 'someone.else', baseUrl: sim.url, rateLimit: false, retry: false });
    open.push(sim, main, north, stranger);
    expect((await main.units()).map((u) => u.unitGuid)).toEqual((await north.units()).map((u) => u.unitGuid));
    expect(sim.stats.tokenRequests).toBe(1);
    const guid = sim.units[0]!.unitGuid;
    expect((await north.permissions(guid)).permissions.find((p) => p.loginId === 'site.north')).toMatchObject({ read: true, control: true });
    expect((await north.command(guid, 'faultReset')).status).toBe(200);
    expect(sim.requests.at(-1)?.path).toBe(`/v1.1/site.north/units/${guid}/command`);
    await expect(stranger.units()).rejects.toMatchObject({ status: 403, category: 'auth' });
  });

  it('token requests are limited per key + client id: the 6th of one application in 5 minutes is a 429, another application still gets its token', async () => {
    const sim = await startComapSimulator({ units: 1, rateLimit: false, applications: [{ clientId: 'second-app', secret: 'second~secret' }] });
    open.push(sim);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push(await authenticate(sim, sim.clientId, sim.secret));
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect(await authenticate(sim, 'SECOND-APP', 'second~secret')).toBe(200);
    expect(await authenticate(sim, 'second-app', sim.secret)).toBe(400);
    expect(await authenticate(sim, 'third-app', 'second~secret')).toBe(400);
  });

  it('bad logins or applications options are TypeErrors', async () => {
    await expect(startComapSimulator({ logins: [''] })).rejects.toThrow(new TypeError('logins must be an array of non-empty strings'));
    await expect(startComapSimulator({ applications: [{ clientId: 'a', secret: '' }] })).rejects.toThrow(new TypeError('applications must be [{ clientId, secret }] with non-empty strings'));
  });
});

describe('simulator addFile', () => {
  it('adds (or replaces) a file of given content or size that the unit lists and serves; bad input throws', async () => {
    const sim = await startComapSimulator({ units: 1, rateLimit: false });
    const client = new ComapClient({ ...sim.credentials(), baseUrl: sim.url, rateLimit: false });
    open.push(sim, client);
    const guid = sim.units[0]!.unitGuid;
    sim.addFile(guid, { fileName: 'big.bin', bytes: 70_000 });
    sim.addFile(guid, { fileName: 'note.txt', content: Buffer.from('hi') });
    sim.addFile(guid, { fileName: 'note.txt', content: Buffer.from('hello') });
    const names = (await client.files(guid)).map((f) => f.fileName);
    expect(names.filter((n) => n === 'note.txt')).toHaveLength(1);
    expect(names.slice(-2)).toEqual(['big.bin', 'note.txt']);
    const chunks: Buffer[] = [];
    const { PassThrough } = await import('node:stream');
    const sink = new PassThrough().on('data', (c: Buffer) => chunks.push(c));
    expect((await client.download(guid, 'big.bin', sink)).bytes).toBe(70_000);
    expect(Buffer.concat(chunks).subarray(0, 14).toString()).toBe('genset;genset;');
    expect(() => sim.addFile('genset0', { fileName: 'x', bytes: 1 })).toThrow(RangeError);
    expect(() => sim.addFile(guid, { fileName: '', bytes: 1 })).toThrow(TypeError);
    expect(() => sim.addFile(guid, { fileName: 'x', bytes: -1 })).toThrow(RangeError);
  });
});

describe('simulator downloadBytesPerSecond', () => {
  it('sends a file at the given speed (a slow link): 40 kB at 100 kB/s takes about 0.4 s; other answers are not slowed', async () => {
    const sim = await startComapSimulator({ units: 1, rateLimit: false, downloadBytesPerSecond: 100_000 });
    const client = new ComapClient({ ...sim.credentials(), baseUrl: sim.url, rateLimit: false });
    open.push(sim, client);
    const guid = sim.units[0]!.unitGuid;
    sim.addFile(guid, { fileName: 'slow.bin', bytes: 40_000 });
    await client.units();
    const { PassThrough } = await import('node:stream');
    const started = Date.now();
    expect((await client.download(guid, 'slow.bin', new PassThrough().resume())).bytes).toBe(40_000);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(300);
    expect(took).toBeLessThan(2000);
    const quick = Date.now();
    await client.values(guid);
    expect(Date.now() - quick).toBeLessThan(300);
    await expect(startComapSimulator({ downloadBytesPerSecond: -1 })).rejects.toThrow(RangeError);
  });
});
