// The `fleet` CLI in-process: usage errors, configuration errors, a demo run that is stopped and
// whose data survives the restart, a history backfill with its progress bar, devices and export.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startComapSimulator } from '@x/comap/testing';
import type { FleetApp } from './app.js';
import { formatProgramHelp } from '@x/http-core/cli';
import { createFleetProgram, main, type CliIo } from './main.js';
import { openStorage } from './storage/open.js';

function io(extra: Partial<CliIo> = {}): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    env: {},
    out: () => out,
    err: () => err,
    ...extra,
  };
}

describe('fleet CLI: usage', () => {
  it('prints help (the program and every command) and the version', async () => {
    const a = io();
    expect(await main(['help'], a)).toBe(0);
    expect(a.out()).toBe(formatProgramHelp(createFleetProgram(), ''));
    for (const command of ['start', 'demo', 'devices', 'export', 'backfill']) expect(a.out()).toContain(`  ${command} `);
    expect(a.out()).toContain('COMAP_SECRET');
    const b = io();
    expect(await main(['--version'], b)).toBe(0);
    expect(b.out()).toBe('0.1.0\n');
    for (const command of ['start', 'demo', 'devices', 'export', 'backfill']) {
      const c = io();
      expect(await main([command, '--help'], c)).toBe(0);
      expect(c.out()).toContain(`fleet ${command}`);
      expect(c.err()).toBe('');
    }
  });

  it('rejects unknown commands, options and bad values with exit code 2', async () => {
    const a = io();
    expect(await main(['frobnicate'], a)).toBe(2);
    expect(a.err()).toBe("fleet: error: unknown command 'frobnicate' for 'fleet'\nRun 'fleet --help' for usage.\n");
    const b = io();
    expect(await main(['demo', '--colour', 'red'], b)).toBe(2);
    expect(b.err()).toBe("fleet: error: unknown option --colour for 'fleet demo'\nRun 'fleet demo --help' for usage.\n");
    const c = io();
    expect(await main(['demo', '--port', 'eighty'], c)).toBe(2);
    expect(c.err()).toBe("fleet: error: --port must be an integer, got 'eighty'\nRun 'fleet demo --help' for usage.\n");
    const d = io();
    expect(await main(['export', '--from', 'last tuesday'], d)).toBe(2);
    expect(d.err()).toBe('fleet: error: --from: expected an ISO-8601 time or epoch milliseconds, got "last tuesday"\nRun \'fleet export --help\' for usage.\n');
    const e = io();
    expect(await main(['backfill'], e)).toBe(2);
    expect(e.err()).toBe("fleet: error: missing --from for 'fleet backfill'\nRun 'fleet backfill --help' for usage.\n");
    const f = io();
    expect(await main(['backfill', '--from', '2026-01-01', '--vendor', 'sepl'], f)).toBe(2);
    expect(f.err()).toBe("fleet: error: --vendor must be one of comap, devicecloud, thinq, got 'sepl'\nRun 'fleet backfill --help' for usage.\n");
    const g = io();
    expect(await main([], g)).toBe(2);
    expect(g.err()).toBe("fleet: error: missing command for 'fleet'\nRun 'fleet --help' for usage.\n");
  });

  it('reports every configuration problem at once (exit 78) without echoing secrets', async () => {
    const a = io({ env: { FLEET_PORT: 'abc', COMAP_SECRET: 'super-secret-value-1', FLEET_HOST: '0.0.0.0' }, cwd: tmpdir() });
    expect(await main(['start'], a)).toBe(78);
    expect(a.err()).toBe(
      'fleet: error: invalid configuration (environment):\n' +
        '  - server.port: expected an integer from 0 to 65535, got "abc"\n' +
        '  - server.host: binding 0.0.0.0 (not loopback) requires server.accessToken (or FLEET_ACCESS_TOKEN)\n' +
        '  - comap.loginId: required\n' +
        '  - comap.clientId: required\n' +
        '  - comap.key: required\n',
    );
    expect(a.err()).not.toContain('super-secret-value-1');
    const b = io({ cwd: tmpdir() });
    expect(await main(['start', '--config', join(tmpdir(), 'no-such-fleet.json')], b)).toBe(78);
    expect(b.err()).toContain('cannot read the file: ENOENT');
  });
});

describe('fleet CLI: start with a configuration file', () => {
  it('connects to the configured cloud (here a ComAp simulator) and nothing else', async () => {
    const sim = await startComapSimulator({ units: 1, seed: 3 });
    const dir = await mkdtemp(join(tmpdir(), 'fleet-start-'));
    try {
      const { url, key, clientId, secret, loginId } = sim.credentials();
      await writeFile(
        join(dir, 'fleet.config.json'),
        JSON.stringify({ server: { port: 0 }, storage: { dataDir: 'memory://' }, logLevel: 'silent', comap: { loginId, clientId, secret, key, baseUrl: url, pollIntervalInMs: 1000 } }),
      );
      const controller = new AbortController();
      let app: FleetApp | undefined;
      const a = io({ signal: controller.signal, cwd: dir, onStarted: (started) => (app = started) });
      const running = main(['start'], a);
      await expect.poll(() => app !== undefined, { timeout: 30_000 }).toBe(true);
      const status = await app!.waitFor((s) => s.vendors.comap.state === 'connected' && s.vendors.comap.devices === 1, 20_000);
      expect(status.demo).toBe(false);
      expect([status.vendors.devicecloud.state, status.vendors.thinq.state, status.sepl.state]).toEqual(['disabled', 'disabled', 'disabled']);
      expect((await app!.listDevices()).map((d) => d.vendorId)).toEqual([sim.units[0]!.unitGuid]);
      expect(a.err()).not.toContain(secret);
      controller.abort();
      expect(await running).toBe(0);
    } finally {
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('fleet CLI: demo, restart, backfill, devices, export', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fleet-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs the demo until stopped, printing the URL; the data survives the restart', async () => {
    const controller = new AbortController();
    let app: FleetApp | undefined;
    const a = io({
      signal: controller.signal,
      cwd: dir,
      onStarted: (started) => {
        app = started;
      },
    });
    const running = main(['demo', '--port', '0', '--data-dir', join(dir, 'data')], a);
    await expect.poll(() => app !== undefined, { timeout: 30_000 }).toBe(true);
    expect(a.out()).toBe(`fleet: listening on ${app!.url}\n`);
    expect(a.err()).toContain(`fleet: demo on the built-in simulators; open ${app!.url} in a browser`);
    await app!.waitFor((s) => s.vendors.comap.devices === 3 && s.vendors.devicecloud.devices === 3, 30_000);
    const listed = (await (await fetch(`${app!.url}/api/devices`)).json()) as { devices: Array<{ id: string }> };
    controller.abort();
    expect(await running).toBe(0);
    expect(a.err()).toContain('fleet: stopping\n');

    // Restart: the stored devices are all there.
    const b = io({ cwd: dir });
    expect(await main(['devices', '--json', '--data-dir', join(dir, 'data')], b)).toBe(0);
    const stored = (JSON.parse(b.out()) as Array<{ id: string }>).map((d) => d.id);
    expect(stored).toEqual(expect.arrayContaining(listed.devices.map((d) => d.id)));
    const c = io({ cwd: dir });
    expect(await main(['devices', '--data-dir', join(dir, 'data')], c)).toBe(0);
    expect(c.out().split('\n')[0]).toMatch(/^ID +VENDOR +KIND +STATE +NAME +LAST SEEN$/);
  }, 90_000);

  it('backfills ComAp history with a progress bar, and exports it as CSV', async () => {
    const from = Date.now() - 2 * 86_400_000;
    const a = io({ cwd: dir });
    expect(await main(['backfill', '--demo', '--vendor', 'comap', '--from', new Date(from).toISOString(), '--data-dir', join(dir, 'data')], a)).toBe(0);
    const lines = a.err().trim().split('\n');
    expect(lines[0]).toBe('backfill comap [....................] 0% 0/3');
    expect(lines.some((l) => /^backfill comap \[#{20}\] 100% 3\/3/.test(l))).toBe(true);
    const last = lines.map((l) => /^backfill comap: (\d+) new readings$/.exec(l)).find((m) => m !== null);
    expect(Number(last?.[1])).toBeGreaterThan(0);

    // History older than any live poll is now stored.
    const store = await openStorage({ dataDir: join(dir, 'data') });
    const oldest = await store.db.query<{ n: number }>("SELECT count(*)::int AS n FROM readings WHERE device_id LIKE 'comap:%' AND ts < $1", [Date.now() - 3_600_000]);
    await store.close();
    expect(oldest[0]!.n).toBeGreaterThan(0);

    const out = join(dir, 'export.csv');
    const b = io({ cwd: dir });
    expect(await main(['export', '--from', new Date(from).toISOString(), '--data-dir', join(dir, 'data'), '--out', out], b)).toBe(0);
    const csv = await readFile(out, 'utf8');
    const rows = csv.trimEnd().split('\r\n');
    expect(rows[0]).toBe('timestamp,device_id,vendor,vendor_id,device_name,metric,value,unit');
    expect(b.err()).toBe(`fleet: wrote ${rows.length - 1} readings to ${out}\n`);
    expect(rows.length).toBeGreaterThan(10);
  }, 90_000);
});
