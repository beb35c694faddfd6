import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { ComapClient, archiveFiles, type ArchiveEvent, type WSV } from './index.js';
import { startComapSimulator, type ComapSimulator } from './testing/index.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
});

/** A fresh archive folder, removed when the test ends. */
function tmp(): string {
  const folder = mkdtempSync(join(tmpdir(), 'comap-archive-'));
  onTestFinished(() => rmSync(folder, { recursive: true, force: true }));
  return folder;
}

async function setup(): Promise<{ sim: ComapSimulator; client: ComapClient; dir: string }> {
  const sim = await startComapSimulator({ units: 2, rateLimit: false, fileRows: 50 });
  const client = new ComapClient({ ...sim.credentials(), baseUrl: sim.url, rateLimit: false, retry: { maxAttempts: 2, baseDelayInMs: 1, maxDelayInMs: 2 } });
  open.push(sim, client);
  return { sim, client, dir: tmp() };
}

async function drain(it: AsyncIterable<ArchiveEvent>): Promise<ArchiveEvent[]> {
  const out: ArchiveEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}

const downloads = (sim: ComapSimulator) => sim.requests.filter((r) => r.path.includes('/download/'));
const statuses = (events: ArchiveEvent[]) => events.flatMap((e) => (e.type === 'file' ? [`${e.fileName}: ${e.status}`] : e.type === 'error' ? [`${e.fileName ?? e.unitGuid}: error`] : []));

describe('archiveFiles', () => {
  it('downloads every file of every unit into <dir>/<unitGuid>/ with the server\'s bytes; a second run downloads nothing; a new file is the only one fetched', async () => {
    const { sim, client, dir } = await setup();
    const first = await drain(archiveFiles(client, { dir }));
    const all = sim.units.flatMap((u) => u.files.map((f) => ({ u, f })));
    expect(statuses(first)).toEqual(all.map(({ f }) => `${f.fileName}: downloaded`));
    for (const { u, f } of all) expect(readFileSync(join(dir, u.unitGuid, f.fileName)).equals(f.content)).toBe(true);
    expect(first.at(-1)).toEqual({ type: 'summary', units: 2, downloaded: all.length, present: 0, failed: 0, bytes: all.reduce((n, { f }) => n + f.content.length, 0) });
    expect(sim.units.map((u) => readdirSync(join(dir, u.unitGuid)).sort())).toEqual(sim.units.map((u) => u.files.map((f) => f.fileName).sort()));

    sim.requests.length = 0;
    const second = await drain(archiveFiles(client, { dir }));
    expect(statuses(second)).toEqual(all.map(({ f }) => `${f.fileName}: present`));
    expect(downloads(sim)).toEqual([]);

    const u = sim.units[1]!;
    u.files.push({ fileName: 'new report.txt', fileType: 'wsvReport', generated: new Date(), content: Buffer.from('fresh\n') });
    const third = await drain(archiveFiles(client, { dir }));
    expect(third.filter((e) => e.type === 'file' && e.status === 'downloaded').map((e) => e.type === 'file' && e.path)).toEqual([join(dir, u.unitGuid, 'new report.txt')]);
    expect(downloads(sim)).toHaveLength(1);
  });

  it('never overwrites a file that is there (even with other content) unless overwrite: true, which replaces it', async () => {
    const { sim, client, dir } = await setup();
    const u = sim.units[0]!;
    const f = u.files[0]!;
    mkdirSync(join(dir, u.unitGuid));
    writeFileSync(join(dir, u.unitGuid, f.fileName), 'mine');
    const events = await drain(archiveFiles(client, { dir, units: [u.unitGuid] }));
    expect(events.find((e) => e.type === 'file' && e.fileName === f.fileName)).toMatchObject({ status: 'present', bytes: 4 });
    expect(readFileSync(join(dir, u.unitGuid, f.fileName), 'utf8')).toBe('mine');
    const again = await drain(archiveFiles(client, { dir, units: [u.unitGuid], overwrite: true }));
    expect(statuses(again)).toEqual(u.files.map((x) => `${x.fileName}: replaced`));
    expect(readFileSync(join(dir, u.unitGuid, f.fileName)).equals(f.content)).toBe(true);
  });

  it('since: only files generated at or after it (files({ since }) too)', async () => {
    const { sim, client, dir } = await setup();
    const u = sim.units[0]!;
    const sorted = [...u.files].sort((a, b) => a.generated.getTime() - b.generated.getTime());
    const since = sorted[2]!.generated;
    const listed = await client.files(u.unitGuid, { since });
    expect(listed.map((f) => f.fileName).sort()).toEqual(sorted.slice(2).map((f) => f.fileName).sort());
    const events = await drain(archiveFiles(client, { dir, units: [u.unitGuid], since }));
    expect(statuses(events).sort()).toEqual(sorted.slice(2).map((f) => `${f.fileName}: downloaded`).sort());
    await expect(client.files(u.unitGuid, { since: new Date(Number.NaN) })).rejects.toThrow(new TypeError('files() options.since must be a valid Date'));
  });

  it('a file that keeps failing is an error event, the rest go on, and no partial file stays; a unit whose list fails too', async () => {
    const { sim, client, dir } = await setup();
    const [a, b] = sim.units as [ComapSimulator['units'][number], ComapSimulator['units'][number]];
    const bad = a.files[1]!;
    sim.faults.fail(2, 500, encodeURIComponent(bad.fileName));
    sim.faults.fail(2, 503, `${b.unitGuid}/files`);
    const events = await drain(archiveFiles(client, { dir }));
    expect(statuses(events)).toEqual([...a.files.map((f) => `${f.fileName}: ${f === bad ? 'error' : 'downloaded'}`), `${b.unitGuid}: error`]);
    expect(events.find((e) => e.type === 'error' && e.fileName === bad.fileName)).toMatchObject({ category: 'transient' });
    expect(events.at(-1)).toMatchObject({ type: 'summary', downloaded: a.files.length - 1, failed: 2 });
    expect(readdirSync(join(dir, a.unitGuid)).sort()).toEqual(a.files.filter((f) => f !== bad).map((f) => f.fileName).sort());
  });

  it('a body shorter than its Content-Length is refused and nothing is kept', async () => {
    const dir = tmp();
    const fake = {
      units: () => Promise.resolve([{ name: 'A', unitGuid: 'g1', url: '' }]),
      files: () => Promise.resolve([{ fileName: 'x.csv', fileType: 'unitHistory', generated: new Date(0) }]),
      download: (_g: string, _n: string, target: { dir: string; fileName: string }, o: { onProgress: (p: { bytesDone: number; bytesTotal: number }) => void }) => {
        writeFileSync(join(target.dir, target.fileName), 'half');
        o.onProgress({ bytesDone: 4, bytesTotal: 8 });
        return Promise.resolve({ path: join(target.dir, target.fileName), bytes: 4 });
      },
    } as unknown as WSV;
    const events = await drain(archiveFiles(fake, { dir }));
    expect(events[0]).toMatchObject({ type: 'error', fileName: 'x.csv', category: 'protocol' });
    expect(String((events[0] as { error: Error }).error.message)).toBe('download of x.csv: 4 bytes received, Content-Length said 8');
    expect(readdirSync(join(dir, 'g1'))).toEqual([]);
  });

  it('bad options are TypeErrors before anything is sent', async () => {
    const { sim, client } = await setup();
    sim.requests.length = 0;
    await expect(drain(archiveFiles(client, {} as never))).rejects.toThrow(new TypeError('archiveFiles() options.dir must be a non-empty string'));
    await expect(drain(archiveFiles(client, { dir: 'x', units: [''] }))).rejects.toThrow(TypeError);
    await expect(drain(archiveFiles(client, { dir: 'x', since: new Date('nope') }))).rejects.toThrow(TypeError);
    await expect(drain(archiveFiles(client, { dir: 'x', overwrite: 'yes' as never }))).rejects.toThrow(TypeError);
    expect(sim.requests).toEqual([]);
  });
});
