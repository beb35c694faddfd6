import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRateLimiter } from '@x/http-core';
import { run } from '@x/http-core/cli';
import { afterEach, describe, expect, it } from 'vitest';
import { comapProgram } from './cli/program.js';
import { ComapClient, VALUE_GUID } from './index.js';
import { startComapSimulator, type ComapSimulator } from './testing/index.js';
import { VERSION } from './version.js';

// The CLI in-process, against a simulator (the built bin in its own process: test/process.test.ts).
const open: { close(): Promise<void> }[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function simulator(): Promise<ComapSimulator> {
  const sim = await startComapSimulator({ units: 3, rateLimit: false, tokenRequestLimit: false, seed: 5, now: () => Date.UTC(2024, 5, 1, 12) });
  open.push(sim);
  return sim;
}

function envOf(sim: ComapSimulator): Record<string, string> {
  return { COMAP_KEY: sim.key, COMAP_CLIENT_ID: sim.clientId, COMAP_SECRET: sim.secret, COMAP_LOGIN_ID: sim.loginId, COMAP_BASE_URL: sim.url };
}

interface Ran {
  code: number;
  out: string;
  err: string;
}

// Every run makes a new client, so a new token: more than the 5 per 5 minutes of the default limiter.
const tokenRateLimiter = createRateLimiter({ tokensPerInterval: 1000, intervalInMs: 1000 });

/** Runs `comap argv` (the client limits off, so tests do not wait a second per request). */
async function comap(argv: string[], env: Record<string, string> = {}, signal?: AbortSignal): Promise<Ran> {
  let out = '';
  let err = '';
  const code = await run(comapProgram({ rateLimit: false, tokenRateLimiter }), {
    argv,
    env,
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    ...(signal === undefined ? {} : { signal }),
  });
  return { code, out, err };
}

const lines = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('comap CLI (in-process)', () => {
  it('units with credentials from the environment, or from flags', async () => {
    const sim = await simulator();
    const r = await comap(['units'], envOf(sim));
    expect([r.code, r.err]).toEqual([0, '']);
    expect(lines(r.out).map((u) => u.unitGuid)).toEqual(sim.units.map((u) => u.unitGuid));
    const f = await comap(['units', '--key', sim.key, '--client-id', sim.clientId, '--secret', sim.secret, '--login-id', sim.loginId, '--base-url', sim.url]);
    expect([f.code, f.err, lines(f.out).length]).toEqual([0, '', 3]);
  });

  it('values/info/permissions/comments/files by unit name or GUID', async () => {
    const sim = await simulator();
    const env = envOf(sim);
    const u = sim.units[1]!;
    let r = await comap(['values', 'Brno', '--guids', `${VALUE_GUID.mode},${VALUE_GUID.RPM}`], env);
    expect(lines(r.out).map((v) => v.valueGuid)).toEqual([VALUE_GUID.mode, VALUE_GUID.RPM]);
    for (const cmd of ['info', 'permissions']) {
      r = await comap([cmd, u.unitGuid], env);
      expect([r.code, lines(r.out)[0]?.unitGuid]).toEqual([0, u.unitGuid]);
    }
    r = await comap(['comments', u.unitGuid], env);
    expect(lines(r.out)[0]?.text).toBe('Oil & filter changed (500 h service) / belts checked');
    r = await comap(['files', u.unitGuid], env);
    expect(lines(r.out).map((f) => f.fileName)).toEqual(u.files.map((f) => f.fileName));
    r = await comap(['info', 'Nowhere'], env);
    expect([r.code, r.out, r.err]).toEqual([1, '', 'comap: error: no unit is named or starts with "Nowhere" [COMAP_NOT_FOUND]\n']);
  });

  it('history as JSON lines or CSV, progress on stderr for long ranges', async () => {
    const sim = await simulator();
    const env = envOf(sim);
    const u = sim.units[0]!;
    let r = await comap(['history', u.unitGuid, '--from', '01/01/2024', '--to', '03/10/2024', '--guids', VALUE_GUID.engine_state], env);
    const entries = lines(r.out);
    expect(entries.length).toBeGreaterThan(10);
    expect(entries.every((e) => e.valueGuid === VALUE_GUID.engine_state)).toBe(true);
    expect(r.err.trim().split('\n')).toEqual([
      expect.stringMatching(/^history: window 1\/3 \(01\/01\/2024-01\/31\/2024\) done, \d+ entries$/),
      expect.stringMatching(/^history: window 2\/3 \(02\/01\/2024-03\/02\/2024\) done, \d+ entries$/),
      expect.stringMatching(/^history: window 3\/3 \(03\/03\/2024-03\/10\/2024\) done, \d+ entries$/),
    ]);
    r = await comap(['history', u.unitGuid, '--from', '01/01/2024', '--to', '01/05/2024', '--format', 'csv'], env);
    const csv = r.out.trim().split('\n');
    expect(csv[0]).toBe('valueGuid,name,value,unit,validFrom,validTo');
    expect(csv[1]).toMatch(/^[0-9A-Fa-f-]{36},[^,]+,[^,]*,[^,]*,\d{4}-\d\d-\d\dT[\d:.]+Z,\d{4}-\d\d-\d\dT[\d:.]+Z$/);
    expect(r.err).toBe('');
    r = await comap(['history', u.unitGuid, '--format', 'xml'], env);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^comap: error: .*--format.*xml/);
    r = await comap(['history', u.unitGuid, '--from', '13/01/2024'], env);
    expect([r.code, r.err]).toEqual([2, 'comap: error: --from is not a calendar date: "13/01/2024"\nRun \'comap history --help\' for usage.\n']);
  });

  it('command: by flags or --json; a bad command is a usage error and nothing is sent', async () => {
    const sim = await simulator();
    const env = envOf(sim);
    const u = sim.units[2]!;
    let r = await comap(['command', u.unitGuid, 'changeMode', '--mode', 'man', '--yes'], env);
    expect(lines(r.out)).toEqual([{ unitGuid: u.unitGuid, status: 200, body: { message: 'Command was successfully sent.' } }]);
    expect(u.state.mode).toBe('MAN');
    expect((await comap(['command', u.unitGuid, '--json', '{"command":"userButton","index":3,"action":"toggle"}', '--yes'], env)).code).toBe(0);
    expect((await comap(['command', u.unitGuid, 'extValue', '--index', '2', '--value', '12.5', '--yes'], env)).code).toBe(0);
    expect((await comap(['command', u.unitGuid, 'changeSetpoint', '--guid', VALUE_GUID.genset_name, '--value', 'Renamed', '--yes'], env)).code).toBe(0);
    expect((await comap(['command', u.unitGuid, 'setTimer', '--index', '1', '--timer', '{"mode":"Once","from":1700000000000,"duration":15}', '--yes'], env)).code).toBe(0);
    expect(u.commands.map((c) => c.body.command)).toEqual(['changeMode', 'userButton', 'extValue', 'changeSetpoint', 'setTimer']);
    expect(u.commands[2]?.body).toEqual({ command: 'extValue', index: 2, value: 12.5 });
    r = await comap(['command', u.unitGuid, 'userButton', '--index', '40', '--action', 'start'], env);
    expect([r.code, r.err]).toEqual([2, "comap: error: command.index must be an integer from 1 to 32, got 40\nRun 'comap command --help' for usage.\n"]);
    for (const bad of [['command', u.unitGuid], ['command', u.unitGuid, '--json', '{'], ['command', u.unitGuid, 'setTimer', '--timer', 'x'], ['command', u.unitGuid, 'userButton', '--index', 'one']]) {
      expect((await comap(bad, env)).code, bad.join(' ')).toBe(2);
    }
    expect(u.commands).toHaveLength(5);
  });

  it('poll --sweeps 2: one line per unit per sweep, then the sweep; values frozen in 2024 are stale; --stale-after 0 is a usage error', async () => {
    const sim = await simulator();
    const r = await comap(['poll', '--sweeps', '2'], envOf(sim));
    expect([r.code, r.err]).toEqual([0, '']);
    const out = lines(r.out);
    expect(out.map((l) => [l.type, l.sweep])).toEqual([1, 1, 1, 'sweep', 2, 2, 2, 'sweep'].map((t, i) => (t === 'sweep' ? ['sweep', i < 4 ? 1 : 2] : ['unit', t])));
    const guids = sim.units.map((u) => u.unitGuid).sort();
    expect(out.filter((l) => l.type === 'unit' && l.sweep === 2).map((l) => l.unitGuid).sort()).toEqual(guids);
    // The simulator's clock stands in 2024: every unit's newest value is older than 15 minutes.
    expect(out[0]).toMatchObject({ online: false, offlineReason: 'stale', changed: [], lastSeen: '2024-06-01T12:00:00.000Z', name: expect.any(String) });
    expect(out[0]).not.toHaveProperty('values');
    expect(out[3]).toEqual({ type: 'sweep', sweep: 1, units: 3, ok: 0, offline: 3, failed: 0, durationInMs: expect.any(Number) });
    const one = await comap(['poll', '--sweeps', '1', '--units', sim.units[0]!.name, '--values', '--stale-after', '24h'], envOf(sim));
    const [unit] = lines(one.out);
    expect(unit).toMatchObject({ type: 'unit', unitGuid: sim.units[0]!.unitGuid, first: true });
    // Units named on the command line are polled by GUID: no name in the line.
    expect(unit).not.toHaveProperty('name');
    expect((unit!.values as unknown[]).length).toBeGreaterThan(10);
    const bad = await comap(['poll', '--stale-after', '0s'], envOf(sim));
    expect([bad.code, bad.out, bad.err]).toEqual([2, '', expect.stringMatching(/^comap: error: --stale-after must be at least 1ms\n/)]);
  });

  it('download --out DIR', async () => {
    const sim = await simulator();
    const u = sim.units[0]!;
    const dir = mkdtempSync(join(tmpdir(), 'comap-cli-'));
    dirs.push(dir);
    const r = await comap(['download', u.unitGuid, u.files[2]!.fileName, '--out', dir], envOf(sim));
    expect([r.code, r.err]).toEqual([0, '']);
    expect(JSON.parse(r.out)).toEqual({ path: join(dir, u.files[2]!.fileName), bytes: u.files[2]!.content.length });
    expect(readFileSync(join(dir, u.files[2]!.fileName))).toEqual(u.files[2]!.content);
  });

  it('usage errors exit 2, help and --version exit 0, missing credentials are configuration (78)', async () => {
    let r = await comap(['--help']);
    expect([r.code, r.err]).toEqual([0, '']);
    for (const cmd of ['simulate', 'units', 'values', 'info', 'permissions', 'comments', 'files', 'history', 'download', 'command']) expect(r.out).toContain(`  ${cmd} `);
    r = await comap(['values', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('--guids');
    r = await comap(['--version']);
    expect([r.code, r.out]).toEqual([0, `${VERSION}\n`]);
    r = await comap([]);
    expect(r.code).toBe(2);
    r = await comap(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^comap: error: .*frobnicate/);
    expect((await comap(['units', '--bogus'])).code).toBe(2);
    r = await comap(['units'], { COMAP_KEY: 'k' });
    expect([r.code, r.err]).toEqual([78, 'comap: error: missing credentials: set COMAP_CLIENT_ID, COMAP_SECRET, COMAP_LOGIN_ID (or --client-id, --secret, --login-id)\n']);
    r = await comap(['units'], { COMAP_KEY: 'k', COMAP_CLIENT_ID: 'c', COMAP_SECRET: 'the-secret', COMAP_LOGIN_ID: 'l', COMAP_BASE_URL: 'ftp://x' });
    expect([r.code, r.err]).toEqual([78, 'comap: error: ComapClient options.baseUrl must be an http: or https: URL\n']);
    expect((await comap(['values'])).code).toBe(2);
    expect((await comap(['download', 'Westport'])).code).toBe(2);
    r = await comap(['simulate', '--port', 'x']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^comap: error: .*--port/);
  });

  it('simulate prints its line (credentials and the control URL) and serves until interrupted', async () => {
    const controller = new AbortController();
    let out = '';
    const running = run(comapProgram(), { argv: ['simulate', '--units', '2', '--no-rate-limit'], env: {}, stdout: { write: (t: string) => (out += t) }, stderr: { write: () => true }, signal: controller.signal });
    while (!out.includes('\n')) await new Promise((r) => setTimeout(r, 10));
    const line = JSON.parse(out) as { url: string; key: string; clientId: string; secret: string; loginId: string; control: string };
    expect(Object.keys(line)).toEqual(['url', 'key', 'clientId', 'secret', 'loginId', 'control']);
    expect(line.control).toBe(`${line.url}/control`);
    const client = new ComapClient({ ...line, baseUrl: line.url, rateLimit: false });
    open.push(client);
    expect(await client.units()).toHaveLength(2);
    controller.abort(Object.assign(new Error('interrupted by SIGTERM'), { exitCode: 143 }));
    expect(await running).toBe(143);
  });
});
