// Configured secrets never reach what the app prints or serves: the scrubber and the logger wrapper
// on their own, then (the vendor client's redaction and the app's together) a vendor whose server
// echoes the credentials back, over a real socket.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type FleetApp } from './app.js';
import { parseConfig } from './config.js';
import { createLogger } from './log.js';
import { configSecrets, createScrub, scrubbingLogger } from './secrets.js';
import { StateTracker } from './status.js';

describe('configured secrets', () => {
  it('are every password, key and token of the configuration, the database password included', () => {
    const config = parseConfig({
      server: { host: '0.0.0.0', accessToken: 'access-token-0123456789' },
      storage: { databaseUrl: 'postgres://fleet:db%20pass%2Fword@db.example:5432/fleet' },
      comap: { loginId: 'op', clientId: 'cid', secret: 'comap-secret-1', key: 'comap-key-1' },
      devicecloud: { username: 'dc-user', password: 'dc-password-1' },
      thinq: { country: 'DE', accessToken: 'thinq-pat-1', refreshToken: 'thinq-refresh-1' },
      sepl: { url: 'wss://sepl.example/ws', user: 'sepl-user', password: 'sepl-password-1' },
    });
    expect(configSecrets(config)).toEqual([
      'access-token-0123456789',
      'comap-secret-1',
      'comap-key-1',
      'dc-password-1',
      'thinq-pat-1',
      'thinq-refresh-1',
      'sepl-password-1',
      'db pass/word',
    ]);
    expect(configSecrets(parseConfig({}))).toEqual([]);
  });

  it('are scrubbed from reasons, raw and URL-encoded', () => {
    const scrub = createScrub(['p@ss word!']);
    expect(scrub('login failed for p@ss word! at http://x/?p=p%40ss%20word!')).toBe('login failed for [REDACTED] at http://x/?p=[REDACTED]');
    const changes: string[] = [];
    const tracker = new StateTracker('connecting', () => 0, () => changes.push('x'), scrub);
    tracker.set('unauthorised', 'server said: "p@ss word!" is wrong');
    expect(tracker.snapshot().reason).toBe('server said: "[REDACTED]" is wrong');
    tracker.set('unauthorised', 'server said: "p@ss word!" is wrong');
    expect(changes).toHaveLength(1);
  });

  it('are scrubbed from log messages and fields, Error fields included', () => {
    const lines: string[] = [];
    const logger = scrubbingLogger(createLogger('debug', (l) => lines.push(l)), ['hunter2-secret']);
    logger.warn('retry with hunter2-secret', { error: new Error('echo hunter2-secret'), nested: { text: 'x hunter2-secret' }, apiKey: 'k', n: 3 });
    logger.info('plain');
    expect(lines.map((l) => l.slice(25))).toEqual([
      'warn  retry with [REDACTED] {"error":"Error: echo [REDACTED]","nested":{"text":"x [REDACTED]"},"apiKey":"[REDACTED]","n":3}\n',
      'info  plain\n',
    ]);
  });
});

describe('a vendor server that echoes the credentials', () => {
  const password = 'dc-password-echoed-42';
  const accessToken = 'fleet-access-token-0123456789';
  const auth = { headers: { authorization: `Bearer ${accessToken}` } };
  let server: Server;
  let app: FleetApp;
  const lines: string[] = [];

  beforeAll(async () => {
    // Answers every call with 500 and a body (and a status text) holding the Basic credentials.
    server = createServer((req, res) => {
      const basic = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString();
      res.writeHead(500, `bad ${basic}`, { 'content-type': 'text/plain' });
      res.end(`cannot log in ${basic} (password ${password})`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    app = await startFleet({
      port: 0,
      dataDir: 'memory://',
      accessToken,
      config: { devicecloud: { username: 'dc-user', password, baseUrl: `http://127.0.0.1:${port}`, pushHost: '127.0.0.1', pushPort: port, secure: false } },
      logger: createLogger('debug', (l) => lines.push(l)),
    });
  });
  afterAll(async () => {
    await app?.stop();
    await new Promise((resolve) => server.close(resolve));
  });

  it('shows the vendor as failing with a reason, and the password nowhere: status, events, logs (the API behind the access token)', async () => {
    expect((await fetch(`${app.url}/api/status`)).status).toBe(401);
    const events = await fetch(`${app.url}/api/events`, auth);
    const reader = events.body!.pipeThrough(new TextDecoderStream()).getReader();
    const status = await app.waitFor((s) => s.vendors.devicecloud.reason !== null, 15_000);
    expect(status.vendors.devicecloud.state).toBe('degraded');
    const served = await (await fetch(`${app.url}/api/status`, auth)).text();
    expect(served).toContain('"reason":"');
    let sse = '';
    while (!sse.includes('event: vendor')) sse += (await reader.read()).value ?? '';
    await reader.cancel();
    for (const text of [served, sse, lines.join('')]) {
      expect(text).not.toContain(password);
      expect(text).not.toContain(accessToken);
    }
    expect(lines.join('')).toContain('devicecloud');
  });
});
