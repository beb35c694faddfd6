// `comap` as users run it: the BUILT binary (dist/cli.js, after `build`) in its own process,
// against `comap simulate` in another one, driven through the simulator control API. A process
// that exits 0 in the middle of its work (a timer that held nothing) fails these tests: they
// check the output and what the simulator received, not only the exit code.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ControlClient, runCli, startProcess, type StartedProcess } from '@x/http-core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VALUE_DEFS } from '../src/testing/fleet.js';
import { VALUE_GUID } from '../src/value-guid.js';
import { VERSION } from '../src/version.js';

const bin = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

interface SimLine {
  url: string;
  key: string;
  clientId: string;
  secret: string;
  loginId: string;
  control: string;
}

interface Received {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  status: number;
}

let sim: StartedProcess<SimLine>;
let control: ControlClient;
let env: Record<string, string>;

beforeAll(async () => {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: build @x/comap first (npx turbo run build --filter=@x/comap...)`);
  // The API's request limit stays on: 1 request/s per key at the server, and the client's 1 request/s.
  // Each process fetches its own token: more than the Identity API's 5 per 5 minutes.
  sim = await startProcess<SimLine>(process.execPath, [bin, 'simulate', '--units', '5', '--seed', '1', '--no-token-limit']);
  control = new ControlClient(sim.line.control);
  const { url, key, clientId, secret, loginId } = sim.line;
  // These cases show each process's own token request: the token cache is off (its own case below).
  env = { COMAP_KEY: key, COMAP_CLIENT_ID: clientId, COMAP_SECRET: secret, COMAP_LOGIN_ID: loginId, COMAP_BASE_URL: url, COMAP_TOKEN_CACHE: 'false' };
});

afterAll(async () => {
  // SIGTERM ends `simulate` cleanly with the documented code.
  expect(await sim.stop('SIGTERM')).toBe(143);
});

async function received(): Promise<Received[]> {
  return (await control.received()).records as Received[];
}

/** Runs `comap args` and returns what it printed, with what the simulator received meanwhile. */
async function comap(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; requests: Received[] }> {
  await control.clearReceived();
  const result = await runCli(bin, args, { env, timeoutInMs: 60_000 });
  return { ...result, requests: await received() };
}

// A new process's first call may meet the server's 1 request/s window of the previous process's
// last one: that 429 is waited out and retried (shown by the 503 test); it is left out here.
const paths = (requests: Received[]) => requests.filter((r) => r.status !== 429).map((r) => `${r.method} ${r.path.replace(/^\/v1\.1\/[^/]+\//, '').replace(/genset[0-9a-f]{32}/, '<unit>')} ${r.status}`);

function mdy(date: Date): string {
  return `${String(date.getUTCMonth() + 1).padStart(2, '0')}/${String(date.getUTCDate()).padStart(2, '0')}/${date.getUTCFullYear()}`;
}

describe('comap (built binary) against comap simulate in another process', () => {
  it('values "Westport" (the README example): the second request waits for the 1 request/s slot, and the values are printed', async () => {
    const started = Date.now();
    const r = await comap(['values', 'Westport']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const values = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { name: string });
    expect(values.map((v) => v.name)).toEqual(VALUE_DEFS.map((d) => d.name));
    expect(paths(r.requests)).toEqual(['POST /identity/application/authenticate 200', 'GET units 200', 'GET units/<unit>/values 200']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it('history over three 31-day windows --format csv: every window is fetched and written', async () => {
    const today = Math.floor(Date.now() / 86_400_000);
    const from = new Date((today - 70) * 86_400_000);
    const to = new Date((today - 1) * 86_400_000);
    const r = await comap(['history', 'Westport', '--from', mdy(from), '--to', mdy(to), '--format', 'csv']);
    expect(r.code).toBe(0);
    const windows = r.requests.filter((q) => q.path.endsWith('/history')).map((q) => `${q.query.from}-${q.query.to}`);
    const starts = [0, 31, 62].map((d) => mdy(new Date((today - 70 + d) * 86_400_000)));
    const ends = [30, 61, 69].map((d) => mdy(new Date((today - 70 + d) * 86_400_000)));
    expect([...new Set(windows)]).toEqual([0, 1, 2].map((i) => `${starts[i]}-${ends[i]}`));
    expect(r.stderr.trim().split('\n')).toEqual([0, 1, 2].map((i) => expect.stringMatching(new RegExp(`^history: window ${i + 1}/3 \\(${starts[i]}-${ends[i]}\\) done, \\d+ entries$`))));
    const rows = r.stdout.trim().split('\n');
    expect(rows[0]).toBe('valueGuid,name,value,unit,validFrom,validTo');
    const entries = Number(/done, (\d+) entries$/.exec(r.stderr.trim().split('\n')[2] ?? '')?.[1]);
    expect(rows.length - 1).toBe(entries);
    // Rows of the last window are there: the process did not stop after the first.
    const lastWindowStart = (today - 70 + 62) * 86_400_000;
    expect(rows.slice(1).some((row) => Date.parse(row.split(',').at(-1) ?? '') >= lastWindowStart)).toBe(true);
  });

  it('command Westport start: the command is sent once (after the rate-limit wait) and the answer printed', async () => {
    const r = await comap(['command', 'Westport', 'start', '--yes']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const answer = JSON.parse(r.stdout) as { unitGuid: string; status: number; body: unknown };
    expect(answer).toEqual({ unitGuid: expect.stringMatching(/^genset[0-9a-f]{32}$/), status: 200, body: { message: 'Command was successfully sent.' } });
    const commands = r.requests.filter((q) => q.path.endsWith('/command'));
    expect(commands).toEqual([expect.objectContaining({ method: 'POST', path: `/v1.1/${sim.line.loginId}/units/${answer.unitGuid}/command`, body: { command: 'start' }, status: 200 })]);
  });

  it('a 503 (Retry-After: 1) on the first request is retried and the answer printed', async () => {
    await control.addFault({ kind: 'status', status: 503, retryAfterSeconds: 1, path: '/v1.1/*/units', count: 1 });
    const r = await comap(['units']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout.trim().split('\n')).toHaveLength(5);
    expect(paths(r.requests)).toEqual(['POST /identity/application/authenticate 200', 'GET units 503', 'GET units 200']);
  });

  it('a dropped connection mid-command is retried (reads only); revoked tokens are fetched again', async () => {
    await control.addFault({ kind: 'drop', path: '*/values', count: 1 });
    let r = await comap(['values', 'Westport', '--guids', '6a12aed6-3be0-44c4-9110-9ea33cfe3ccc']);
    expect([r.code, r.stderr, JSON.parse(r.stdout)]).toEqual([0, '', expect.objectContaining({ name: 'ControllerMode' })]);
    expect(paths(r.requests)).toEqual(['POST /identity/application/authenticate 200', 'GET units 200', 'GET units/<unit>/values -1', 'GET units/<unit>/values 200']);
    await control.addFault({ kind: 'status', status: 401, body: { statusCode: 401, message: 'Unauthorized. Access token has expired.' }, path: '*/units', count: 1 });
    r = await comap(['units']);
    expect(r.code).toBe(0);
    expect(paths(r.requests)).toEqual(['POST /identity/application/authenticate 200', 'GET units 401', 'POST /identity/application/authenticate 200', 'GET units 200']);
  });

  it('SIGINT while a call stalls ends the process with 130 and prints nothing', async () => {
    await control.clearReceived();
    await control.addFault({ kind: 'stall', stallInMs: 20_000, path: '*/units', count: 1 });
    const child = spawn(process.execPath, [bin, 'units'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 10_000;
    while (!(await received()).some((q) => q.path.endsWith('/units'))) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`comap units never reached /units (exit ${String(child.exitCode)})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stdout).toBe('');
    await control.clearFaults();
  });

  it('usage errors exit 2 with the shared prefix; --help and --version exit 0', async () => {
    let r = await runCli(bin, ['values'], { env });
    expect([r.code, r.stdout, r.stderr]).toEqual([2, '', expect.stringMatching(/^comap: error: .*unit.*\nRun 'comap values --help' for usage\.\n$/)]);
    r = await runCli(bin, ['units', '--bogus'], { env });
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/^comap: error: .*--bogus/)]);
    r = await runCli(bin, ['command', 'Westport', 'userButton', '--index', 'one'], { env });
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/^comap: error: .*--index/)]);
    r = await runCli(bin, ['--version']);
    expect([r.code, r.stdout]).toEqual([0, `${VERSION}\n`]);
    r = await runCli(bin, ['history', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--format');
    r = await runCli(bin, ['units'], { env: { COMAP_KEY: '', COMAP_CLIENT_ID: '', COMAP_SECRET: '', COMAP_LOGIN_ID: '' } });
    expect([r.code, r.stderr]).toEqual([78, 'comap: error: missing credentials: set COMAP_KEY, COMAP_CLIENT_ID, COMAP_SECRET, COMAP_LOGIN_ID (or --key, --client-id, --secret, --login-id)\n']);
  });

  it('six invocations in a row fetch one token (cached in a 0600 file), against the Identity API limit of 5 per 5 minutes', async () => {
    const limited = await startProcess<SimLine>(process.execPath, [bin, 'simulate', '--units', '2', '--no-rate-limit']);
    const cache = mkdtempSync(join(tmpdir(), 'comap-process-cache-'));
    try {
      const own = new ControlClient(limited.line.control);
      const { url, key, clientId, secret, loginId } = limited.line;
      const cacheEnv = { COMAP_KEY: key, COMAP_CLIENT_ID: clientId, COMAP_SECRET: secret, COMAP_LOGIN_ID: loginId, COMAP_BASE_URL: url, COMAP_CACHE_DIR: cache };
      const started = Date.now();
      for (const args of [['units'], ['values', 'Westport'], ['info', 'Brno'], ['files', 'Westport'], ['comments', 'Brno'], ['units']]) {
        const r = await runCli(bin, args, { env: cacheEnv, timeoutInMs: 30_000 });
        expect([args.join(' '), r.code, r.stderr]).toEqual([args.join(' '), 0, '']);
      }
      expect(Date.now() - started).toBeLessThan(25_000);
      const records = (await own.received()).records as Received[];
      expect(records.filter((q) => q.path === '/identity/application/authenticate').map((q) => q.status)).toEqual([200]);
      const files = readdirSync(cache);
      expect(files).toEqual([expect.stringMatching(/^token-[0-9a-f]{32}\.json$/)]);
      expect(statSync(join(cache, files[0]!)).mode & 0o777).toBe(0o600);
      const printed = await runCli(bin, ['token'], { env: cacheEnv });
      expect([printed.code, Object.keys(JSON.parse(printed.stdout) as object)]).toEqual([0, ['access_token', 'expires_in']]);
      expect((await runCli(bin, ['token', '--clear'], { env: cacheEnv })).stdout).toBe('{"cleared":true}\n');
      expect(readdirSync(cache)).toEqual([]);
    } finally {
      rmSync(cache, { recursive: true, force: true });
      expect(await limited.stop('SIGTERM')).toBe(143);
    }
  });

  it('command without --yes off a terminal sends nothing (exit 2); --dry-run prints the request', async () => {
    let r = await comap(['command', 'Westport', 'stop']);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(/^comap: error: send \{"command":"stop"\} to "Westport" \(genset[0-9a-f]{32}\): confirm with --yes/);
    r = await comap(['command', 'Westport', 'stop', '--dry-run']);
    expect([r.code, JSON.parse(r.stdout)]).toEqual([0, { dryRun: true, method: 'POST', path: expect.stringMatching(/^\/v1\.1\/.+\/units\/genset[0-9a-f]{32}\/command$/) as string, body: { command: 'stop' } }]);
    expect(r.requests.filter((q) => q.path.endsWith('/command'))).toEqual([]);
  });

  it('command Westport stop whose answer is lost (no --wait, lost answers switched on through the control API): exit 4, outcome unknown, sent once and not again, the process ends at once', async () => {
    expect(await control.push({ loseCommandAnswers: 1 })).toEqual({ loseCommandAnswers: 1 });
    const started = Date.now();
    const r = await comap(['command', 'Westport', 'stop', '--yes']);
    expect([r.code, r.stdout]).toEqual([4, '']);
    const posts = r.requests.filter((q) => q.path.endsWith('/command'));
    // Sent once: the simulator executed it and dropped the connection instead of answering.
    expect(posts.map((q) => [q.method, q.body, q.status])).toEqual([['POST', { command: 'stop' }, -1]]);
    const guid = /\/units\/(genset[0-9a-f]{32})\/command$/.exec(posts[0]!.path)![1]!;
    // One line, no stack: what happened, that it was not sent again, and how to read the unit.
    expect(r.stderr).toMatch(
      new RegExp(`^comap: error: the answer to stop was lost \\(.+\\): the unit may have executed it; read the unit before sending it again; not sent again \\(outcome unknown, exit 4\\): \`comap values ${guid} --guids ${VALUE_GUID.engine_state}\` shows whether it acted \\[COMAP_COMMAND_OUTCOME_UNKNOWN\\]\\n$`),
    );
    // No retry waits and nothing left holding the process open.
    expect(Date.now() - started).toBeLessThan(10_000);
    // The unit did act: the hint's read shows it stopped.
    const after = await comap(['values', guid, '--guids', VALUE_GUID.engine_state]);
    expect([after.code, (JSON.parse(after.stdout) as { value: string }).value]).toEqual([0, expect.stringMatching(/^(Ready|Not Ready)$/) as string]);
    expect(after.requests.filter((q) => q.path.endsWith('/command'))).toEqual([]);
  });

  it('poll: prints every unit each sweep, survives a 503 burst, reports a unit taken off the air, exits 130 on SIGINT', async () => {
    await control.clearReceived();
    const child = spawn(process.execPath, [bin, 'poll', '--units', 'Westport,Brno'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const lines = () => stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { type: string; sweep: number; unitGuid?: string; units?: number; ok?: number; offline?: number; failed?: number; online?: boolean; offlineReason?: string; first?: boolean });
    const sweepsDone = () => lines().filter((l) => l.type === 'sweep').length;
    const until = async (n: number) => {
      const deadline = Date.now() + 30_000;
      while (sweepsDone() < n) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`comap poll printed ${sweepsDone()} sweeps, not ${n} (exit ${String(child.exitCode)}): ${stdout}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    await until(1);
    const [lost] = lines().filter((l) => l.type === 'unit').map((l) => l.unitGuid as string);
    // A burst of four 503s on the values calls, then one unit loses its connection.
    await control.addFault({ kind: 'status', status: 503, retryAfterSeconds: 0, path: '*/values', count: 4 });
    await until(4);
    // Sweeps done before the push saw the unit online; the one in flight may or may not; the next sees it offline.
    const offlineFrom = sweepsDone() + 1;
    await control.push({ unitGuid: lost, online: false });
    await until(offlineFrom + 1);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const all = lines();
    const sweeps = all.filter((l) => l.type === 'sweep');
    for (const s of sweeps) {
      // Every unit is accounted for in every sweep, once.
      const ofSweep = all.filter((l) => l.type !== 'sweep' && l.sweep === s.sweep);
      expect([s.units, ofSweep.length, new Set(ofSweep.map((l) => l.unitGuid)).size, (s.ok ?? 0) + (s.offline ?? 0) + (s.failed ?? 0)]).toEqual([2, 2, 2, 2]);
    }
    expect(all.filter((l) => l.type === 'unit' && l.sweep === 1).map((l) => l.first)).toEqual([true, true]);
    // The burst is over by sweep 4 (four requests at most): from there every unit reads until one goes off the air.
    const clean = sweeps.filter((s) => s.sweep >= 4 && s.sweep < offlineFrom);
    expect(clean.length).toBeGreaterThan(0);
    expect(clean.map((s) => s.ok)).toEqual(clean.map(() => 2));
    expect(all.find((l) => l.type === 'unit' && l.sweep === offlineFrom + 1 && l.unitGuid === lost)).toMatchObject({ online: false, offlineReason: 'comm_state' });
    const valueCalls = (await received()).filter((q) => q.path.endsWith('/values'));
    expect(valueCalls.filter((q) => q.status === 503)).toHaveLength(4);
    expect(valueCalls.filter((q) => q.status === 429)).toEqual([]);
    await control.push({ unitGuid: lost, online: true });
  }, 60_000);

  it('simulate: SIGINT ends it with 130', async () => {
    const other = await startProcess<SimLine>(process.execPath, [bin, 'simulate', '--units', '1']);
    expect(other.line.control).toBe(`${other.line.url}/control`);
    expect(await other.stop('SIGINT')).toBe(130);
  });
});

describe('comap command --wait against comap simulate --effect-delay 3s (a unit that acts 3 s after the API accepted)', () => {
  let slow: StartedProcess<SimLine>;
  let slowControl: ControlClient;
  let slowEnv: Record<string, string>;

  beforeAll(async () => {
    slow = await startProcess<SimLine>(process.execPath, [bin, 'simulate', '--units', '2', '--seed', '3', '--no-token-limit', '--effect-delay', '3s']);
    slowControl = new ControlClient(slow.line.control);
    const { url, key, clientId, secret, loginId } = slow.line;
    slowEnv = { COMAP_KEY: key, COMAP_CLIENT_ID: clientId, COMAP_SECRET: secret, COMAP_LOGIN_ID: loginId, COMAP_BASE_URL: url, COMAP_TOKEN_CACHE: 'false' };
  });

  afterAll(async () => {
    expect(await slow.stop('SIGTERM')).toBe(143);
  });

  // A command is never retried, not even after a 429: each process starts after the server's 1 request/s window of the previous one.
  const run = async (args: string[]) => {
    await new Promise((resolve) => setTimeout(resolve, 1100));
    return runCli(bin, args, { env: slowEnv, timeoutInMs: 60_000 });
  };
  const commandPosts = async () => ((await slowControl.received()).records as Received[]).filter((q) => q.method === 'POST' && q.path.endsWith('/command'));

  it('start/stop --wait: exit 0 once the engine state shows it (seconds later); changeMode --timeout 1s: exit 3 with the reason; a lost answer is not sent again and the wait finds the effect', async () => {
    const units = (await run(['units'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as { unitGuid: string });
    const guid = units[0]!.unitGuid;
    const state = JSON.parse((await run(['values', guid, '--guids', VALUE_GUID.engine_state])).stdout) as { value: string };
    const first = state.value === 'Ready' || state.value === 'Not Ready' ? 'start' : 'stop';
    const second = first === 'start' ? 'stop' : 'start';

    await slowControl.clearReceived();
    let r = await run(['command', guid, first, '--yes', '--wait', '--timeout', '30s']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const waited = JSON.parse(r.stdout) as { answer: string; status: number; effect: { seen: boolean; reads: number; elapsedInMs: number; value: string } };
    expect(waited).toMatchObject({ unitGuid: guid, status: 200, answer: 'received', effect: { seen: true, expected: first === 'start' ? 'engine running' : 'engine stopped', valueGuid: VALUE_GUID.engine_state } });
    expect(waited.effect.reads).toBeGreaterThanOrEqual(2);
    expect(waited.effect.elapsedInMs).toBeGreaterThanOrEqual(2000);
    expect(await commandPosts()).toHaveLength(1);

    const modeNow = JSON.parse((await run(['values', guid, '--guids', VALUE_GUID.mode])).stdout) as { value: string };
    const mode = modeNow.value === 'MAN' ? 'AUT' : 'MAN';
    r = await run(['command', guid, 'changeMode', '--mode', mode, '--yes', '--wait', '--timeout', '1s']);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ answer: 'received', effect: { seen: false, value: modeNow.value } });
    expect(r.stderr).toBe(`comap: error: mode ${mode} not seen within 1 s (last value ${JSON.stringify(modeNow.value)}): the unit accepted the command but has not acted on it\n`);

    await slowControl.push({ loseCommandAnswers: 1 });
    await slowControl.clearReceived();
    r = await run(['command', guid, second, '--yes', '--wait', '--timeout', '30s']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^comap: warning: the answer to ${second} was lost \\(.+\\): the unit may have executed it; read the unit before sending it again; not sending it again, reading the unit instead\\n$`));
    expect(JSON.parse(r.stdout)).toMatchObject({ unitGuid: guid, answer: 'lost', effect: { seen: true } });
    expect((await commandPosts()).map((q) => [q.body, q.status])).toEqual([[{ command: second }, -1]]);

    // --wait needs a command with a visible effect: a usage error, nothing sent.
    r = await run(['command', guid, 'faultReset', '--yes', '--wait']);
    expect([r.code, r.stderr]).toEqual([2, expect.stringContaining('comap: error: --wait: faultReset has no effect to wait for (changeMode, start and stop have)') as string]);
  }, 90_000);
});

describe('comap history --checkpoint against comap simulate --history-page-size 8', () => {
  let paged: StartedProcess<SimLine>;
  let pagedControl: ControlClient;
  let pagedEnv: Record<string, string>;
  const dir = mkdtempSync(join(tmpdir(), 'comap-checkpoint-'));

  beforeAll(async () => {
    paged = await startProcess<SimLine>(process.execPath, [bin, 'simulate', '--units', '1', '--seed', '4', '--no-token-limit', '--no-rate-limit', '--history-page-size', '8']);
    pagedControl = new ControlClient(paged.line.control);
    const { url, key, clientId, secret, loginId } = paged.line;
    pagedEnv = { COMAP_KEY: key, COMAP_CLIENT_ID: clientId, COMAP_SECRET: secret, COMAP_LOGIN_ID: loginId, COMAP_BASE_URL: url, COMAP_TOKEN_CACHE: 'false' };
  });

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    expect(await paged.stop('SIGTERM')).toBe(143);
  });

  it('an export interrupted (SIGINT while a page stalls) and resumed prints every interval once: the same as one uninterrupted export', async () => {
    const today = Math.floor(Date.now() / 86_400_000);
    const range = ['--from', mdy(new Date((today - 40) * 86_400_000)), '--to', mdy(new Date((today - 1) * 86_400_000)), '--guids', VALUE_GUID.engine_state, '--time-zone', 'UTC'];
    // Rows without validTo: the open interval's validTo is "now", which moves between runs.
    const key = (line: string) => {
      const e = JSON.parse(line) as { value: unknown; validFrom?: string };
      return `${JSON.stringify(e.value)} ${e.validFrom ?? '-'}`;
    };
    const whole = await runCli(bin, ['history', 'Westport', ...range], { env: pagedEnv, timeoutInMs: 60_000 });
    expect(whole.code).toBe(0);
    const all = whole.stdout.trim().split('\n').map(key);
    expect(all.length).toBeGreaterThan(16);

    const file = join(dir, 'engine.json');
    const first = spawn(process.execPath, [bin, 'history', 'Westport', ...range, '--checkpoint', file], { env: { ...process.env, ...pagedEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let printed = '';
    const exited = new Promise<number | null>((resolve) => first.once('exit', (code) => resolve(code)));
    // Once the first rows are out, the pages that follow stall; then the export is interrupted.
    await new Promise<void>((resolve) => first.stdout.on('data', (chunk: Buffer) => ((printed += chunk.toString('utf8')), resolve())));
    await pagedControl.addFault({ kind: 'stall', method: 'GET', path: '*/history', stallInMs: 30_000 });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    first.kill('SIGINT');
    expect(await exited).toBe(130);
    await pagedControl.clearFaults();
    const firstRows = printed.trim().split('\n');
    expect(firstRows.length).toBeLessThan(all.length);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ from: expect.stringMatching(/^\d\d\/\d\d\/\d{4}$/) as string, values: { [VALUE_GUID.engine_state.toLowerCase()]: expect.any(String) as string } });

    const rest = await runCli(bin, ['history', 'Westport', ...range, '--checkpoint', file], { env: pagedEnv, timeoutInMs: 60_000 });
    expect(rest.code).toBe(0);
    expect([...firstRows, ...rest.stdout.trim().split('\n')].map(key)).toEqual(all);
  }, 90_000);

  it('archive --dir: every file of the unit written with its size, a second run downloads nothing; a bad --since is a usage error', async () => {
    const archive = join(dir, 'files');
    await pagedControl.clearReceived();
    let r = await runCli(bin, ['archive', '--dir', archive], { env: pagedEnv, timeoutInMs: 60_000 });
    expect([r.code, r.stderr]).toEqual([0, '']);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; status?: string; path?: string; bytes?: number; unitGuid?: string; fileName?: string });
    const files = events.filter((e) => e.type === 'file');
    expect(files.length).toBe(4);
    expect(files.map((e) => e.status)).toEqual(['downloaded', 'downloaded', 'downloaded', 'downloaded']);
    for (const f of files) expect([f.path, statSync(f.path!).size]).toEqual([join(archive, f.unitGuid!, f.fileName!), f.bytes]);
    expect(events.at(-1)).toEqual({ type: 'summary', units: 1, downloaded: 4, present: 0, failed: 0, bytes: files.reduce((n, f) => n + f.bytes!, 0) });
    const downloadPaths = async () => ((await pagedControl.received()).records as Received[]).filter((q) => q.path.includes('/download/'));
    expect(await downloadPaths()).toHaveLength(4);

    await pagedControl.clearReceived();
    r = await runCli(bin, ['archive', '--dir', archive], { env: pagedEnv, timeoutInMs: 60_000 });
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { status?: string }).status)).toEqual(['present', 'present', 'present', 'present', undefined]);
    expect(await downloadPaths()).toEqual([]);
    expect(readdirSync(join(archive, files[0]!.unitGuid!)).sort()).toEqual(files.map((f) => f.fileName).sort());

    r = await runCli(bin, ['archive', '--dir', archive, '--since', '31/01/2025'], { env: pagedEnv, timeoutInMs: 60_000 });
    expect([r.code, r.stderr]).toEqual([2, 'comap: error: --since is not a calendar date: "31/01/2025"\nRun \'comap archive --help\' for usage.\n']);
  }, 60_000);
});
