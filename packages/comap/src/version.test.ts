import { afterEach, expect, it } from 'vitest';
import { sendJson, startTestServer, type TestServer } from '@x/http-core/testing';
import packageJson from '../package.json' with { type: 'json' };
import { WSV } from './index.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
});

it('sends "@x/comap/<package version> node/<node version>" as User-Agent', async () => {
  const agents: (string | undefined)[] = [];
  server = await startTestServer((req, res) => {
    agents.push(req.headers['user-agent']);
    sendJson(res, 200, { units: [] });
  });
  const wsv = new WSV('operator', 'key', 'token', { baseUrl: server.url });
  try {
    expect(await wsv.units()).toEqual([]);
  } finally {
    await wsv.close();
  }
  expect(agents).toEqual([`@x/comap/${packageJson.version} node/${process.versions.node}`]);
});
