// bearerAuth's waitWithinCallTimeout: a caller's own timeoutInMs bounds its wait for the shared
// token request, against a token endpoint that stalls until the test lets it answer.
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { bearerAuth, type BearerAuthOptions } from './auth.js';
import { errorCategory } from './error-category.js';
import { TimeoutError } from './errors.js';
import { useLoopback } from './test-support.js';
import { sendJson, type TestHandler } from './testing/index.js';

const { serve, client } = useLoopback();

/** A token endpoint that holds every request until `release()`, and an API echoing the Authorization header. */
async function setup(options: BearerAuthOptions) {
  const held: ServerResponse[] = [];
  let tokenRequests = 0;
  let apiStatus = 200;
  const token = await serve((_req, res) => {
    tokenRequests += 1;
    held.push(res);
  });
  const tokenHttp = client({ baseUrl: token.url, retry: false });
  let issued = 0;
  const auth = bearerAuth(async (signal) => {
    await tokenHttp.request({ method: 'POST', path: '/token', signal });
    issued += 1;
    return { token: `tok-${issued}` };
  }, options);
  const apiHandler: TestHandler = (req, res) => sendJson(res, apiStatus, { authorization: req.headers.authorization ?? null });
  const api = await serve(apiHandler);
  const http = client({ baseUrl: api.url, auth, timeoutInMs: 5_000, retry: false });
  return {
    auth,
    http,
    tokenRequests: () => tokenRequests,
    release: () => {
      for (const res of held.splice(0)) sendJson(res, 200, { ok: true });
    },
    answerApiWith: (status: number) => (apiStatus = status),
  };
}

const MESSAGE = "bearerAuth: the token request (POST /token) did not answer within the call's timeoutInMs of 100 ms (it goes on for the other calls)";

describe('bearerAuth waitWithinCallTimeout', () => {
  it('a caller whose timeoutInMs runs out while the token endpoint stalls gets a TimeoutError naming the token request; the shared request goes on for the others', async () => {
    const s = await setup({ waitWithinCallTimeout: true, tokenRequestName: 'the token request (POST /token)' });
    const started = Date.now();
    const impatient = s.http.request({ path: '/', timeoutInMs: 100 }).catch((e: unknown) => e);
    const patient = s.http.request<{ authorization: string }>({ path: '/' }); // the client's 5 s
    const error = await impatient;
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ message: MESSAGE, phase: 'headers', timeoutInMs: 100 });
    expect(errorCategory(error)).toBe('timeout');
    expect(s.tokenRequests()).toBe(1);
    s.release();
    expect((await patient).body).toEqual({ authorization: 'Bearer tok-1' });
    expect(s.tokenRequests()).toBe(1);
    expect(s.auth.refreshCount).toBe(1);
  });

  it('bounds the wait for the refresh after a 401 too', async () => {
    const s = await setup({ waitWithinCallTimeout: true, tokenRequestName: 'the token request (POST /token)' });
    const first = s.http.request<{ authorization: string }>({ path: '/' });
    await expect.poll(s.tokenRequests).toBe(1);
    s.release();
    expect((await first).body).toEqual({ authorization: 'Bearer tok-1' });
    s.answerApiWith(401); // the token was revoked: the refresh stalls
    const error = await s.http.request({ path: '/', timeoutInMs: 100 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TimeoutError', message: MESSAGE });
    expect(s.tokenRequests()).toBe(2);
    s.release();
  });

  it('off by default: a caller waits for the stalled token request past its timeoutInMs (bounded by signal and deadline only)', async () => {
    const s = await setup({});
    let settled = false;
    const call = s.http.request<{ authorization: string }>({ path: '/', timeoutInMs: 100 }).finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(settled).toBe(false);
    s.release();
    expect((await call).body).toEqual({ authorization: 'Bearer tok-1' });
  });

  it('validates the options', () => {
    const provider = () => Promise.resolve({ token: 'x' });
    expect(() => bearerAuth(provider, { waitWithinCallTimeout: 'yes' as never })).toThrow(new TypeError('bearerAuth: waitWithinCallTimeout must be a boolean'));
    expect(() => bearerAuth(provider, { tokenRequestName: '' })).toThrow(new TypeError('bearerAuth: tokenRequestName must be a non-empty string'));
  });
});
