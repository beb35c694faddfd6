// The canary test: one secret value goes in through every path a secret can take (auth
// providers, headers, query strings, JSON and form bodies, server echoes in bodies, headers and
// error texts) and everything the package prints or throws is searched for it.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { basicAuth, bearerAuth, staticHeaders, type AuthProvider } from './auth.js';
import { createHttpClient, type HttpClient } from './client.js';
import { DIAGNOSTICS_CHANNELS } from './diagnostics.js';
import { isXError } from './errors.js';
import { consoleLogger } from './logger.js';
import { readBody, startTestServer, type TestServer } from './testing/index.js';
import { lineSink, refusedPort } from './test-support.js';

const CANARY = 'Canary-7f3a9c21-s3cr3t';
const servers: TestServer[] = [];
const clients: HttpClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Every spelling in which the canary could leak. */
const spellings = [CANARY, encodeURIComponent(CANARY), Buffer.from(CANARY).toString('base64'), CANARY.slice(0, 12)];
function expectClean(what: string, text: string): void {
  for (const s of spellings) {
    if (text.includes(s)) throw new Error(`canary leaked through ${what}: ${text.slice(Math.max(0, text.indexOf(s) - 80), text.indexOf(s) + 80)}`);
  }
}
function everythingAbout(error: unknown): Record<string, string> {
  const e = error as Error & { request?: unknown; response?: unknown };
  return {
    message: e.message,
    stack: e.stack ?? '',
    string: String(e),
    json: JSON.stringify(e),
    inspect: inspect(e, { depth: 10 }),
    inspectHidden: inspect(e, { depth: 10, showHidden: true }),
    request: JSON.stringify(e.request ?? null),
    response: JSON.stringify(e.response ?? null),
    cause: inspect(e.cause, { depth: 10 }),
  };
}

async function echoServer(): Promise<TestServer> {
  // Answers every request with the canary echoed in the body, headers and Location, in the status the path asks for.
  const srv = await startTestServer(async (req, res) => {
    const body = await readBody(req);
    const status = Number(/\/status\/(\d+)/.exec(req.url ?? '')?.[1] ?? 200);
    const echo = {
      message: `bad credentials ${CANARY}`,
      access_token: 'other-server-token-value',
      got: { url: req.url, authorization: req.headers.authorization, key: req.headers['x-api-key'], body },
    };
    if (req.url?.startsWith('/malformed')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"token": "${CANARY}", "broken": `);
      return;
    }
    if (req.url?.startsWith('/text')) {
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(`error: token=${CANARY}; auth header was ${req.headers.authorization ?? ''} and ${CANARY}`);
      return;
    }
    res.writeHead(status, {
      'content-type': 'application/json',
      'set-cookie': `session=${CANARY}; HttpOnly`,
      'x-echo': CANARY,
      location: `https://elsewhere.example/cb?token=${CANARY}&ok=1`,
      'www-authenticate': `Bearer realm="${CANARY}"`,
    });
    res.end(JSON.stringify(echo));
  });
  servers.push(srv);
  return srv;
}

describe('canary: a secret never shows up in anything the package prints or throws', () => {
  it('through auth providers, headers, query strings, bodies, errors, JSON, inspect and log lines', async () => {
    const srv = await echoServer();
    const { lines, sink } = lineSink();
    const diag: unknown[] = [];
    const onDiag = (message: unknown): void => {
      diag.push(message);
    };
    for (const name of Object.values(DIAGNOSTICS_CHANNELS)) subscribe(name, onDiag);

    const providers: AuthProvider[] = [
      bearerAuth(() => Promise.resolve({ token: CANARY })),
      basicAuth('user', CANARY),
      staticHeaders({ 'X-Api-Key': CANARY }),
    ];
    const failures: unknown[] = [];
    const responses: unknown[] = [];
    const refused = await refusedPort();
    try {
      for (const auth of providers) {
        const http = createHttpClient({
          baseUrl: srv.url,
          auth,
          logger: consoleLogger('debug', sink),
          retry: { maxAttempts: 2, baseDelayInMs: 1 },
          redact: { queryParams: ['unit'], headers: ['x-custom-secret'], bodyKeys: ['pin'] },
        });
        clients.push(http);
        const calls: Promise<unknown>[] = [
          // secrets in the query (well-known and configured names), a header and the JSON body
          http.request({ path: '/status/400', query: { api_key: CANARY, unit: CANARY, plain: 'x' }, headers: { 'x-custom-secret': CANARY }, json: { password: CANARY, nested: { pin: CANARY } } }),
          http.request({ method: 'POST', path: '/status/503', form: { client_secret: CANARY, grant_type: 'client_credentials' } }),
          http.request({ path: '/status/500', query: { token: CANARY } }), // retried, then fails
          http.request({ path: '/text/status/502', retry: false }),
          http.request({ path: '/malformed', query: { access_token: CANARY } }),
          http.request({ path: '/status/404', parseVendorError: (body) => ({ code: 'E', message: (body as { message: string }).message }) }),
          http.request({ path: `http://127.0.0.1:${refused}/x`, query: { key: CANARY }, retry: false }),
          http.request({ path: '/status/200', query: { secret: CANARY } }).then((res) => {
            responses.push(res);
            return res;
          }),
        ];
        for (const outcome of await Promise.allSettled(calls)) {
          if (outcome.status === 'rejected') failures.push(outcome.reason);
        }
      }
      const aborted = createHttpClient({ baseUrl: srv.url, auth: staticHeaders({ authorization: `Bearer ${CANARY}` }), logger: consoleLogger('debug', sink) });
      clients.push(aborted);
      failures.push(await aborted.request({ path: '/status/200', signal: AbortSignal.abort(new Error('stop')) }).catch((e: unknown) => e));
      failures.push(await aborted.request({ path: '/status/200', query: { password: CANARY }, deadlineInMs: 0 }).catch((e: unknown) => e));
    } finally {
      for (const name of Object.values(DIAGNOSTICS_CHANNELS)) unsubscribe(name, onDiag);
    }

    // 3 clients × 7 failing calls, plus the abort and the deadline
    expect(failures.length).toBe(23);
    expect(failures.every((f) => isXError(f))).toBe(true);
    for (const [i, failure] of failures.entries()) {
      for (const [what, text] of Object.entries(everythingAbout(failure))) expectClean(`failure ${i} ${what}`, text);
    }
    // The server really saw (and echoed) the secret, so the checks above could have failed.
    const echoed = failures.find((f) => (f as { status?: number }).status === 400) as { bodyPreview: string; body: unknown; headers: Record<string, string> };
    expect(echoed.bodyPreview).toContain('[REDACTED]');
    expect(echoed.headers['set-cookie']).toBe('[REDACTED]');
    expect(echoed.headers.location).toBe('https://elsewhere.example/cb?token=[REDACTED]&ok=1');
    expect(responses.length).toBe(3);
    for (const res of responses) {
      expectClean('response url', (res as { url: string }).url);
      expectClean('JSON.stringify(response)', JSON.stringify({ url: (res as { url: string }).url, status: (res as { status: number }).status }));
    }
    expect(lines.length).toBeGreaterThan(40);
    expectClean('log lines', lines.join('\n'));
    expect(diag.length).toBeGreaterThan(40);
    expectClean('diagnostics_channel messages', inspect(diag, { depth: 10 }));
  });
});
