import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { ComapClient } from './index.js';
import { startComapSimulator } from './testing/index.js';

// The token: shared per identity in this process, and in no enumerable or inspectable property.
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
});

describe('ComapClient token', () => {
  it('is not in util.inspect (even showHidden, any depth) or JSON.stringify of the client, nor are the key and secret', async () => {
    const sim = await startComapSimulator({ units: 1, rateLimit: false });
    const client = new ComapClient({ ...sim.credentials(), baseUrl: sim.url, rateLimit: false });
    open.push(sim, client);
    await client.units();
    const token = client.token!.access_token;
    expect(token.length).toBeGreaterThan(20);
    const views = [inspect(client), inspect(client, { depth: Infinity, showHidden: true }), JSON.stringify(client), inspect(client.identity, { depth: Infinity, showHidden: true })];
    for (const view of views) {
      expect(view).not.toContain(token);
      expect(view).not.toContain(sim.key);
      expect(view).not.toContain(sim.secret);
    }
    expect(Object.keys(client)).not.toContain('token');
  });

  it('six clients of one identity (with the Identity API limit of 5 per 5 minutes on) fetch one token', async () => {
    const sim = await startComapSimulator({ units: 2, rateLimit: false });
    open.push(sim);
    const clients = Array.from({ length: 6 }, () => new ComapClient({ ...sim.credentials(), baseUrl: sim.url, rateLimit: false }));
    open.push(...clients);
    const started = Date.now();
    for (const client of clients) expect(await client.units()).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(sim.stats.tokenRequests).toBe(1);
    expect(clients.map((c) => c.tokenRequests)).toEqual([1, 1, 1, 1, 1, 1]);
    // A 401 on one client refreshes the token once for all of them.
    sim.revokeTokens();
    await Promise.all(clients.map((c) => c.units()));
    expect(sim.stats.tokenRequests).toBe(2);
    // Closing some holders keeps the token for the others.
    await Promise.all(clients.slice(0, 5).map((c) => c.close()));
    expect(await clients[5]!.units()).toHaveLength(2);
    expect(sim.stats.tokenRequests).toBe(2);
  });

  it('shareToken: false fetches its own; another secret is another identity; bad option is a TypeError', async () => {
    const sim = await startComapSimulator({ units: 1, rateLimit: false, tokenRequestLimit: false });
    open.push(sim);
    const a = new ComapClient({ ...sim.credentials(), baseUrl: sim.url, rateLimit: false });
    const b = new ComapClient({ ...sim.credentials(), baseUrl: sim.url, rateLimit: false, shareToken: false });
    const c = new ComapClient({ ...sim.credentials(), secret: 'wrong-secret', baseUrl: sim.url, rateLimit: false });
    open.push(a, b, c);
    await a.units();
    await b.units();
    expect(sim.stats.tokenRequests).toBe(2);
    await expect(c.units()).rejects.toMatchObject({ category: 'auth' });
    expect(() => new ComapClient({ ...sim.credentials(), shareToken: 'yes' as never })).toThrow(new TypeError('ComapClient options.shareToken must be a boolean'));
  });
});
