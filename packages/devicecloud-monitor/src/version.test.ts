import { afterEach, expect, it } from 'vitest';
import { sendJson, startTestServer, type TestServer } from '@x/http-core/testing';
import packageJson from '../package.json' with { type: 'json' };
import { DeviceCloudClient } from './index.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
});

it('sends "@x/devicecloud-monitor/<package version> node/<node version>" as User-Agent', async () => {
  const agents: (string | undefined)[] = [];
  server = await startTestServer((req, res) => {
    agents.push(req.headers['user-agent']);
    sendJson(res, 404, { error: 'no such monitor' });
  });
  const client = new DeviceCloudClient({ username: 'user', password: 'password', baseUrl: server.url });
  try {
    expect(await client.getMonitorById(7)).toBeUndefined();
  } finally {
    await client.close();
  }
  expect(agents).toEqual([`@x/devicecloud-monitor/${packageJson.version} node/${process.versions.node}`]);
});
