// A stand-in for the fleet service's HTTP API (apps/fleet/API.md), fully controlled by a test,
// for page states the real demo cannot produce on demand: an empty fleet, a slow first load, a
// vendor refusing the credentials, a command the vendor rejects, a dropped live feed. It serves
// the real built page (dist/web) the way the service does (`/` and `/assets/*`).
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { webDistDir } from './browser.js';

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.map': 'application/json' };

export interface FakeCommandAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** A JSON object in the API's shapes (the page is what checks them). */
export type Json = Record<string, unknown>;

export interface FakeStatus {
  version: string;
  demo: boolean;
  storage: Json;
  vendors: { comap: Json; devicecloud: Json; thinq: Json };
  sepl: Json;
  /** Shard ownership (API.md `ShardsStatus`); left out, as an older service would. */
  shards?: Json;
}

/** A POST /api/devices/:id/commands body in the generic form the page sends. */
export interface PostedCommand {
  command: string;
  params: Json;
}

export interface FakeFleet {
  readonly url: string;
  /** What /api/status answers (mutate freely). */
  status: FakeStatus;
  devices: Json[];
  readings: Json[];
  /** What /api/commands lists (newest first). */
  commands: Json[];
  average: Json[];
  /** How the next POST /api/devices/:id/commands is answered. */
  commandAnswer: (deviceId: string, body: PostedCommand) => FakeCommandAnswer;
  /** Every command body posted, in order. */
  readonly commandsPosted: { deviceId: string; body: PostedCommand }[];
  /** Delay before /api/devices answers (to see the loading state). */
  devicesDelayMs: number;
  /** Sends one SSE event to every connected page. */
  push(event: string, data: unknown): void;
  /** Drops every SSE connection (the page must reconnect and reload). */
  dropLive(): void;
  readonly liveConnections: number;
  close(): Promise<void>;
}

export function vendorStatus(vendor: string, state: string, reason: string | null = null, devices = 1): Json {
  const mode = vendor === 'comap' ? 'polling' : vendor === 'devicecloud' ? 'push' : 'connect-push';
  return { vendor, enabled: state !== 'disabled', state, reason, since: '2026-11-21T06:00:00.000Z', lastSuccessAt: null, devices, mode };
}

export function seplStatus(overrides: Json = {}): Json {
  return {
    enabled: true,
    state: 'connected',
    reason: null,
    since: '2026-11-21T06:00:00.000Z',
    gatewayId: 'gw-test',
    devicesRegistered: 0,
    eventsSent: 0,
    commandsReceived: 0,
    recentCommands: [],
    ...overrides,
  };
}

export async function startFakeFleet(): Promise<FakeFleet> {
  const streams = new Set<ServerResponse>();
  let eventId = 0;
  const fake: Omit<FakeFleet, 'url' | 'close' | 'liveConnections'> & { url: string } = {
    url: '',
    status: {
      version: '0.0.0-test',
      demo: false,
      storage: { kind: 'pglite' },
      vendors: { comap: vendorStatus('comap', 'connected'), devicecloud: vendorStatus('devicecloud', 'connected'), thinq: vendorStatus('thinq', 'connected') },
      sepl: seplStatus(),
    },
    devices: [],
    readings: [],
    commands: [],
    average: [],
    commandAnswer: () => ({ status: 500, body: { error: { code: 'internal', message: 'no answer configured' } } }),
    commandsPosted: [],
    devicesDelayMs: 0,
    push(event, data) {
      eventId++;
      for (const stream of streams) stream.write(`id: ${eventId}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    dropLive() {
      for (const stream of streams) stream.destroy();
      streams.clear();
    },
  };

  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname;
    if (path === '/' || path.startsWith('/assets/')) {
      const file = path === '/' ? 'index.html' : normalize(path.slice('/assets/'.length));
      if (file.startsWith('..')) return json(res, 404, { error: { code: 'not_found', message: 'no such file' } });
      try {
        const body = await readFile(join(webDistDir, file));
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
        res.end(body);
      } catch {
        json(res, 404, { error: { code: 'not_found', message: `no file ${file}` } });
      }
      return;
    }
    if (path === '/api/status') return json(res, 200, fake.status);
    if (path === '/api/commands') return json(res, 200, { commands: fake.commands });
    if (path === '/api/devices') {
      if (fake.devicesDelayMs > 0) await new Promise((r) => setTimeout(r, fake.devicesDelayMs));
      // Pages like the service: `limit` devices from the `cursor` offset.
      const limit = Number(url.searchParams.get('limit') ?? fake.devices.length);
      const from = Number(url.searchParams.get('cursor') ?? 0);
      const to = Math.min(fake.devices.length, from + limit);
      return json(res, 200, { devices: fake.devices.slice(from, to), total: fake.devices.length, nextCursor: to < fake.devices.length ? String(to) : null });
    }
    if (path === '/api/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      streams.add(res);
      req.on('close', () => streams.delete(res));
      eventId++;
      res.write(`id: ${eventId}\nevent: hello\ndata: ${JSON.stringify({ serverTime: new Date().toISOString() })}\n\n`);
      return;
    }
    const match = /^\/api\/devices\/([^/]+)(\/readings|\/average|\/commands)?$/.exec(path);
    if (match?.[1]) {
      const id = decodeURIComponent(match[1]);
      const device = fake.devices.find((d) => d['id'] === id);
      if (!device) return json(res, 404, { error: { code: 'not_found', message: `no device ${id}` } });
      switch (match[2]) {
        case undefined:
          return json(res, 200, device);
        case '/readings': {
          const metric = url.searchParams.get('metric');
          // Like the service: the device's readings of the metric between from and to.
          const from = Date.parse(url.searchParams.get('from') ?? '');
          const to = Date.parse(url.searchParams.get('to') ?? '');
          const inRange = (ts: unknown): boolean => {
            const t = Date.parse(String(ts));
            return !(t < from) && !(t > to);
          };
          const readings = fake.readings.filter((r) => r['deviceId'] === id && (metric === null || r['metric'] === metric) && inRange(r['ts']));
          return json(res, 200, { deviceId: id, from: url.searchParams.get('from'), to: url.searchParams.get('to'), readings, truncated: false });
        }
        case '/average':
          return json(res, 200, fake.average);
        case '/commands': {
          if (req.method !== 'POST') return json(res, 405, { error: { code: 'method_not_allowed', message: 'POST only' } });
          const chunks: Buffer[] = [];
          for await (const chunk of req) chunks.push(chunk as Buffer);
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as PostedCommand;
          fake.commandsPosted.push({ deviceId: id, body });
          const answer = fake.commandAnswer(id, body);
          return json(res, answer.status, answer.body);
        }
      }
    }
    json(res, 404, { error: { code: 'not_found', message: `no route ${path}` } });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => json(res, 500, { error: { code: 'internal', message: String(error) } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  fake.url = `http://127.0.0.1:${port}`;
  Object.defineProperty(fake, 'liveConnections', { get: () => streams.size });
  return Object.assign(fake, {
    async close() {
      fake.dropLive();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  }) as FakeFleet;
}
