// `thinq mon --words` against a simulator over TLS: `--ca` makes the v1 client trust it, and the
// lang packs are loaded with the same settings (before, they were fetched without the CA, failed
// and were skipped, so the built-in words showed instead of the device's own).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testCertificate } from '@x/http-core/testing';
import { run } from '@x/http-core/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redirectOver } from '../https-redirect.test-helper.js';
import { startThinqSimulator, type ThinqSimulator } from '../testing/simulator.js';
import { V1Client } from '../v1/client.js';
import { thinqProgram } from './program.js';

describe('thinq mon --words over TLS', () => {
  const ca = testCertificate().ca;
  let sim: ThinqSimulator;
  let dir: string;
  beforeAll(async () => {
    sim = await startThinqSimulator({ mqtt: false, tls: true });
    dir = await mkdtemp(join(tmpdir(), 'thinq-tls-'));
  });
  afterAll(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("loads the device's lang packs with the v1 client's CA", async () => {
    const state = join(dir, 'state.json');
    const caFile = join(dir, 'ca.pem');
    await writeFile(caFile, ca);
    const client = new V1Client({ gatewayUrl: sim.gatewayUrl, tls: { ca } });
    try {
      await client.completeLogin(await redirectOver(await client.loginUrl(), ca));
      await writeFile(state, JSON.stringify(client.dump()));
    } finally {
      await client.close();
    }
    let out = '';
    let err = '';
    const argv = ['mon', 'sim-washer-0001', '--count', '1', '--words', '--state', state, '--gateway-url', sim.gatewayUrl, '--interval', '1', '--ca', caFile];
    const code = await run(thinqProgram({ readLine: () => Promise.resolve(undefined) }), { argv, env: {}, stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) } });
    expect({ code, err }).toEqual({ code: 0, err: '' });
    const line = JSON.parse(out) as { display: { label: string; value: string }[] };
    // 'Rinsing now' and 'Spin: high' are the washer's lang pack words (the built-in ones differ)
    expect(line.display[0]).toEqual({ label: 'Status', value: 'Rinsing now' });
    expect(line.display).toContainEqual({ label: 'Spin speed', value: 'Spin: high' });
  });

  it('an unreadable CA file is a configuration error', async () => {
    let err = '';
    const argv = ['mon', 'sim-washer-0001', '--state', join(dir, 'none.json'), '--ca', join(dir, 'missing.pem')];
    const code = await run(thinqProgram({ readLine: () => Promise.resolve(undefined) }), { argv, env: {}, stdout: { write: () => undefined }, stderr: { write: (t: string) => (err += t) } });
    expect(code).toBe(78);
    expect(err).toMatch(/^thinq: error: cannot read CA file .*missing\.pem: ENOENT/);
  });
});
