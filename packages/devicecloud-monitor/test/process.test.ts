// The built CLI as users run it: `simulate` in one process, commands in others, driven through the
// simulator's control API. Before issue 12 `list` exited 0 with no output after one 503.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ControlClient, runCli, startProcess, type StartedProcess } from '@x/http-core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');

interface SimLine {
  url: string;
  pushPort: number;
  tlsPort: number;
  username: string;
  password: string;
  control: string;
  caPath: string;
}

let sim: StartedProcess<SimLine>;
let control: ControlClient;
let env: Record<string, string>;

beforeAll(async () => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: build the package first (npx turbo run build --filter=@x/devicecloud-monitor)`);
  sim = await startProcess<SimLine>(process.execPath, [cli, 'simulate'], { env: { DC_USERNAME: 'proc-user', DC_PASSWORD: 'proc-secret-pw' } });
  control = new ControlClient(sim.line.control);
  env = { DC_USERNAME: 'proc-user', DC_PASSWORD: 'proc-secret-pw', DC_HOST: sim.line.url };
});

afterAll(async () => {
  await sim?.stop('SIGTERM');
});

/** A long-running child whose stdout and stderr lines are collected as they come. */
function spawnLines(args: string[]): { child: ChildProcess; out: string[]; err: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  let err = '';
  let partial = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    out.push(...lines);
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out, err: () => err, exit };
}

async function waitFor(cond: () => boolean, what: string, timeoutInMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutInMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('devicecloud-monitor as users run it', () => {
  it('simulate prints its line with control and the CA path', () => {
    expect(Object.keys(sim.line)).toEqual(['url', 'host', 'pushPort', 'tlsPort', 'username', 'password', 'control', 'caPath']);
    expect(sim.line.control).toBe(`${sim.line.url}/control`);
    expect(existsSync(sim.line.caPath)).toBe(true);
  });

  it('list retries a 503 (Retry-After 1 s) and prints the monitors, exit 0', async () => {
    const created = await runCli(cli, ['create', '--topics', 'DeviceCore', '--ack', 'explicit'], { env });
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const { id } = JSON.parse(created.stdout) as { id: number };
    await control.clearReceived();
    await control.addFault({ kind: 'status', status: 503, retryAfterSeconds: 1, method: 'GET', path: '/ws/Monitor*' });
    const started = Date.now();
    const listed = await runCli(cli, ['list', '--condition', "monTopic='DeviceCore'"], { env });
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    const monitors = listed.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(monitors).toHaveLength(1);
    expect(monitors[0]).toMatchObject({ id, topics: ['DeviceCore'], ackOption: 'explicit', transportType: 'tcp' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(await control.faults()).toEqual([]);
    // The faulted request never reached the API; the retry did (one GET).
    const received = (await control.received()) as { records: Array<{ method: string; url: string }> } | Array<{ method: string; url: string }>;
    const records = Array.isArray(received) ? received : received.records;
    expect(records.map((r) => r.method)).toEqual(['GET']);
    expect((await runCli(cli, ['delete', String(id)], { env })).stdout).toBe(`{"deleted":${id}}\n`);
  });

  it('push-client (push_client.py interface) over TLS with the CA path simulate printed: positional credentials, -t/-a/-f/-d, exit 143 on SIGTERM', async () => {
    const listen = spawnLines([
      'push-client', 'proc-user', 'proc-secret-pw', '-t', 'DataPoint', '-a', sim.line.url, '-f', 'xml', '-d', '0',
      '--ca', sim.line.caPath, '--push-port', String(sim.line.tlsPort),
    ]);
    await waitFor(() => listen.err().includes('connected (connection 1)'), 'the TLS connection');
    expect(listen.err()).toMatch(/monitor \d+ created on DataPoint; listening \(TLS, acks off\)/);
    await control.push({ type: 'DataPoint', streamId: 'dev9/temp', data: 'caf&#233;' });
    await waitFor(() => listen.out.length === 1, 'the event');
    expect(JSON.parse(listen.out[0]!)).toMatchObject({ type: 'DataPoint', operation: 'create', payload: { streamId: 'dev9/temp' } });
    listen.child.kill('SIGTERM');
    expect(await listen.exit).toBe(143);
    expect(listen.err()).toMatch(/monitor \d+ deleted\n$/);
  });

  it('listen outlives a dropped push connection, prints events pushed after the reconnect, exits 130 on SIGINT and deletes its monitor', async () => {
    const listen = spawnLines(['listen', '--topics', 'DataPoint', '--insecure', '--push-port', String(sim.line.pushPort)]);
    await waitFor(() => listen.err().includes('connected (connection 1)'), 'the first connection');
    await control.push({ type: 'DataPoint', streamId: 'dev1/temp', data: 1 });
    await waitFor(() => listen.out.length === 1, 'the first event');
    expect(await control.dropConnections()).toBe(1);
    await waitFor(() => listen.err().includes('connected (connection 2)'), 'the reconnect');
    expect(listen.err()).toMatch(/reconnecting \(attempt 1, in \d+ ms\): push server closed the connection/);
    await control.push({ type: 'DataPoint', streamId: 'dev1/temp', data: 2 });
    await waitFor(() => listen.out.length === 2, 'the event after the reconnect');
    expect(listen.out.map((l) => (JSON.parse(l) as { payload: { data: unknown } }).payload.data)).toEqual([1, 2]);
    listen.child.kill('SIGINT');
    expect(await listen.exit).toBe(130);
    expect(listen.err()).toMatch(/monitor \d+ deleted\n$/);
    expect(listen.err()).not.toContain('proc-secret-pw');
    const left = await runCli(cli, ['list'], { env });
    expect(left).toMatchObject({ code: 0, stdout: '' });
  });

  it('points prints a stream newest first (or --oldest, --limit) as JSON lines; an unknown stream exits 1 with the 404; a bad --start exits 2', async () => {
    for (const data of [1, 2, 3]) await control.push({ type: 'DataPoint', streamId: 'proc/points', data });
    const newest = await runCli(cli, ['points', 'proc/points', '--page-size', '2'], { env });
    expect(newest.code).toBe(0);
    const lines = newest.stdout.trim().split('\n').map((l) => JSON.parse(l) as { data: string; streamId: string; quality: number });
    expect(lines.map((l) => l.data)).toEqual(['3', '2', '1']);
    expect(lines[0]).toMatchObject({ streamId: 'proc/points', quality: 0 });
    const oldest = await runCli(cli, ['points', 'proc/points', '--oldest', '--limit', '2'], { env });
    expect(oldest.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { data: string }).data)).toEqual(['1', '2']);
    const missing = await runCli(cli, ['points', 'proc/none'], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^devicecloud-monitor: error: .*404/);
    const bad = await runCli(cli, ['points', 'proc/points', '--start', 'yesterday'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr.split('\n')[0]).toBe('devicecloud-monitor: error: --start must be an ISO 8601 time or epoch milliseconds, got "yesterday"');
  });

  it('history prints the saved events of a polling monitor page by page; --limit names the cursor to go on with; a bad id exits 2', async () => {
    const created = await runCli(cli, ['create', '--transport', 'polling', '--topics', 'DataPoint/proc/history'], { env });
    expect(created.code).toBe(0);
    const { id } = JSON.parse(created.stdout) as { id: number };
    for (const data of [1, 2, 3]) await control.push({ type: 'DataPoint', streamId: 'proc/history', data });
    const first = await runCli(cli, ['history', String(id), '--page-size', '2', '--limit', '1'], { env });
    expect(first.code).toBe(0);
    const data = (out: string) => out.trim().split('\n').map((l) => (JSON.parse(l) as { payload: { data: unknown } }).payload.data);
    expect(data(first.stdout)).toEqual([1, 2]);
    const cursor = /^more: --cursor (\S+)$/m.exec(first.stderr)?.[1];
    expect(cursor).toBeDefined();
    const rest = await runCli(cli, ['history', String(id), '--cursor', cursor!], { env });
    expect(rest).toMatchObject({ code: 0, stderr: '' });
    expect(data(rest.stdout)).toEqual([3]);
    const bad = await runCli(cli, ['history', 'x'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('devicecloud-monitor: error: <monitor-id> must be a non-negative integer, got "x"\nRun \'devicecloud-monitor history --help\' for usage.\n');
    expect((await runCli(cli, ['delete', String(id)], { env })).code).toBe(0);
  });

  it('history --schema prints each page as the simulator rendered it with the template; a template it refuses exits 1 with the 400', async () => {
    const created = await runCli(cli, ['create', '--transport', 'polling', '--topics', 'DataPoint/proc/templated'], { env });
    expect(created.code).toBe(0);
    const { id } = JSON.parse(created.stdout) as { id: number };
    for (const data of [4, 5, 6]) await control.push({ type: 'DataPoint', streamId: 'proc/templated', data });
    const template = '[{{#each this}}{{#if @index}},{{/if}}{ "{{DataPoint.streamId}}":{{DataPoint.data}} }{{/each}}]';
    const r = await runCli(cli, ['history', String(id), '--schema', template, '--page-size', '2'], { env });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([
      [{ 'proc/templated': 4 }, { 'proc/templated': 5 }],
      [{ 'proc/templated': 6 }],
    ]);
    const refused = await runCli(cli, ['history', String(id), '--schema', '{{../x}}'], { env });
    expect([refused.code, refused.stdout]).toEqual([1, '']);
    expect(refused.stderr).toMatch(/^devicecloud-monitor: error: .*400.*\n$/);
    expect((await runCli(cli, ['delete', String(id)], { env })).code).toBe(0);
  });

  it('inventory prints the v1 view of the monitors (--query filters), one by id; an unknown id exits 1; a 503 is retried', async () => {
    const a = JSON.parse((await runCli(cli, ['create', '--transport', 'polling', '--topics', 'DataPoint/proc/inv', '--description', 'inv polling'], { env })).stdout) as { id: number };
    const b = JSON.parse((await runCli(cli, ['create', '--topics', 'DeviceCore', '--description', 'inv tcp'], { env })).stdout) as { id: number };
    await control.addFault({ kind: 'status', status: 503, retryAfterSeconds: 1, path: '/ws/v1/monitors/inventory', count: 1 });
    const listed = await runCli(cli, ['inventory', '--query', "description like 'inv %'"], { env });
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    expect(await control.faults()).toEqual([]); // the 503 was answered (and retried)
    expect(listed.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: number; type: string; topics: string[] }).map((m) => [m.id, m.type, m.topics])).toEqual([
      [a.id, 'polling', ['DataPoint/proc/inv']],
      [b.id, 'tcp', ['DeviceCore']],
    ]);
    const one = await runCli(cli, ['inventory', String(b.id), '--raw'], { env });
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout)).toMatchObject({ id: b.id, type: 'tcp', description: 'inv tcp', persistent: false });
    const missing = await runCli(cli, ['inventory', '987654'], { env });
    expect([missing.code, missing.stdout, missing.stderr]).toEqual([1, '', 'devicecloud-monitor: error: monitor 987654 not found\n']);
    for (const id of [a.id, b.id]) expect((await runCli(cli, ['delete', String(id)], { env })).code).toBe(0);
  });

  it('history --follow prints new events of a polling monitor as they are saved, survives a failed read, exits 130 on SIGINT', async () => {
    const created = await runCli(cli, ['create', '--transport', 'polling', '--topics', 'DataPoint/proc/follow'], { env });
    const { id } = JSON.parse(created.stdout) as { id: number };
    await control.push({ type: 'DataPoint', streamId: 'proc/follow', data: 1 });
    const follow = spawnLines(['history', String(id), '--follow', '--interval', '100ms']);
    await waitFor(() => follow.out.length === 1, 'the saved event');
    await control.addFault({ kind: 'status', status: 503, path: `/ws/v1/monitors/history/${id}`, count: 1 });
    await control.push({ type: 'DataPoint', streamId: 'proc/follow', data: 2 });
    await waitFor(() => follow.out.length === 2, 'the event after the failed read');
    await control.push({ type: 'DataPoint', streamId: 'proc/follow', data: 3 });
    await waitFor(() => follow.out.length === 3, 'the third event');
    follow.child.kill('SIGINT');
    expect(await follow.exit).toBe(130);
    expect(follow.out.map((l) => (JSON.parse(l) as { payload: { data: unknown } }).payload.data)).toEqual([1, 2, 3]);
    const both = await runCli(cli, ['history', String(id), '--follow', '--limit', '1'], { env });
    expect(both.code).toBe(2);
    expect((await runCli(cli, ['delete', String(id)], { env })).code).toBe(0);
  });

  it('points --rollup prints buckets; delete-points removes a point by --id and a range; delete-stream removes the stream; unknown ones exit 1', async () => {
    const at = Date.UTC(2026, 0, 1);
    for (const [offset, data] of [[0, 1], [60_000, 3], [3_600_000, 10]] as const) {
      await control.push({ type: 'DataPoint', streamId: 'proc/roll', data, timestamp: at + offset });
    }
    const hourly = await runCli(cli, ['points', 'proc/roll', '--rollup', 'hour', '--method', 'sum', '--oldest'], { env });
    expect(hourly.code).toBe(0);
    expect(hourly.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([
      { streamId: 'proc/roll', timestamp: '2026-01-01T00:00:00.000Z', data: 4 },
      { streamId: 'proc/roll', timestamp: '2026-01-01T01:00:00.000Z', data: 10 },
    ]);
    const stored = (await runCli(cli, ['points', 'proc/roll', '--oldest'], { env })).stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; data: string });
    const one = await runCli(cli, ['delete-points', 'proc/roll', '--id', stored[0]!.id], { env });
    expect(one).toMatchObject({ code: 0, stdout: `{"deleted":"proc/roll","id":"${stored[0]!.id}"}\n` });
    const range = await runCli(cli, ['delete-points', 'proc/roll', '--start', String(at + 3_600_000)], { env });
    expect(range).toMatchObject({ code: 0, stdout: '{"deleted":"proc/roll","startTime":"2026-01-01T01:00:00.000Z"}\n' });
    const left = await runCli(cli, ['points', 'proc/roll'], { env });
    expect(left.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { data: string }).data)).toEqual(['3']);
    expect(await runCli(cli, ['delete-stream', 'proc/roll'], { env })).toMatchObject({ code: 0, stdout: '{"deleted":"proc/roll"}\n' });
    const gone = await runCli(cli, ['delete-stream', 'proc/roll'], { env });
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe('devicecloud-monitor: error: stream proc/roll not found\n');
    const mixed = await runCli(cli, ['delete-points', 'proc/roll', '--id', 'x', '--end', '0'], { env });
    expect(mixed.code).toBe(2);
  });

  it('usage errors exit 2 with the program prefix; --help and --version exit 0', async () => {
    const bad = await runCli(cli, ['delete'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^devicecloud-monitor: error: /);
    const badNumber = await runCli(cli, ['listen', '--topics', 'DataPoint', '--push-port', 'x'], { env });
    expect(badNumber.code).toBe(2);
    expect(badNumber.stderr).toMatch(/^devicecloud-monitor: error: .*--push-port/);
    const noCreds = await runCli(cli, ['list'], { env: { DC_HOST: sim.line.url, DC_USERNAME: '', DC_PASSWORD: '' } });
    expect(noCreds).toMatchObject({ code: 78, stderr: 'devicecloud-monitor: error: set DC_USERNAME and DC_PASSWORD\n' });
    const help = await runCli(cli, ['listen', '--help'], { env });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--push-port');
    const version = await runCli(cli, ['--version'], { env });
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/\d+\.\d+\.\d+/);
  });
});
