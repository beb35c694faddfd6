import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { main, type CliIO } from './cli-main.js';
import { ComapClient, VALUE_GUID } from './index.js';
import { startComapSimulator, type ComapSimulator } from './testing/index.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
});

function io(extra: Partial<CliIO> = {}): CliIO & { out: () => string; err: () => string } {
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

async function setup(): Promise<{ sim: ComapSimulator; client: ComapClient }> {
  const sim = await startComapSimulator({ units: 3, rateLimit: false, seed: 5, now: () => Date.UTC(2024, 5, 1, 12) });
  const client = new ComapClient({ ...sim.credentials(), baseUrl: sim.url, rateLimit: false });
  open.push(sim, client);
  return { sim, client };
}

const lines = (text: string) => text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

describe('comap CLI (in-process)', () => {
  it('units with credentials from the environment', async () => {
    const { sim } = await setup();
    const t = io({ env: { COMAP_KEY: sim.key, COMAP_CLIENT_ID: sim.clientId, COMAP_SECRET: sim.secret, COMAP_LOGIN_ID: sim.loginId, COMAP_BASE_URL: sim.url } });
    expect(await main(['units'], t)).toBe(0);
    expect(lines(t.out()).map((u) => u.unitGuid)).toEqual(sim.units.map((u) => u.unitGuid));
    expect(t.err()).toBe('');
  });

  it('values/info/permissions/comments/files by unit name or GUID', async () => {
    const { sim, client } = await setup();
    const u = sim.units[1]!;
    let t = io({ client });
    expect(await main(['values', 'Brno', '--guids', `${VALUE_GUID.mode},${VALUE_GUID.RPM}`], t)).toBe(0);
    expect(lines(t.out()).map((v) => v.valueGuid)).toEqual([VALUE_GUID.mode, VALUE_GUID.RPM]);
    for (const cmd of ['info', 'permissions']) {
      t = io({ client });
      expect(await main([cmd, u.unitGuid], t)).toBe(0);
      expect(lines(t.out())[0]?.unitGuid).toBe(u.unitGuid);
    }
    t = io({ client });
    expect(await main(['comments', u.unitGuid], t)).toBe(0);
    expect(lines(t.out())[0]?.text).toBe('Oil & filter changed (500 h service) / belts checked');
    t = io({ client });
    expect(await main(['files', u.unitGuid], t)).toBe(0);
    expect(lines(t.out()).map((f) => f.fileName)).toEqual(u.files.map((f) => f.fileName));
    t = io({ client });
    expect(await main(['info', 'Nowhere'], t)).toBe(1);
    expect(t.err()).toBe('comap: no unit name contains "Nowhere"\n');
  });

  it('history as JSON lines or CSV, progress on stderr for long ranges', async () => {
    const { sim, client } = await setup();
    const u = sim.units[0]!;
    let t = io({ client });
    expect(await main(['history', u.unitGuid, '--from', '01/01/2024', '--to', '03/10/2024', '--guids', VALUE_GUID.engine_state], t)).toBe(0);
    const entries = lines(t.out());
    expect(entries.length).toBeGreaterThan(10);
    expect(entries.every((e) => e.valueGuid === VALUE_GUID.engine_state)).toBe(true);
    expect(t.err().trim().split('\n')).toEqual([
      expect.stringMatching(/^history: window 1\/3 \(01\/01\/2024-01\/31\/2024\) done, \d+ entries$/),
      expect.stringMatching(/^history: window 2\/3 \(02\/01\/2024-03\/02\/2024\) done, \d+ entries$/),
      expect.stringMatching(/^history: window 3\/3 \(03\/03\/2024-03\/10\/2024\) done, \d+ entries$/),
    ]);
    t = io({ client });
    expect(await main(['history', u.unitGuid, '--from', '01/01/2024', '--to', '01/05/2024', '--format', 'csv'], t)).toBe(0);
    const csv = t.out().trim().split('\n');
    expect(csv[0]).toBe('valueGuid,name,value,unit,validFrom,validTo');
    expect(csv[1]).toMatch(/^[0-9A-Fa-f-]{36},[^,]+,[^,]*,[^,]*,\d{4}-\d\d-\d\dT[\d:.]+Z,\d{4}-\d\d-\d\dT[\d:.]+Z$/);
    expect(t.err()).toBe('');
    t = io({ client });
    expect(await main(['history', u.unitGuid, '--format', 'xml'], t)).toBe(2);
    t = io({ client });
    expect(await main(['history', u.unitGuid, '--from', '13/01/2024'], t)).toBe(1);
    expect(t.err()).toMatch(/^comap: from is not a calendar date/);
  });

  it('command: by flags or --json; validation errors exit 1', async () => {
    const { sim, client } = await setup();
    const u = sim.units[2]!;
    let t = io({ client });
    expect(await main(['command', u.unitGuid, 'changeMode', '--mode', 'man'], t)).toBe(0);
    expect(lines(t.out())).toEqual([{ unitGuid: u.unitGuid, status: 200, body: { message: 'Command was successfully sent.' } }]);
    expect(u.state.mode).toBe('MAN');
    t = io({ client });
    expect(await main(['command', u.unitGuid, '--json', '{"command":"userButton","index":3,"action":"toggle"}'], t)).toBe(0);
    t = io({ client });
    expect(await main(['command', u.unitGuid, 'extValue', '--index', '2', '--value', '12.5'], t)).toBe(0);
    t = io({ client });
    expect(await main(['command', u.unitGuid, 'changeSetpoint', '--guid', VALUE_GUID.genset_name, '--value', 'Renamed'], t)).toBe(0);
    t = io({ client });
    expect(await main(['command', u.unitGuid, 'setTimer', '--index', '1', '--timer', '{"mode":"Once","from":1700000000000,"duration":15}'], t)).toBe(0);
    expect(u.commands.map((c) => c.body.command)).toEqual(['changeMode', 'userButton', 'extValue', 'changeSetpoint', 'setTimer']);
    expect(u.commands[2]?.body).toEqual({ command: 'extValue', index: 2, value: 12.5 });
    t = io({ client });
    expect(await main(['command', u.unitGuid, 'userButton', '--index', '40', '--action', 'start'], t)).toBe(1);
    expect(t.err()).toBe('comap: command.index must be an integer from 1 to 32, got 40\n');
    for (const bad of [['command', u.unitGuid], ['command', u.unitGuid, '--json', '{'], ['command', u.unitGuid, 'setTimer', '--timer', 'x'], ['command', u.unitGuid, 'userButton', '--index', 'one']]) {
      t = io({ client });
      expect(await main(bad, t), bad.join(' ')).toBe(2);
    }
    expect(u.commands).toHaveLength(5);
  });

  it('usage errors exit 2, help exits 0, missing credentials are named', async () => {
    let t = io();
    expect(await main(['--help'], t)).toBe(0);
    expect(t.out()).toContain('Usage: comap <command>');
    t = io();
    expect(await main([], t)).toBe(2);
    t = io();
    expect(await main(['frobnicate'], t)).toBe(2);
    expect(t.err()).toBe('comap: unknown command "frobnicate"\nRun "comap --help" for usage.\n');
    t = io();
    expect(await main(['units', '--bogus'], t)).toBe(2);
    t = io({ env: { COMAP_KEY: 'k' } });
    expect(await main(['units'], t)).toBe(2);
    expect(t.err()).toContain('missing environment variable(s): COMAP_CLIENT_ID, COMAP_SECRET, COMAP_LOGIN_ID');
    const { client } = await setup();
    t = io({ client });
    expect(await main(['values'], t)).toBe(2);
    t = io({ client });
    expect(await main(['download', 'Westport'], t)).toBe(2);
    t = io();
    expect(await main(['simulate', '--port', 'x'], t)).toBe(2);
  });

  it('simulate prints credentials as one JSON line and serves until aborted', async () => {
    const controller = new AbortController();
    const t = io({ signal: controller.signal });
    const running = main(['simulate', '--units', '2', '--no-rate-limit'], t);
    while (!t.out().includes('\n')) await new Promise((r) => setTimeout(r, 10));
    const creds = JSON.parse(t.out()) as { url: string; key: string; clientId: string; secret: string; loginId: string };
    expect(Object.keys(creds)).toEqual(['url', 'key', 'clientId', 'secret', 'loginId']);
    const client = new ComapClient({ ...creds, baseUrl: creds.url, rateLimit: false });
    open.push(client);
    expect(await client.units()).toHaveLength(2);
    controller.abort();
    expect(await running).toBe(0);
  });
});

describe('comap CLI (built bin)', () => {
  const bin = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
  it('simulate runs from dist/cli.js and a second process can query it', async () => {
    const child = spawn(process.execPath, [bin, 'simulate', '--units', '3'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const first = await new Promise<string>((resolve, reject) => {
        let buf = '';
        child.stdout.on('data', (d: Buffer) => {
          buf += d.toString();
          if (buf.includes('\n')) resolve(buf.split('\n')[0]!);
        });
        let err = '';
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.once('exit', (code) => reject(new Error(`simulate exited ${code}: ${err}`)));
      });
      const creds = JSON.parse(first) as Record<string, string>;
      const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const q = spawn(process.execPath, [bin, 'units'], {
          env: { ...process.env, COMAP_KEY: creds.key, COMAP_CLIENT_ID: creds.clientId, COMAP_SECRET: creds.secret, COMAP_LOGIN_ID: creds.loginId, COMAP_BASE_URL: creds.url },
        });
        let stdout = '';
        let stderr = '';
        q.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        q.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        q.once('exit', (code) => resolve({ code, stdout, stderr }));
      });
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout.trim().split('\n')).toHaveLength(3);
    } finally {
      // Waiting for 'exit' of a process that already exited would hang the test.
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    }
  });
});

