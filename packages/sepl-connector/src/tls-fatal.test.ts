// An untrusted websocket certificate ends a G1/G2 connector at once (as G3 and the other
// packages): retrying cannot help.
import { testCertificate } from '@x/http-core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { SeplConnector } from './client.js';
import { startSeplSimulator } from './testing/simulator.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

describe('an untrusted TLS certificate (G2)', () => {
  it('is fatal: start() rejects with it at once, no reconnect loop', async () => {
    const sim = await startSeplSimulator({ users: { alice: 'secret' }, tls: testCertificate() });
    cleanup.push(() => sim.close());
    const connector = new SeplConnector({ url: sim.websocketUrl, user: 'alice', password: 'secret', reconnect: { initialDelayInMs: 5, maxDelayInMs: 5 } });
    cleanup.push(() => connector.close());
    let reconnects = 0;
    connector.on('reconnecting', () => reconnects++);
    connector.on('error', () => undefined);
    await expect(connector.start()).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect([reconnects, connector.state]).toEqual([0, 'closed']);
  });
});
