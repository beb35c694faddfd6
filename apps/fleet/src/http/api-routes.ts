// The JSON API of API.md (devices, readings, averages, commands) and its streams (SSE, CSV).
import { CommandInputError } from '../commands.js';
import { csvChunks } from '../csv.js';
import type { Device, Vendor } from '../model.js';
import { VENDORS } from '../model.js';
import type { FleetService } from '../service.js';
import { DevicesCache, matchesEtag } from './devices-cache.js';
import { ApiError, badRequest, notFound } from './errors.js';
import { Query, timeRange } from './params.js';
import { SECURITY_HEADERS, readJson, sendJson } from './respond.js';
import type { Router } from './router.js';
import type { SseHub } from './sse.js';

const DAY_MS = 86_400_000;
/** Devices per page at most (`limit`); without `limit` the answer has them all. */
const MAX_PAGE = 1000;

/** The device `id` names, or a 404. */
export function deviceLookup(fleet: FleetService): (id: string) => Promise<Device> {
  return async (id) => {
    const device = await fleet.getDevice(id);
    if (!device) throw notFound(`no device ${JSON.stringify(id.slice(0, 200))}`);
    return device;
  };
}

export function addDeviceRoutes(router: Router, fleet: FleetService): void {
  const deviceOr404 = deviceLookup(fleet);
  router.route('GET', '/api/status', async ({ res, url }) => {
    new Query(url.searchParams, []);
    sendJson(res, 200, fleet.status());
    return Promise.resolve();
  });

  // Rebuilt at most once a second: a busy demo changes the list ten times a second, and each
  // rebuild reads the database on the event loop (PGlite runs in this process).
  const cache = new DevicesCache(fleet.bus, {
    minAgeInMs: 1000,
    load: (key) => {
      const [vendor, kind] = key.split('|');
      return fleet.listDevices({ vendor: (vendor || undefined) as Vendor | undefined, kind: kind || undefined });
    },
  });
  router.route('GET', '/api/devices', async ({ req, res, url }) => {
    const q = new Query(url.searchParams, ['vendor', 'kind', 'limit', 'cursor']);
    const vendor = q.oneOf('vendor', VENDORS);
    const kind = q.oneOf('kind', ['genset', 'gateway', 'appliance'] as const);
    const limit = q.integer('limit', 1, MAX_PAGE);
    const offset = q.integer('cursor', 0, Number.MAX_SAFE_INTEGER) ?? 0;
    const page = await cache.page(`${vendor ?? ''}|${kind ?? ''}`, offset, limit);
    // Revalidated on every use (no-cache): a 304 when the list is unchanged.
    const headers = { ...SECURITY_HEADERS, ETag: page.etag, 'Cache-Control': 'no-cache' };
    if (matchesEtag(req.headers['if-none-match'], page.etag)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': 'application/json; charset=utf-8' });
    res.end(page.body);
  });

  router.route('GET', '/api/devices/:id', async ({ res, url, params }) => {
    new Query(url.searchParams, []);
    sendJson(res, 200, await deviceOr404(params[0] as string));
  });

  router.route('GET', '/api/devices/:id/readings', async ({ res, url, params }) => {
    const q = new Query(url.searchParams, ['metric', 'from', 'to', 'limit']);
    const metric = q.text('metric');
    const { from, to } = timeRange(q, fleet.now(), DAY_MS);
    const limit = q.integer('limit', 1, 100_000) ?? 10_000;
    const device = await deviceOr404(params[0] as string);
    const result = await fleet.store.queryReadings({ deviceId: device.id, metric, from, to, limit });
    sendJson(res, 200, { deviceId: device.id, from: new Date(from).toISOString(), to: new Date(to).toISOString(), ...result });
  });

  router.route('GET', '/api/devices/:id/average', async ({ res, url, params }) => {
    const q = new Query(url.searchParams, ['granularity', 'time_window', 'metric']);
    const granularity = q.granularity();
    const windowMs = q.timeWindow();
    const device = await deviceOr404(params[0] as string);
    const metric = q.text('metric') ?? device.primaryMetric;
    if (metric === null) throw badRequest('metric', `${device.name} has no primary metric; name one`);
    const to = fleet.now();
    const from = windowMs === undefined ? 0 : to - windowMs;
    sendJson(res, 200, await fleet.store.average({ deviceId: device.id, metric, granularity, from, to }));
  });

  router.route('GET', '/api/devices/:id/commands', async ({ res, url, params }) => {
    new Query(url.searchParams, []);
    const device = await deviceOr404(params[0] as string);
    sendJson(res, 200, { deviceId: device.id, vendor: device.vendor, commands: device.commands });
  });

}

export function addCommandRoutes(router: Router, fleet: FleetService): void {
  router.route('POST', '/api/devices/:id/commands', async ({ req, res, url, params }) => {
    new Query(url.searchParams, []);
    const body = await readJson(req);
    let outcome;
    try {
      outcome = await fleet.commands.run(params[0] as string, body, 'api');
    } catch (err) {
      if (err instanceof CommandInputError) {
        switch (err.problem) {
          case 'not_found':
            throw notFound(err.message);
          case 'unsupported':
            throw new ApiError(409, 'unsupported_command', err.message, { param: 'command' });
          case 'invalid':
            throw new ApiError(400, 'bad_request', err.message, err.param ? { param: err.param } : {});
        }
      }
      throw err;
    }
    switch (outcome.failure) {
      case undefined:
        sendJson(res, 200, outcome.record);
        return;
      case 'vendor_error':
        throw new ApiError(502, 'vendor_error', outcome.record.error ?? 'the vendor refused the command', { extra: { command: outcome.record } });
      case 'vendor_unavailable':
        throw new ApiError(503, 'vendor_unavailable', outcome.record.error ?? 'the vendor is not connected', { extra: { command: outcome.record } });
    }
  });

  router.route('GET', '/api/commands', async ({ res, url }) => {
    const q = new Query(url.searchParams, ['limit']);
    sendJson(res, 200, { commands: await fleet.store.listCommands({ limit: q.integer('limit', 1, 500) ?? 50 }) });
  });

}

export function addStreamRoutes(router: Router, fleet: FleetService, sse: SseHub): void {
  const deviceOr404 = deviceLookup(fleet);
  router.route('GET', '/api/events', async ({ req, res, url }) => {
    new Query(url.searchParams, []);
    if (req.method === 'HEAD') {
      res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache' });
      res.end();
      return Promise.resolve();
    }
    sse.attach(req, res, SECURITY_HEADERS);
    return Promise.resolve();
  });

  router.route('GET', '/api/export.csv', async ({ res, url }) => {
    const q = new Query(url.searchParams, ['from', 'to', 'deviceId', 'metric']);
    const { from, to } = timeRange(q, fleet.now(), 'epoch');
    const deviceId = q.text('deviceId');
    if (deviceId !== undefined) await deviceOr404(deviceId);
    const metric = q.text('metric');
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': 'attachment; filename="fleet-readings.csv"',
      'Cache-Control': 'no-store',
    });
    for await (const chunk of csvChunks(fleet.store.exportReadings({ from, to, deviceId, metric }))) {
      if (res.destroyed) return;
      if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  });

}
