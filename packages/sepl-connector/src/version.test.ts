import { afterEach, expect, it } from 'vitest';
import { sendJson, startTestServer, type TestServer } from '@x/http-core/testing';
import packageJson from '../package.json' with { type: 'json' };
import { AverageClient } from './index.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
});

it('sends "@x/sepl-connector/<package version> node/<node version>" as User-Agent', async () => {
  const agents: (string | undefined)[] = [];
  server = await startTestServer((req, res) => {
    agents.push(req.headers['user-agent']);
    sendJson(res, 200, []);
  });
  const client = new AverageClient({ baseUrl: `${server.url}/` });
  try {
    expect(await client.average('device-1')).toEqual([]);
  } finally {
    await client.close();
  }
  expect(agents).toEqual([`@x/sepl-connector/${packageJson.version} node/${process.versions.node}`]);
});
