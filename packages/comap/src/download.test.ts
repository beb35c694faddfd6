import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { isHttpError, isSizeLimitError } from '@x/http-core';
import { ComapClient } from './index.js';
import { startComapSimulator, type ComapSimulator } from './testing/index.js';

const open: { close(): Promise<void> }[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'comap-dl-'));
  dirs.push(d);
  return d;
}

async function setup(): Promise<{ sim: ComapSimulator; client: ComapClient }> {
  const sim = await startComapSimulator({ units: 2, rateLimit: false, fileRows: 300 });
  const client = new ComapClient({ ...sim.credentials(), baseUrl: sim.url, rateLimit: false });
  open.push(sim, client);
  return { sim, client };
}

describe('download', () => {
  it('streams into a folder under the remote name (spaces kept), over /unit/ with the name percent-encoded', async () => {
    const { sim, client } = await setup();
    const u = sim.units[0]!;
    const file = u.files[0]!;
    const dir = tmp();
    const progress: number[] = [];
    const result = await client.download(u.unitGuid, file.fileName, { dir }, { onProgress: (p) => progress.push(p.bytesDone) });
    expect(result).toEqual({ path: join(dir, file.fileName), bytes: file.content.length });
    expect(readFileSync(join(dir, file.fileName))).toEqual(file.content);
    expect(progress.at(-1)).toBe(file.content.length);
    const req = sim.requests.at(-1)!;
    expect(req.path).toBe(`/v1.1/sim.operator/unit/${u.unitGuid}/download/${file.fileName.replace(/ /g, '%20')}`);
    const report = u.files.find((f) => f.fileName.includes('#'))!;
    await client.download(u.unitGuid, report.fileName, { dir, fileName: 'report.txt' });
    expect(sim.requests.at(-1)!.path).toBe(`/v1.1/sim.operator/unit/${u.unitGuid}/download/${encodeURIComponent(report.fileName)}`);
    expect(sim.requests.at(-1)!.path).toContain('%23');
    expect(readFileSync(join(dir, 'report.txt'))).toEqual(report.content);
  });

  it('streams into a writable', async () => {
    const { sim, client } = await setup();
    const u = sim.units[1]!;
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on('data', (c: Buffer) => chunks.push(c));
    const result = await client.download(u.unitGuid, u.files[1]!.fileName, sink);
    expect(result.bytes).toBe(u.files[1]!.content.length);
    expect(Buffer.concat(chunks)).toEqual(u.files[1]!.content);
  });

  it('a missing file is a 404 HttpError and leaves no file; a size limit leaves no partial file', async () => {
    const { sim, client } = await setup();
    const u = sim.units[0]!;
    const dir = tmp();
    const e = await client.download(u.unitGuid, 'nope.csv', { dir }).catch((x: unknown) => x);
    expect(isHttpError(e) && e.status).toBe(404);
    expect((e as { vendor: unknown }).vendor).toEqual({ message: 'File not found.' });
    const big = u.files[0]!;
    const e2 = await client.download(u.unitGuid, big.fileName, { dir }, { maxBytes: 1000 }).catch((x: unknown) => x);
    expect(isSizeLimitError(e2)).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('never writes outside the folder; bad targets name the parameter', async () => {
    const { sim, client } = await setup();
    const u = sim.units[0]!;
    const dir = tmp();
    await expect(client.download(u.unitGuid, '../escape.csv', { dir })).rejects.toThrow(RangeError);
    await expect(client.download(u.unitGuid, u.files[0]!.fileName, { dir, fileName: '/etc/passwd' })).rejects.toThrow(RangeError);
    await expect(client.download(u.unitGuid, '', { dir })).rejects.toThrow(new RangeError('fileName must not be empty'));
    await expect(client.download(u.unitGuid, 'x', {} as never)).rejects.toThrow(new TypeError('target must be { dir } or a writable stream'));
    expect(readdirSync(dir)).toEqual([]);
  });
});
