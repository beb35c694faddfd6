import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '@x/http-core/cli';
import { program } from './cli/program.js';
import { DeviceCloudSimulator } from './testing/index.js';

let sim: DeviceCloudSimulator;
beforeEach(async () => {
  sim = await DeviceCloudSimulator.start({ secondInMs: 10 });
});
afterEach(async () => {
  await sim.close();
});

function io(env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const controller = new AbortController();
  const value = {
    stdout: { write: (t: string) => void out.push(t) },
    stderr: { write: (t: string) => void err.push(t) },
    env: { DC_USERNAME: sim.username, DC_PASSWORD: sim.password, DC_HOST: sim.url, ...env },
    signal: controller.signal,
  };
  return { io: value, out, err, abort: () => controller.abort(), lines: () => out.join('').split('\n').filter(Boolean) };
}

const main = (argv: string[], cliIo: ReturnType<typeof io>['io']) => run(program, { argv, ...cliIo });

async function waitFor(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 15_000; // generous for loaded CI machines (the test timeout is 20 s)
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('devicecloud-monitor CLI (in process)', () => {
  it('create, list --condition, delete', async () => {
    const a = io();
    expect(await main(['create', '--topics', 'DeviceCore,DataPoint', '--compression', 'zlib', '--batchsize', '5', '--batchduration', '2', '--ack', 'explicit', '--replay'], a.io)).toBe(0);
    expect(a.lines()).toEqual(['{"id":178000}']);
    const h = io();
    expect(await main(['create', '--topics', 'FileData', '--transport', 'http', '--url', 'https://example.com/h', '--token', 'u:p', '--method', 'POST'], h.io)).toBe(0);
    const l = io();
    expect(await main(['list', '--condition', "monTransportType='tcp'"], l.io)).toBe(0);
    const listed = l.lines().map((x) => JSON.parse(x));
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ id: 178000, topics: ['DeviceCore', 'DataPoint'], compression: 'zlib', batchSize: 5, batchDurationInSeconds: 2, ackOption: 'explicit', autoReplayOnConnect: true });
    const d = io();
    expect(await main(['delete', '178000'], d.io)).toBe(0);
    expect(d.lines()).toEqual(['{"deleted":178000}']);
    expect(sim.monitors().map((m) => m.id)).toEqual([178001]);
  });

  it('listen prints events as JSON lines until interrupted, then deletes its monitor (plain TCP and TLS)', async () => {
    for (const secure of [false, true]) {
      const l = io();
      const caFile = join(mkdtempSync(join(tmpdir(), 'dc-cli-')), 'ca.pem');
      writeFileSync(caFile, sim.ca!);
      const args = secure
        ? ['listen', '--topics', 'DataPoint', '--push-port', String(sim.tlsPort), '--ca', caFile, '--format', 'xml', '--compression', 'zlib']
        : ['listen', '--topics', 'DataPoint', '--insecure', '--push-port', String(sim.pushPort)];
      const done = main(args, l.io);
      await waitFor(() => sim.monitors().some((m) => m.fields.monStatus === 'ACTIVE'), 'listening');
      sim.publishDataPoint({ streamId: 'dev/temp', data: 7 });
      await waitFor(() => l.lines().length === 1, 'event line');
      l.abort();
      expect(await done).toBe(130);
      const event = JSON.parse(l.lines()[0]!);
      expect(event).toMatchObject({ type: 'DataPoint', topic: '7603/DataPoint/dev/temp', payload: { streamId: 'dev/temp', data: 7 } });
      expect(sim.monitors()).toEqual([]);
      expect(l.err.join('')).toMatch(/monitor \d+ deleted/);
    }
  });

  it('push-client takes push_client.py positional credentials and short flags with its defaults, replacing a monitor on the same topics', async () => {
    const old = sim.createMonitor({ monTopic: 'DeviceCore,DataPoint' });
    const l = io({ DC_USERNAME: undefined, DC_PASSWORD: undefined, DC_HOST: undefined });
    const done = main(['push-client', sim.username, sim.password, '-t', 'DeviceCore,DataPoint', '-a', sim.url, '--insecure', '--push-port', String(sim.pushPort), '-f', 'xml', '-b', '1', '-d', '0'], l.io);
    await waitFor(() => sim.monitors().some((m) => m.fields.monStatus === 'ACTIVE'), 'listening');
    const created = sim.monitors().find((m) => m.id !== old.id)!;
    expect(sim.monitor(old.id)).toBeUndefined();
    expect(created.fields).toMatchObject({ monTopic: 'DeviceCore,DataPoint', monFormatType: 'xml', monCompression: 'zlib', monBatchSize: '1', monBatchDuration: '0', monAckOption: 'off' });
    sim.publishDataPoint({ streamId: 'dev/temp', data: 7 });
    await waitFor(() => l.lines().length === 1, 'event line');
    l.abort();
    expect(await done).toBe(130);
    expect(JSON.parse(l.lines()[0]!)).toMatchObject({ type: 'DataPoint', payload: { data: 7 } });
    expect(sim.monitors()).toEqual([]);
    expect(l.err.join('')).toContain('acks off');
    expect(l.err.join('')).not.toContain(sim.password);
    // The seed's defaults: DeviceCore, gzip (zlib on the wire), json, batch size 1, batch duration 60 s.
    const d = io();
    const defaults = main(['listen', '--insecure', '--push-port', String(sim.pushPort)], d.io);
    await waitFor(() => sim.monitors().some((m) => m.fields.monStatus === 'ACTIVE'), 'listening with defaults');
    expect(sim.monitors()[0]!.fields).toMatchObject({ monTopic: 'DeviceCore', monCompression: 'zlib', monFormatType: 'json', monBatchSize: '1', monBatchDuration: '60' });
    d.abort();
    expect(await defaults).toBe(130);
  });

  it('listen --monitor ID --ack explicit attaches to an existing monitor, acknowledges, and leaves it in place', async () => {
    const m = sim.createMonitor({ monTopic: 'DataPoint', monBatchSize: '1', monBatchDuration: '0', monAckOption: 'explicit' });
    const l = io();
    const done = main(['listen', '--monitor', String(m.id), '--ack', 'explicit', '--insecure', '--push-port', String(sim.pushPort)], l.io);
    await waitFor(() => sim.monitor(m.id)!.fields.monStatus === 'ACTIVE', 'attached');
    sim.publishDataPoint({ streamId: 's', data: 1 });
    sim.publishDataPoint({ streamId: 's', data: 2 });
    await waitFor(() => l.lines().length === 2 && sim.monitor(m.id)!.acks.length === 2, 'two events acknowledged');
    l.abort();
    expect(await done).toBe(130);
    expect(sim.monitor(m.id)!.acks).toEqual([0, 1]);
    expect(sim.monitors().map((x) => x.id)).toEqual([m.id]);
    expect(l.err.join('')).toContain(`monitor ${m.id} attached; listening (plain TCP, acks explicit)`);
    const missing = io();
    expect(await main(['listen', '--monitor', '999', '--insecure'], missing.io)).toBe(78);
    expect(missing.err.join('')).toBe('devicecloud-monitor: error: monitor 999 does not exist\n');
    const help = io();
    expect(await main(['push-client', '--help'], help.io)).toBe(0);
    for (const flag of ['-t, --topics', '-a, --host', '-c, --compression', '-f, --format', '-b, --batchsize', '-d, --batchduration', '--monitor', '--ack', '<username>', '<password>']) {
      expect(help.out.join('')).toContain(flag);
    }
  });

  it('history pages a polling monitor with --limit and --cursor; points --rollup; delete-points --id/--end and delete-stream', async () => {
    const c = io();
    expect(await main(['create', '--transport', 'polling', '--topics', 'DataPoint', '--format', 'json', '--description', 'poll'], c.io)).toBe(0);
    const id = String((JSON.parse(c.lines()[0]!) as { id: number }).id);
    const at = Date.UTC(2026, 0, 1);
    const written = [1, 2, 3].map((data, i) => sim.publishDataPoint({ streamId: 'cli/h', data, timestamp: at + i * 1000 }));
    const first = io();
    expect(await main(['history', id, '--page-size', '2', '--limit', '1', '--start', '0', '--end', String(Date.now() + 60_000)], first.io)).toBe(0);
    expect(first.lines().map((l) => (JSON.parse(l) as { payload: { data: number } }).payload.data)).toEqual([1, 2]);
    const cursor = /^more: --cursor (\S+)\n$/.exec(first.err.join(''))?.[1];
    const rest = io();
    expect(await main(['history', id, '--cursor', cursor!], rest.io)).toBe(0);
    expect(rest.lines().map((l) => (JSON.parse(l) as { payload: { data: number } }).payload.data)).toEqual([3]);
    const follow = io();
    const following = main(['history', id, '--follow', '--interval', '10ms'], follow.io);
    await waitFor(() => follow.lines().length === 3, 'the followed events');
    follow.abort();
    expect(await following).toBe(130); // an abort is an interrupt
    expect(follow.lines().map((l) => (JSON.parse(l) as { payload: { data: number } }).payload.data)).toEqual([1, 2, 3]);
    const rolled = io();
    expect(await main(['points', 'cli/h', '--rollup', 'day', '--method', 'max', '--timezone', 'UTC'], rolled.io)).toBe(0);
    expect(rolled.lines()).toEqual(['{"streamId":"cli/h","timestamp":"2026-01-01T00:00:00.000Z","data":3}']);
    const one = io();
    expect(await main(['delete-points', 'cli/h', '--id', String(written[0]!.body.id)], one.io)).toBe(0);
    expect(one.lines()).toEqual([`{"deleted":"cli/h","id":"${String(written[0]!.body.id)}"}`]);
    const range = io();
    expect(await main(['delete-points', 'cli/h', '--end', String(at + 2000)], range.io)).toBe(0);
    expect(range.lines()).toEqual(['{"deleted":"cli/h","endTime":"2026-01-01T00:00:02.000Z"}']);
    expect(sim.data.streams.get('cli/h')?.points.map((p) => p.data)).toEqual(['3']);
    const missing = io();
    expect(await main(['delete-points', 'cli/none'], missing.io)).toBe(1);
    expect(missing.err.join('')).toBe('devicecloud-monitor: error: stream cli/none not found\n');
    const stream = io();
    expect(await main(['delete-stream', 'cli/h'], stream.io)).toBe(0);
    expect(sim.data.streams.has('cli/h')).toBe(false);
    const again = io();
    expect(await main(['delete-stream', 'cli/h'], again.io)).toBe(1);
  });

  it('simulate prints its JSON line and stops on interrupt', async () => {
    const s = io({ DC_USERNAME: 'alice', DC_PASSWORD: 'pw' });
    const done = main(['simulate', '--events-per-second', '50'], s.io);
    await waitFor(() => s.lines().length === 1, 'simulate line');
    const info = JSON.parse(s.lines()[0]!);
    expect(Object.keys(info)).toEqual(['url', 'host', 'pushPort', 'tlsPort', 'username', 'password', 'control', 'caPath']);
    expect(info.control).toBe(`${info.url}/control`);
    expect(info).toMatchObject({ host: '127.0.0.1', username: 'alice', password: 'pw' });
    const l = io({ DC_USERNAME: 'alice', DC_PASSWORD: 'pw', DC_HOST: info.url });
    const listening = main(['listen', '--topics', 'DataPoint', '--insecure', '--push-port', String(info.pushPort)], l.io);
    await waitFor(() => l.lines().length >= 3, 'generated events');
    l.abort();
    expect(await listening).toBe(130);
    expect(JSON.parse(l.lines()[0]!)).toMatchObject({ type: 'DataPoint', payload: { streamId: expect.stringMatching(/^00000000-00000000-00409DFF-FF0000\d{2}\/(temperature|humidity|rssi)$/) } });
    s.abort();
    expect(await done).toBe(130);
  });

  it('inventory lists the v1 view (--query, --raw) or one monitor; history --schema/--schema-file prints the server-rendered output per page', async () => {
    const c = io();
    expect(await main(['create', '--transport', 'polling', '--topics', 'DataPoint', '--format', 'json', '--description', 'poll'], c.io)).toBe(0);
    const id = (JSON.parse(c.lines()[0]!) as { id: number }).id;
    expect(await main(['create', '--topics', 'DeviceCore', '--description', 'tcp one'], io().io)).toBe(0);
    const all = io();
    expect(await main(['inventory'], all.io)).toBe(0);
    expect(all.lines().map((l) => JSON.parse(l) as { id: number; type: string; description: string }).map((m) => [m.id, m.type, m.description])).toEqual([
      [id, 'polling', 'poll'],
      [id + 1, 'tcp', 'tcp one'],
    ]);
    const raw = io();
    expect(await main(['inventory', '--query', "type='tcp'", '--raw'], raw.io)).toBe(0);
    expect(raw.lines().map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([expect.objectContaining({ id: id + 1, type: 'tcp', batch_size: 100 })]);
    const one = io();
    expect(await main(['inventory', String(id)], one.io)).toBe(0);
    expect(JSON.parse(one.lines()[0]!)).toMatchObject({ id, type: 'polling', topics: ['DataPoint'] });
    const none = io();
    expect(await main(['inventory', '99999'], none.io)).toBe(1);
    expect(none.err.join('')).toBe('devicecloud-monitor: error: monitor 99999 not found\n');
    expect(await main(['inventory', '5', '--query', "type='tcp'"], io().io)).toBe(2);

    [1, 2, 3].forEach((data, i) => sim.publishDataPoint({ streamId: `cli/t${i}`, data }));
    const template = '{{#each this}}{{DataPoint.streamId}}={{DataPoint.data}};{{/each}}';
    const paged = io();
    expect(await main(['history', String(id), '--schema', template, '--page-size', '2'], paged.io)).toBe(0);
    expect(paged.out.join('')).toBe('cli/t0=1;cli/t1=2;\ncli/t2=3;\n');
    const dir = mkdtempSync(join(tmpdir(), 'dc-schema-'));
    writeFileSync(join(dir, 'points.hbs'), '{{#each this}}{{#if @last}}{{json DataPoint}}{{/if}}{{/each}}');
    const fromFile = io();
    expect(await main(['history', String(id), '--schema-file', join(dir, 'points.hbs'), '--page-size', '2', '--limit', '1'], fromFile.io)).toBe(0);
    expect(JSON.parse(fromFile.out.join(''))).toMatchObject({ streamId: 'cli/t1', data: 2 });
    expect(fromFile.err.join('')).toMatch(/^more: --cursor \S+\n$/);
    const refused = io();
    expect(await main(['history', String(id), '--schema', '{{lookup this "x"}}'], refused.io)).toBe(1);
    expect(refused.err.join('')).toMatch(/^devicecloud-monitor: error: .*400/);
    for (const argv of [['--schema', ' '], ['--schema', 'x', '--follow'], ['--schema', 'x', '--schema-file', 'f'], ['--schema-file', join(dir, 'missing.hbs')]]) {
      expect(await main(['history', String(id), ...argv], io().io), argv.join(' ')).toBe(2);
    }
  });

  it('usage errors exit 2 without secrets; server errors exit 1', async () => {
    const u = io();
    expect(await main([], u.io)).toBe(2);
    expect(await main(['nope'], u.io)).toBe(2);
    expect(await main(['create'], u.io)).toBe(2);
    expect(await main(['create', '--topics', 'DataPoint', '--compression', 'lzma'], u.io)).toBe(2);
    expect(await main(['delete', 'x'], u.io)).toBe(2);
    expect(await main(['list', '--bogus'], u.io)).toBe(2);
    const noCreds = io({ DC_USERNAME: undefined });
    expect(await main(['list'], noCreds.io)).toBe(78);
    expect(noCreds.err.join('')).toBe('devicecloud-monitor: error: set DC_USERNAME and DC_PASSWORD\n');
    expect(noCreds.err.join('')).toContain('DC_USERNAME');
    const bad = io({ DC_PASSWORD: 'wrong-secret' });
    expect(await main(['list'], bad.io)).toBe(1);
    expect(bad.err.join('')).toContain('401');
    expect(bad.err.join('')).not.toContain('wrong-secret');
    const h = io();
    expect(await main(['--help'], h.io)).toBe(0);
    for (const command of ['simulate', 'create', 'list', 'delete', 'listen', 'push-client', 'history', 'inventory']) expect(h.out.join('')).toContain(command);
    const v = io();
    expect(await main(['--version'], v.io)).toBe(0);
    expect(v.out.join('')).toMatch(/^devicecloud-monitor \d+\.\d+\.\d+\n$|^\d+\.\d+\.\d+\n$/);
  });
});
