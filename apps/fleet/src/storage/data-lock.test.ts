// The data folder's lock: exclusive, naming its holder, taken over from a dead process, never by two
// starters at once. Separate processes are in test/process.test.ts; here real files and real pids.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFleet } from '../app.js';
import { silentLogger } from '../log.js';
import { clientUrl } from '../cli/remote.js';
import { main } from '../main.js';
import { DataDirLockedError, EXIT_DATA_DIR_LOCKED, LOCK_FILE, acquireDataDirLock, readDataDirLock, type LockHolder } from './data-lock.js';

/** The pid of a process that has exited (not reused within the test). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  return child.pid ?? 0;
}

function holder(fields: Partial<LockHolder>): LockHolder {
  return { pid: deadPid(), hostname: hostname(), processStart: null, startedAt: '2026-01-01T00:00:00.000Z', command: 'fleet demo', url: null, token: 'old', ...fields };
}

describe('data folder lock', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fleet-lock-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is exclusive: a second taker gets DataDirLockedError naming the holder pid, command and URL', async () => {
    const lock = await acquireDataDirLock(dir, 'fleet demo');
    await lock.setUrl('http://127.0.0.1:8080');
    const err = await acquireDataDirLock(dir, 'fleet start').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataDirLockedError);
    const locked = err as DataDirLockedError;
    expect([locked.exitCode, locked.code, locked.holder.pid, locked.holder.url]).toEqual([EXIT_DATA_DIR_LOCKED, 'DATA_DIR_LOCKED', process.pid, 'http://127.0.0.1:8080']);
    expect(locked.message).toBe(
      `the data folder ${dir} is in use by process ${process.pid} (fleet demo, started ${lock.holder.startedAt}, serving http://127.0.0.1:8080); stop it first, or use another --data-dir`,
    );
    expect((await readDataDirLock(dir))?.token).toBe(lock.holder.token);
    await lock.release();
    expect(await readDataDirLock(dir)).toBeUndefined();
    expect(await readdir(dir)).toEqual([]);
    const again = await acquireDataDirLock(dir, 'fleet start');
    await again.release();
  });

  it('lets exactly one of many simultaneous starters win', async () => {
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => acquireDataDirLock(dir, `starter ${i}`)));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').every((r) => r.reason instanceof DataDirLockedError)).toBe(true);
    await (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireDataDirLock>>>).value.release();
  });

  it('takes over the lock of a dead process, once, when several start at the same time', async () => {
    await writeFile(join(dir, LOCK_FILE), JSON.stringify(holder({})));
    expect(await readDataDirLock(dir)).toBeUndefined();
    const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => acquireDataDirLock(dir, `starter ${i}`)));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    const winner = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireDataDirLock>>>).value;
    expect(JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid, token: winner.holder.token });
    await winner.release();
    // Only the lock file was ever left in the folder (temp and takeover files are removed).
    expect(await readdir(dir)).toEqual([]);
  });

  it('takes over a lock whose pid now belongs to another process (pid reused after a restart), and an unreadable one', async () => {
    await writeFile(join(dir, LOCK_FILE), JSON.stringify(holder({ pid: process.pid, processStart: 'another-boot:1' })));
    const lock = await acquireDataDirLock(dir, 'fleet demo');
    await lock.release();
    await writeFile(join(dir, LOCK_FILE), 'not json');
    const second = await acquireDataDirLock(dir, 'fleet demo');
    await second.release();
  });

  it('counts a holder on another host as running (its pid cannot be checked from here)', async () => {
    await writeFile(join(dir, LOCK_FILE), JSON.stringify(holder({ hostname: 'other-host.invalid', pid: 1 })));
    await expect(acquireDataDirLock(dir, 'fleet demo')).rejects.toThrow(`the data folder ${dir} is in use by process 1 on other-host.invalid (fleet demo,`);
  });

  it('leaves a lock taken by someone else in place on release', async () => {
    const lock = await acquireDataDirLock(dir, 'fleet demo');
    const other = holder({ pid: process.pid, token: 'someone-else' });
    await writeFile(join(dir, LOCK_FILE), JSON.stringify(other));
    await lock.release();
    expect(JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8'))).toEqual(other);
  });

  it('startFleet on a folder another fleet holds fails with DataDirLockedError before opening the database', async () => {
    const data = join(dir, 'data');
    const first = await startFleet({ port: 0, dataDir: data, logger: silentLogger });
    try {
      const lockFile = JSON.parse(await readFile(join(data, LOCK_FILE), 'utf8')) as LockHolder;
      expect([lockFile.pid, lockFile.command, lockFile.url]).toEqual([process.pid, 'fleet start', first.url]);
      const started = Date.now();
      await expect(startFleet({ port: 0, dataDir: data, logger: silentLogger, purpose: 'second' })).rejects.toThrow(DataDirLockedError);
      expect(Date.now() - started).toBeLessThan(1000);
      // The CLI reads through the running service meanwhile (the database is not opened twice).
      await first.ingest.device({ vendor: 'comap', vendorId: 'g1', name: 'Genset "A"', kind: 'genset', model: null, online: true, primaryMetric: 'Load', commands: [] });
      await first.ingest.readings([{ deviceId: 'comap:g1', metric: 'Note', value: 'two\nlines', unit: null, ts: Date.UTC(2026, 0, 1) }], { live: false });
      const cli = async (argv: string[]): Promise<[number, string, string]> => {
        let out = '';
        let err = '';
        const code = await main([...argv, '--data-dir', data], { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) }, env: {}, cwd: dir });
        return [code, out, err];
      };
      const [code, out] = await cli(['devices', '--json']);
      expect([code, (JSON.parse(out) as Array<{ id: string }>).map((d) => d.id)]).toEqual([0, ['comap:g1']]);
      const csvFile = join(dir, 'out.csv');
      expect(await cli(['export', '--out', csvFile])).toEqual([0, '', `fleet: wrote 1 readings to ${csvFile}\n`]);
      expect(await readFile(csvFile, 'utf8')).toBe(
        'timestamp,device_id,vendor,vendor_id,device_name,metric,value,unit\r\n2026-01-01T00:00:00.000Z,comap:g1,comap,g1,"Genset ""A""",Note,"two\nlines",\r\n',
      );
      expect((await cli(['export', '--device', 'comap:none']))[2]).toBe(`fleet: error: the running service (${first.url}) answered 404: no device "comap:none"\n`);
    } finally {
      await first.stop();
    }
    expect(await readDataDirLock(data)).toBeUndefined();
  });

  it('fleet devices / export / backfill exit 75 naming the holder while it has not started serving', async () => {
    const lock = await acquireDataDirLock(dir, 'fleet demo');
    try {
      for (const argv of [['devices'], ['export'], ['backfill', '--from', '2026-01-01', '--demo']]) {
        let out = '';
        let err = '';
        const io = { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) }, env: {}, cwd: dir };
        expect([argv[0], await main([...argv, '--data-dir', dir], io)]).toEqual([argv[0], 75]);
        expect([out, err]).toEqual(['', `fleet: error: the data folder ${dir} is in use by process ${process.pid} (fleet demo, started ${lock.holder.startedAt}); stop it first, or use another --data-dir\n`]);
      }
    } finally {
      await lock.release();
    }
  });

  it('reaches a holder bound to every address over loopback', () => {
    expect([clientUrl('http://0.0.0.0:8080'), clientUrl('http://[::]:8080'), clientUrl('http://127.0.0.1:9/')]).toEqual(['http://127.0.0.1:8080', 'http://[::1]:8080', 'http://127.0.0.1:9']);
  });
});
