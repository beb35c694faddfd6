import { afterEach, describe, expect, it } from 'vitest';
import { VALUE_GUID } from '../value-guid.js';
import { ComapSimulator, FaultInjector, createJumpClock, startComapSimulator, type ComapSimulatorOptions } from './index.js';
import { RollingWindow } from './window.js';

// Raw HTTP against the simulator (global fetch), to pin its wire behaviour independently of the client.
const open: ComapSimulator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function sim(options: ComapSimulatorOptions = {}): Promise<ComapSimulator> {
  const s = await startComapSimulator({ units: 2, rateLimit: false, ...options });
  open.push(s);
  return s;
}

async function token(s: ComapSimulator): Promise<string> {
  const res = await fetch(`${s.url}/identity/application/authenticate`, {
    method: 'POST',
    headers: { 'Comap-Key': s.key, 'Content-Type': 'application/json' },
    body: JSON.stringify({ clientId: s.clientId, secret: s.secret }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

async function get(s: ComapSimulator, path: string, tok?: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: unknown }> {
  const res = await fetch(`${s.url}/v1.1/${s.loginId}/${path}`, { headers: { 'Comap-Key': s.key, ...(tok ? { Authorization: `Bearer ${tok}` } : {}), ...headers } });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // raw
  }
  return { status: res.status, headers: res.headers, body };
}

describe('simulator: gateway and identity', () => {
  it('requires Comap-Key (header or comap-key query) with the APIM 401 bodies', async () => {
    const s = await sim();
    const noKey = await fetch(`${s.url}/v1.1/${s.loginId}/units`);
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toEqual({ statusCode: 401, message: 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.' });
    const badKey = await get(s, 'units', undefined, { 'Comap-Key': 'nope' });
    expect(badKey.body).toEqual({ statusCode: 401, message: 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.' });
    const tok = await token(s);
    const viaQuery = await fetch(`${s.url}/v1.1/${s.loginId}/units?comap-key=${s.key}`, { headers: { Authorization: `Bearer ${tok}` } });
    expect(viaQuery.status).toBe(200);
    expect(s.requests.at(-1)?.hasKey).toBe(true);
    expect(s.requests.at(-1)?.url).toBe(`/v1.1/${s.loginId}/units?comap-key=[REDACTED]`);
    expect(s.requests.at(-1)?.query).toEqual({ 'comap-key': '[REDACTED]' });
    expect(JSON.stringify(s.requests)).not.toContain(s.key);
  });

  it('issues tokens for the right credentials only, at most 5 per 5 minutes per client id (refused attempts count)', async () => {
    const s = await sim();
    const bad = await fetch(`${s.url}/identity/application/authenticate`, { method: 'POST', headers: { 'Comap-Key': s.key, 'Content-Type': 'application/json' }, body: JSON.stringify({ clientId: s.clientId, secret: 'y' }) });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ errorMessage: 'Unable to perform requested operation' });
    const garbage = await fetch(`${s.url}/identity/application/authenticate`, { method: 'POST', headers: { 'Comap-Key': s.key }, body: 'x' });
    expect(garbage.status).toBe(400);
    for (let i = 0; i < 4; i++) await token(s);
    const limited = await fetch(`${s.url}/identity/application/authenticate`, { method: 'POST', headers: { 'Comap-Key': s.key }, body: JSON.stringify({ clientId: s.clientId, secret: s.secret }) });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(290);
    expect(s.stats.tokenRequests).toBe(7);
    expect(s.stats.tokensIssued).toBe(4);
    const wrongMethod = await fetch(`${s.url}/identity/application/authenticate`, { headers: { 'Comap-Key': s.key } });
    expect(wrongMethod.status).toBe(404);
  });

  it('checks the bearer token: missing, unknown, expired; and the login in the path', async () => {
    const clock = createJumpClock();
    const s = await sim({ now: clock.now, tokenLifetimeInSeconds: 60 });
    expect((await get(s, 'units')).body).toEqual({ statusCode: 401, message: 'Unauthorized. Access token is missing or invalid.' });
    expect((await get(s, 'units', 'made-up')).status).toBe(401);
    const tok = await token(s);
    expect((await get(s, 'units', tok)).status).toBe(200);
    clock.advance(60_000);
    expect((await get(s, 'units', tok)).body).toEqual({ statusCode: 401, message: 'Unauthorized. Access token has expired.' });
    const t2 = await token(s);
    const other = await fetch(`${s.url}/v1.1/someone.else/units`, { headers: { 'Comap-Key': s.key, Authorization: `Bearer ${t2}` } });
    expect(other.status).toBe(403);
  });
});

describe('simulator: WSV endpoints', () => {
  it('rate limit: 429 with Retry-After, X-RateLimit-Limit/Remaining and the documented message; off → no headers', async () => {
    const s = await sim({ rateLimit: { limit: 2, windowInMs: 1500, flat: false } });
    const tok = await token(s);
    const a = await get(s, 'units', tok);
    expect([a.headers.get('x-ratelimit-limit'), a.headers.get('x-ratelimit-remaining')]).toEqual(['2', '1']);
    const b = await get(s, 'units', tok);
    expect(b.headers.get('x-ratelimit-remaining')).toBe('0');
    const c = await get(s, 'units', tok);
    expect(c.status).toBe(429);
    expect(c.headers.get('retry-after')).toBe('2');
    expect(c.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(c.body).toEqual({ statusCode: 429, message: 'Rate limit exceeded. Retry after 2 second/s.' });
    expect(s.stats.rateLimited).toBe(1);
    s.setRateLimit(false);
    const d = await get(s, 'units', tok);
    expect(d.status).toBe(200);
    expect(d.headers.get('x-ratelimit-limit')).toBeNull();
  });

  it('default rate limit is flat: a second request within the same second is a 429 though 60 per 60 s has room; flat: false allows a burst', async () => {
    let now = Date.UTC(2024, 5, 1, 12);
    const s = await sim({ rateLimit: undefined, now: () => now });
    const tok = await token(s);
    const a = await get(s, 'units', tok);
    expect([a.status, a.headers.get('x-ratelimit-limit'), a.headers.get('x-ratelimit-remaining')]).toEqual([200, '60', '59']);
    const b = await get(s, 'units', tok);
    expect([b.status, b.headers.get('retry-after'), b.headers.get('x-ratelimit-remaining')]).toEqual([429, '1', '59']);
    expect(b.body).toEqual({ statusCode: 429, message: 'Rate limit exceeded. Retry after 1 second/s.' });
    now += 999;
    expect((await get(s, 'units', tok)).status).toBe(429);
    now += 1;
    const c = await get(s, 'units', tok);
    expect([c.status, c.headers.get('x-ratelimit-remaining')]).toEqual([200, '58']);
    expect(s.stats.rateLimited).toBe(2);

    s.setRateLimit({ limit: 3, flat: false });
    const burst = [];
    for (let i = 0; i < 4; i++) burst.push(await get(s, 'units', tok));
    expect(burst.map((r) => [r.status, r.headers.get('x-ratelimit-remaining')])).toEqual([
      [200, '2'],
      [200, '1'],
      [200, '0'],
      [429, '0'],
    ]);
    expect(burst[3]?.headers.get('retry-after')).toBe('60');
    expect(() => s.setRateLimit({ flat: 'yes' as never })).toThrow(new TypeError('rateLimit.flat must be a boolean'));
  });

  it('400 for an unknown unit; 404 for unknown paths and methods', async () => {
    const s = await sim();
    const tok = await token(s);
    expect(await get(s, `units/genset${'f'.repeat(32)}/values`, tok)).toMatchObject({ status: 400, body: { errorMessage: 'Incorrect unitGuid.' } });
    expect((await get(s, 'nothing', tok)).status).toBe(404);
    expect((await get(s, `units/${s.units[0]!.unitGuid}/command`, tok)).status).toBe(404);
    expect((await fetch(`${s.url}/v2/x`)).status).toBe(404);
  });

  it('values: a space after a comma silently drops the value (the live quirk)', async () => {
    const s = await sim();
    const tok = await token(s);
    const u = s.units[0]!.unitGuid;
    const spaced = await get(s, `units/${u}/values?valueGuids=${encodeURIComponent(`${VALUE_GUID.mode}, ${VALUE_GUID.engine_state}`)}`, tok);
    expect((spaced.body as { values: { name: string }[] }).values.map((v) => v.name)).toEqual(['ControllerMode']);
    const joined = await get(s, `units/${u}/values?valueGuids=${VALUE_GUID.mode.toUpperCase()},${VALUE_GUID.engine_state}`, tok);
    expect((joined.body as { values: { name: string; timeStamp: string }[] }).values.map((v) => v.name)).toEqual(['ControllerMode', 'Engine state']);
    expect((joined.body as { values: { timeStamp: string }[] }).values[0]?.timeStamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}\+00:00$/);
  });

  it('history: the 31-day window, date checks, paging by nextOffset', async () => {
    const s = await sim({ historyPageSize: 10, now: () => Date.UTC(2024, 5, 1) });
    const tok = await token(s);
    const u = s.units[0]!.unitGuid;
    const h = (q: string) => get(s, `units/${u}/history?${q}`, tok);
    expect(await h('from=01/01/2024&to=02/01/2024')).toMatchObject({ status: 400, body: { errorMessage: 'The requested period exceeds the 31 day history retrieval window.' } });
    expect((await h('from=01/01/2024&to=01/31/2024')).status).toBe(200);
    expect(await h('from=2024-01-01&to=01/31/2024')).toMatchObject({ status: 400, body: { errorMessage: 'Invalid date format. Use MM/DD/YYYY.' } });
    expect(await h('from=01/05/2024&to=01/04/2024')).toMatchObject({ status: 400, body: { errorMessage: 'The requested period is invalid.' } });
    expect((await h('from=01/01/2024&to=01/02/2024&offset=-3')).status).toBe(400);
    let offset: number | null = 0;
    let total = 0;
    const seen: number[] = [];
    while (offset !== null) {
      const page = (await h(`from=01/01/2024&to=01/31/2024&offset=${offset}`)).body as { nextOffset: number | null; values: { history: unknown[] }[] };
      const n = page.values.reduce((m, v) => m + v.history.length, 0);
      seen.push(n);
      total += n;
      offset = page.nextOffset;
      if (offset !== null) expect(n).toBe(10);
    }
    expect(seen.length).toBe(Math.ceil(total / 10));
    const dflt = (await get(s, `units/${u}/history`, tok)).body as { values: unknown[] };
    expect(dflt.values.length).toBeGreaterThan(0);
  });

  it('download: singular /unit/ path, percent-encoded names, 404 for a missing file', async () => {
    const s = await sim();
    const tok = await token(s);
    const unit = s.units[0]!;
    const file = unit.files[0]!;
    expect(file.fileName).toContain(' ');
    const ok = await get(s, `unit/${unit.unitGuid}/download/${encodeURIComponent(file.fileName)}`, tok);
    expect(ok.status).toBe(200);
    expect(ok.body).toBe(file.content.toString('utf8'));
    expect(ok.headers.get('content-length')).toBe(String(file.content.length));
    const report = unit.files.find((f) => f.fileName.includes('#'))!;
    expect((await get(s, `unit/${unit.unitGuid}/download/${encodeURIComponent(report.fileName)}`, tok)).status).toBe(200);
    expect(await get(s, `unit/${unit.unitGuid}/download/missing.csv`, tok)).toMatchObject({ status: 404, body: { errorMessage: 'File not found.' } });
    expect((await get(s, `units/${unit.unitGuid}/download/${encodeURIComponent(file.fileName)}`, tok)).status).toBe(404);
  });

  it('faults: a drop closes the socket, a delay holds the answer, statuses answer instead', async () => {
    const s = await sim();
    const tok = await token(s);
    s.faults.drop(1, '/units');
    await expect(get(s, 'units', tok)).rejects.toThrow();
    expect(s.requests.at(-1)).toMatchObject({ path: `/v1.1/${s.loginId}/units`, status: -1 });
    s.faults.delay(1, 150, '/units');
    const t0 = Date.now();
    expect((await get(s, 'units', tok)).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    s.faults.fail(1, 500);
    expect(await get(s, 'units', tok)).toMatchObject({ status: 500, body: { statusCode: 500, message: 'Internal server error' } });
    s.faults.throttle(1, 3);
    const t = await get(s, 'units', tok);
    expect([t.status, t.headers.get('retry-after')]).toEqual([429, '3']);
    s.faults.fail(3).clear();
    expect(s.faults.pending).toBe(0);
    expect(() => s.faults.drop(1, '')).toThrow(new TypeError('match must be a non-empty part of the URL path'));
  });
});

describe('simulator: control API', () => {
  const control = (s: ComapSimulator, path: string, init: RequestInit = {}): Promise<Response> => fetch(`${s.controlUrl}${path}`, init);

  it('lists what it supports and prints the simulate line with its URL', async () => {
    const s = await sim({ key: 'k', clientId: 'c', secret: 's', loginId: 'L' });
    expect(await (await control(s, '')).json()).toEqual({
      name: 'comap',
      endpoints: ['GET /control', 'GET /control/faults', 'POST /control/faults', 'DELETE /control/faults', 'POST /control/tokens/revoke', 'POST /control/push', 'GET /control/received', 'DELETE /control/received'],
    });
    expect(s.line()).toBe(`${JSON.stringify({ url: s.url, key: 'k', clientId: 'c', secret: 's', loginId: 'L', control: `${s.url}/control` })}\n`);
    // Push raises or clears an alarm (alarms.test.ts); a body without unitGuid and alarm is refused.
    expect((await control(s, '/push', { method: 'POST', body: '{}' })).status).toBe(400);
  });

  it('a 503 burst with Retry-After in ComAp\'s shape; the shortcuts and the API share one plan', async () => {
    const s = await sim();
    const tok = await token(s);
    const added = await control(s, '/faults', { method: 'POST', body: JSON.stringify({ kind: 'status', status: 503, retryAfterSeconds: 2, path: '/v1.1/*/units', count: 2 }) });
    expect(added.status).toBe(201);
    s.faults.drop(1, '/info');
    expect(((await (await control(s, '/faults')).json()) as { faults: unknown[] }).faults).toEqual([
      { id: 1, kind: 'status', path: '/v1.1/*/units', method: '*', remaining: 2, status: 503, retryAfterSeconds: 2 },
      { id: 2, kind: 'drop', path: '*/info*', method: '*', remaining: 1 },
    ]);
    const first = await get(s, 'units', tok);
    expect([first.status, first.headers.get('retry-after'), first.body]).toEqual([503, '2', { statusCode: 503, message: 'Service Unavailable' }]);
    expect(s.faults.pending).toBe(2);
    expect(await (await control(s, '/faults', { method: 'DELETE' })).json()).toEqual({ cleared: 2 });
    expect((await get(s, 'units', tok)).status).toBe(200);
    await control(s, '/faults', { method: 'POST', body: JSON.stringify({ kind: 'status', status: 429, body: { statusCode: 429, message: 'Out of call volume quota.' } }) });
    expect(await get(s, 'units', tok)).toMatchObject({ status: 429, body: { statusCode: 429, message: 'Out of call volume quota.' } });
    expect(s.stats.rateLimited).toBe(1);
  });

  it('a stall holds the answer; revoking tokens makes the next call a 401', async () => {
    const s = await sim();
    const tok = await token(s);
    await control(s, '/faults', { method: 'POST', body: JSON.stringify({ kind: 'stall', stallInMs: 150, path: '*/units' }) });
    const t0 = Date.now();
    expect((await get(s, 'units', tok)).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    expect(await (await control(s, '/tokens/revoke', { method: 'POST', body: JSON.stringify({ token: 'not-issued' }) })).json()).toEqual({ revoked: 0 });
    expect(await (await control(s, '/tokens/revoke', { method: 'POST', body: '{}' })).json()).toEqual({ revoked: 1 });
    expect(await get(s, 'units', tok)).toMatchObject({ status: 401, body: { statusCode: 401, message: 'Unauthorized. Access token is missing or invalid.' } });
    const tok2 = await token(s);
    expect(s.revokeTokens(tok2)).toBe(1);
    expect(s.revokeTokens(tok2)).toBe(0);
  });

  it('received: the request log (no key, no secret), paged and cleared', async () => {
    const s = await sim();
    await token(s);
    const received = (await (await control(s, '/received?since=0&limit=5')).json()) as { total: number; records: Record<string, unknown>[] };
    expect(received.total).toBe(1);
    expect(received.records[0]).toMatchObject({ method: 'POST', path: '/identity/application/authenticate', hasKey: true, body: { clientId: s.clientId, secret: '[REDACTED]' }, status: 200 });
    expect(JSON.stringify(received)).not.toContain(s.secret);
    expect(JSON.stringify(received)).not.toContain(s.key);
    expect(await (await control(s, '/received', { method: 'DELETE' })).json()).toEqual({ cleared: true });
    expect(s.requests).toEqual([]);
  });
});

describe('simulator: options and helpers', () => {
  it('a unit taken off the air: comm_state Lost and timestamps frozen until it comes back; bad arguments throw', async () => {
    let now = Date.UTC(2026, 0, 5, 8);
    const s = await sim({ now: () => now });
    const tok = await token(s);
    const guid = s.fleet.units[1]!.unitGuid;
    const read = async () => {
      const body = (await get(s, `units/${guid}/values?valueGuids=${VALUE_GUID.comm_state}`, tok)).body as { values: { value: unknown; timeStamp: string }[] };
      return [body.values[0]!.value, body.values[0]!.timeStamp.slice(0, 19)];
    };
    s.setOnline(guid, false);
    now += 600_000;
    expect(await read()).toEqual(['Lost', '2026-01-05T08:00:00']);
    s.setOnline(guid, true);
    expect(await read()).toEqual(['OK', '2026-01-05T08:10:00']);
    expect(() => s.setOnline('genset0', false)).toThrow(new RangeError('no unit genset0'));
    expect(() => s.setOnline(guid, 'no' as never)).toThrow(new TypeError('online must be a boolean'));
  });

  it('validates options', async () => {
    expect(() => new ComapSimulator({ units: -1 })).toThrow(RangeError);
    expect(() => new ComapSimulator({ historyPageSize: 0 })).toThrow(RangeError);
    expect(() => new ComapSimulator({ tokenLifetimeInSeconds: 0 })).toThrow(RangeError);
    expect(() => new ComapSimulator({ rateLimit: { limit: 0 } })).toThrow(RangeError);
    expect(() => new FaultInjector().fail(0)).toThrow(new RangeError('times must be an integer from 1 to 1000000, got 0'));
    expect(() => new FaultInjector().drop(1_000_001)).toThrow(new RangeError('times must be an integer from 1 to 1000000, got 1000001'));
    expect(() => new FaultInjector().fail(1, 200)).toThrow(RangeError);
    expect(() => new FaultInjector().throttle(1, -1)).toThrow(RangeError);
    expect(() => new FaultInjector().delay(1, -1)).toThrow(RangeError);
    expect(() => new RollingWindow(1, 0)).toThrow(RangeError);
    const s = await sim({ units: 0, key: 'k', clientId: 'c', secret: 's', loginId: 'L' });
    expect(s.credentials()).toEqual({ url: s.url, key: 'k', clientId: 'c', secret: 's', loginId: 'L' });
    await expect(s.listen()).rejects.toThrow('the simulator is already listening');
    await s.close();
    await s.close();
  });
  it('the same seed gives the same fleet; credentials are fresh', () => {
    const a = new ComapSimulator({ units: 3, seed: 9 });
    const b = new ComapSimulator({ units: 3, seed: 9 });
    expect(a.units.map((u) => [u.unitGuid, u.name])).toEqual(b.units.map((u) => [u.unitGuid, u.name]));
    expect(a.units[0]?.unitGuid).toMatch(/^genset[0-9a-f]{32}$/);
    expect(a.key).not.toBe(b.key);
  });
  it('a rolling window frees room as hits age out', () => {
    const w = new RollingWindow(2, 100);
    expect(w.hit(0)).toEqual({ allowed: true, remaining: 1 });
    expect(w.hit(10)).toEqual({ allowed: true, remaining: 0 });
    expect(w.hit(50)).toEqual({ allowed: false, retryAfterInMs: 50 });
    expect(w.remaining(100)).toBe(1);
    expect(w.hit(100)).toEqual({ allowed: true, remaining: 0 });
  });
  it('jump clock', () => {
    const c = createJumpClock(1000);
    expect(c.now()).toBeGreaterThanOrEqual(1000);
    c.advance(5000);
    expect(c.now()).toBeGreaterThanOrEqual(6000);
    expect(() => c.advance(-1)).toThrow(RangeError);
    expect(() => createJumpClock(Number.NaN)).toThrow(TypeError);
    const h = c.setTimeout(() => undefined, 10);
    c.clearTimeout(h);
  });
});
