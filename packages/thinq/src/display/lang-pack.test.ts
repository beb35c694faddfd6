import { consoleLogger } from '@x/http-core';
import { createRouter, sendJson, startTestServer, testCertificate } from '@x/http-core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureJson } from '../fixtures.test-helper.js';
import { startThinqSimulator, type ThinqSimulator } from '../testing/simulator.js';
import { V1Client } from '../v1/client.js';
import { displayLabel, displayValue } from './display.js';
import { decodeLangPackText, LangPackLoader, langPackUris, parseLangPack } from './lang-pack.js';

describe('lang packs', () => {
  let sim: ThinqSimulator;
  beforeAll(async () => {
    sim = await startThinqSimulator({ mqtt: false });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('loads a v1 device’s packs from the simulator: model over product type over common, the built-in words after them', async () => {
    const client = new V1Client({ gatewayUrl: sim.gatewayUrl });
    const loader = new LangPackLoader();
    try {
      const callback = (await fetch(await client.loginUrl(), { redirect: 'manual' })).headers.get('location') ?? '';
      const [washer, fridge] = await client.completeLogin(callback);
      if (washer === undefined || fridge === undefined) throw new Error('simulator devices missing');
      const { langPackCommonUri } = await client.gateway();
      const words = await loader.load(langPackUris(washer, langPackCommonUri));
      expect(displayLabel('@WM_STATE_RUNNING_W', { words })).toBe('Washing (SIMWASH)');
      expect(displayLabel('@WM_STATE_END_W', { words })).toBe('All done');
      expect(displayLabel('@CP_ON_EN_W', { words })).toBe('Enabled');
      expect(displayLabel('@CP_OFF_EN_W', { words })).toBe('Disabled');
      expect(displayValue('@WM_STATE_PAUSE_W', { words })).toBe('Paused');
      // The fridge has no pack of its own: only the common one applies.
      expect(langPackUris(fridge, langPackCommonUri)).toEqual({ common: langPackCommonUri });
    } finally {
      await loader.close();
      await client.close();
    }
  });

  it('reads the links of v1 and v2 device records and ignores placeholders', () => {
    const ac = fixtureJson('homebridge/airconditioner.json') as object;
    const uris = langPackUris(ac);
    expect(uris.model).toBeUndefined();
    expect(uris.productType).toMatch(/^https:\/\/objectcontent\.lgthinq\.com\/809e8ff0-5127-4988-8642-0a5245ef0dc7\?hdnts=/);
    expect(langPackUris(fixtureJson('homebridge/washer_dryer.json') as object, 'xxxx')).toEqual({});
    expect(langPackUris({ langPackModelUrl: 'http://h/m', langPackProductTypeUrl: 'http://h/p' }, 'http://h/c')).toEqual({ model: 'http://h/m', productType: 'http://h/p', common: 'http://h/c' });
    expect(() => langPackUris(null as unknown as object)).toThrow(new TypeError('device must be a device record'));
    expect(() => langPackUris({}, 1 as unknown as string)).toThrow(new TypeError('common must be a string'));
  });

  it('parses packs and decodes their text whatever the encoding', () => {
    expect(parseLangPack({ pack: { '@A_W': 'A', '@B_W': 2, '@C_W': ' ' }, version: '1' })).toEqual({ '@A_W': 'A' });
    expect(() => parseLangPack({ version: '1' })).toThrow('lang pack has no `pack` object');
    const json = '{"pack":{"@X_W":"Kühlen"}}';
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(json, 'utf16le')]);
    expect(decodeLangPackText(utf16)).toBe(json);
    expect(decodeLangPackText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)]))).toBe(json);
    expect(decodeLangPackText(Buffer.from(json, 'latin1'))).toBe(json);
  });

  it('caches each pack per URL, skips packs that fail (logged without the link’s token), and rejects only on abort', async () => {
    const hits: string[] = [];
    const router = createRouter()
      .get('/ok', (_req, res) => {
        hits.push('ok');
        sendJson(res, 200, { pack: { '@CP_ON_EN_W': 'An' } });
      })
      .get('/expired', (_req, res) => {
        hits.push('expired');
        sendJson(res, 403, { error: 'expired link' });
      })
      .get('/garbage', (_req, res) => {
        hits.push('garbage');
        res.end('<html>');
      });
    const srv = await startTestServer(router.handler);
    const warnings: string[] = [];
    const sink = { debug: () => undefined, info: () => undefined, warn: (m: string) => warnings.push(m), error: (m: string) => warnings.push(m) };
    const loader = new LangPackLoader({ logger: consoleLogger('warn', sink), retry: false });
    try {
      const uris = { model: `${srv.url}/expired?hdnts=exp=1~hmac=SECRETHMAC`, productType: `${srv.url}/ok`, common: `${srv.url}/garbage` };
      expect(await loader.load(uris)).toEqual({ '@CP_ON_EN_W': 'An' });
      expect(await loader.load(uris)).toEqual({ '@CP_ON_EN_W': 'An' });
      expect(hits.sort()).toEqual(['expired', 'expired', 'garbage', 'garbage', 'ok']);
      expect(warnings).toHaveLength(4);
      expect(warnings.join('\n')).toContain('lang pack skipped');
      expect(warnings.join('\n')).not.toContain('SECRETHMAC');
      await expect(loader.pack(`${srv.url}/expired`)).rejects.toMatchObject({ status: 403 });
      await expect(loader.load({ model: `${srv.url}/expired` }, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
      await expect(loader.pack('ftp://x')).rejects.toThrow(new TypeError('url must be an http(s) URL'));
      await expect(loader.load(null as unknown as object)).rejects.toThrow(new TypeError('uris must be an object of lang-pack URLs'));
      expect(() => new LangPackLoader({ maxCached: 0 })).toThrow(new RangeError('LangPackLoader options.maxCached must be a positive integer'));
    } finally {
      await loader.close();
      await srv.close();
    }
  });

  it('keeps at most maxCached packs, dropping the least recently used', async () => {
    let hits = 0;
    const router = createRouter().get('/p/:n', (_req, res, params) => {
      hits += 1;
      sendJson(res, 200, { pack: { [`@P${params.n ?? ''}_W`]: `p${params.n ?? ''}` } });
    });
    const srv = await startTestServer(router.handler);
    const loader = new LangPackLoader({ maxCached: 2 });
    try {
      await loader.pack(`${srv.url}/p/1`);
      await loader.pack(`${srv.url}/p/2`);
      await loader.pack(`${srv.url}/p/1`);
      await loader.pack(`${srv.url}/p/3`);
      expect(hits).toBe(3);
      await loader.pack(`${srv.url}/p/1`);
      expect(hits).toBe(3);
      await loader.pack(`${srv.url}/p/2`);
      expect(hits).toBe(4);
    } finally {
      await loader.close();
      await srv.close();
    }
  });
});

describe('LangPackLoader: one request per uncached pack', () => {
  it('concurrent loads of one URL share one request; a caller that aborts stops only its own wait; a failure is not kept', async () => {
    let hits = 0;
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let status = 200;
    const router = createRouter().get('/pack', async (_req, res) => {
      hits += 1;
      await held;
      sendJson(res, status, { pack: { '@CP_ON_EN_W': 'An' } });
    });
    const srv = await startTestServer(router.handler);
    const loader = new LangPackLoader({ retry: false });
    try {
      const url = `${srv.url}/pack`;
      const quitting = new AbortController();
      const first = loader.pack(url);
      const second = loader.load({ common: url });
      const third = loader.pack(url, { signal: quitting.signal });
      await expect.poll(() => hits).toBe(1);
      quitting.abort();
      await expect(third).rejects.toMatchObject({ name: 'AbortError' });
      release();
      expect(await first).toEqual({ '@CP_ON_EN_W': 'An' });
      expect(await second).toEqual({ '@CP_ON_EN_W': 'An' });
      expect(hits).toBe(1);
      // cached now: no request at all
      expect(await loader.pack(url)).toEqual({ '@CP_ON_EN_W': 'An' });
      expect(hits).toBe(1);
      status = 503;
      const failing = `${srv.url}/pack?other=1`;
      const both = await Promise.allSettled([loader.pack(failing), loader.pack(failing)]);
      expect(both.map((r) => (r.status === 'rejected' ? (r.reason as { status?: number }).status : r.status))).toEqual([503, 503]);
      expect(hits).toBe(2);
      await expect(loader.pack(failing)).rejects.toMatchObject({ status: 503 });
      expect(hits).toBe(3);
    } finally {
      await loader.close();
      await srv.close();
    }
  });

  it("fetches over TLS with a v1 client's settings (the simulator's CA)", async () => {
    const sim = await startThinqSimulator({ mqtt: false, tls: true });
    const client = new V1Client({ gatewayUrl: sim.gatewayUrl, tls: { ca: testCertificate().ca } });
    const loader = new LangPackLoader(client.httpSettings);
    const bare = new LangPackLoader({ retry: false });
    try {
      const { langPackCommonUri } = await client.gateway();
      if (langPackCommonUri === undefined) throw new Error('the simulator names no common pack');
      expect(langPackCommonUri).toMatch(/^https:/);
      expect(await loader.pack(langPackCommonUri)).toEqual({ '@CP_OFF_EN_W': 'Disabled', '@CP_ON_EN_W': 'Switched on' });
      // without the CA the simulator's certificate is not trusted
      await expect(bare.pack(langPackCommonUri)).rejects.toThrow();
    } finally {
      await bare.close();
      await loader.close();
      await client.close();
      await sim.close();
    }
  });
});
