import { afterEach, expect, it } from 'vitest';
import { sendJson, startTestServer, type TestServer } from '@x/http-core/testing';
import packageJson from '../package.json' with { type: 'json' };
import { ConnectClient } from './index.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
});

it('sends "@x/thinq/<package version> node/<node version>" as User-Agent', async () => {
  const agents: (string | undefined)[] = [];
  server = await startTestServer((req, res) => {
    agents.push(req.headers['user-agent']);
    sendJson(res, 200, { messageId: 'm', timestamp: '2026-01-01T00:00:00Z', response: [] });
  });
  const client = new ConnectClient({ pat: 'pat', country: 'US', clientId: 'client', baseUrl: `${server.url}/` });
  try {
    expect(await client.devices()).toEqual([]);
  } finally {
    await client.close();
  }
  expect(agents).toEqual([`@x/thinq/${packageJson.version} node/${process.versions.node}`]);
});
