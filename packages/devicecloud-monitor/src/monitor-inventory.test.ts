// The v1 inventory paths and `query` parameter are Digi's (doc-remotemanager.digi.com /api/v1-monitors,
// v1 API Query Language); the item field names are not on Digi's pages and are verified against the
// simulator only (see monitor-inventory.ts).
import { errorCategory, isHttpError, ParseError } from '@x/http-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeviceCloudClient } from './client.js';
import { closeRestFixture, collect, startRestFixture } from './rest-test-support.js';
import { toInventoryItem } from './monitor-inventory.js';
import type { DeviceCloudSimulator } from './testing/index.js';

let sim: DeviceCloudSimulator;
let client: DeviceCloudClient;

beforeEach(async () => ({ sim, client } = await startRestFixture()));
afterEach(() => closeRestFixture({ sim, client }));

const gets = () => sim.requests.filter((r) => r.method === 'GET').map((r) => decodeURIComponent(r.url));

describe('the v1 monitor inventory', () => {
  it('lists every monitor in the v1 view, paged by cursor and filtered by query; one by id, undefined on 404', async () => {
    const tcp = await client.createTcpMonitor(['DeviceCore', 'FileData'], { description: 'plant north', batchSize: 5, batchDurationInSeconds: 2, autoReplayOnConnect: true });
    const http = await client.createHttpMonitor(['DataPoint'], 'https://example.com/hook', { description: 'plant south' });
    const poll = await client.createPollingMonitor(['DataPoint/*/metrics'], { description: 'metrics' });
    sim.requests.splice(0);
    const items = await collect(client.listMonitorInventory({ pageSize: 2 }));
    expect(items.map((m) => [m.id, m.type, m.topics, m.description])).toEqual([
      [tcp, 'tcp', ['DeviceCore', 'FileData'], 'plant north'],
      [http, 'http', ['DataPoint'], 'plant south'],
      [poll, 'polling', ['DataPoint/*/metrics'], 'metrics'],
    ]);
    expect(items[0]).toEqual({
      id: tcp, type: 'tcp', topics: ['DeviceCore', 'FileData'], status: 'inactive', description: 'plant north', format: 'json', persistent: true, batchSize: 5, batchDuration: 2, schemaType: undefined, schema: undefined,
      raw: { id: tcp, type: 'tcp', topics: ['DeviceCore', 'FileData'], status: 'inactive', description: 'plant north', format: 'json', persistent: true, batch_size: 5, batch_duration: 2 },
    });
    const [first, second] = gets();
    expect(first).toBe('/ws/v1/monitors/inventory?size=2');
    expect(second).toMatch(/^\/ws\/v1\/monitors\/inventory\?size=2&cursor=[\w-]+$/);
    expect(gets()).toHaveLength(2);

    const south = await collect(client.listMonitorInventory({ query: "type = 'http' or description like '%north'" }));
    expect(south.map((m) => m.id)).toEqual([tcp, http]);
    const sent = new URL(sim.requests.at(-1)!.url, sim.url);
    expect([sent.pathname, [...sent.searchParams]]).toEqual(['/ws/v1/monitors/inventory', [['size', '1000'], ['query', "type = 'http' or description like '%north'"]]]);

    expect(await client.getMonitorInventory(poll)).toMatchObject({ id: poll, type: 'polling', persistent: false, status: 'inactive' });
    expect(await client.getMonitorInventory(99_999)).toBeUndefined();
  });

  it('a query the server refuses is its 400 (category input); bad arguments are TypeError/RangeError naming the parameter; an abort stops the read', async () => {
    const error = await collect(client.listMonitorInventory({ query: "description startsWith 'plant'" })).catch((e: unknown) => e);
    expect(isHttpError(error) && [error.status, errorCategory(error)]).toEqual([400, 'input']);
    await expect(client.listMonitorInventory({ pageSize: 0 }).next()).rejects.toThrow(new RangeError('query.pageSize must be an integer 1..1000'));
    await expect(client.listMonitorInventory({ query: ' ' }).next()).rejects.toThrow(new TypeError('query.query must be a non-empty string'));
    await expect(client.getMonitorInventory(-1)).rejects.toThrow(new RangeError('monitorId must be a non-negative integer'));
    await expect(client.getMonitorInventory(1, { timeoutInMs: -5 })).rejects.toThrow(RangeError);
    const controller = new AbortController();
    controller.abort();
    await expect(client.listMonitorInventory({}, { signal: controller.signal }).next()).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('items are read leniently typed (string numbers and booleans, comma-separated topics); one without an integer id is refused', () => {
    expect(toInventoryItem({ id: '12', topics: 'A,B', persistent: 'false', batch_size: '3' })).toMatchObject({ id: 12, topics: ['A', 'B'], persistent: false, batchSize: 3, type: undefined, status: undefined });
    expect([toInventoryItem({ id: 'x' }), toInventoryItem({ id: 1.5 }), toInventoryItem({}), toInventoryItem([1]), toInventoryItem(null)]).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });
});

describe('inventory answers that do not fit', () => {
  it('are a ParseError naming the path, the body previewed', async () => {
    const { createServer } = await import('node:http');
    const bodies = ['{"count":1}', '{"list":[{"id":"x"}]}', 'not json'];
    const server = createServer((_req, res) => res.end(bodies.shift()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const odd = new DeviceCloudClient({ baseUrl: `http://127.0.0.1:${port}`, username: 'u', password: 'p', retry: false });
    try {
      for (const preview of ['{"count":1}', '{"list":[{"id":"x"}]}']) {
        const error = await collect(odd.listMonitorInventory()).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ParseError);
        expect(error).toMatchObject({ message: 'unexpected /ws/v1/monitors/inventory answer (no list, or an item without an integer id)', rawPreview: preview });
      }
      await expect(odd.getMonitorInventory(3)).rejects.toBeInstanceOf(ParseError);
    } finally {
      await odd.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
