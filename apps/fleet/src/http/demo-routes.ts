// The demo's controls (fault injection, value changes, SEPL commands): only when the fleet runs
// on its built-in simulators.
import type { DemoControls, FleetService } from '../service.js';
import { DEMO_FAULTS, FAULT_TARGETS } from '../service.js';
import { deviceLookup } from './api-routes.js';
import { badRequest } from './errors.js';
import { readJson, sendJson } from './respond.js';
import type { Router } from './router.js';

export function addDemoRoutes(router: Router, fleet: FleetService, demo: DemoControls): void {
  const deviceOr404 = deviceLookup(fleet);
  router.route('POST', '/api/demo/fault', async ({ req, res }) => {
    const body = (await readJson(req)) as Record<string, unknown>;
    const target = body?.vendor;
    const fault = body?.fault;
    if (!(FAULT_TARGETS as readonly unknown[]).includes(target)) throw badRequest('vendor', `expected one of ${FAULT_TARGETS.join(', ')}`);
    if (!(DEMO_FAULTS as readonly unknown[]).includes(fault)) throw badRequest('fault', `expected one of ${DEMO_FAULTS.join(', ')}`);
    await demo.fault(target as (typeof FAULT_TARGETS)[number], fault as (typeof DEMO_FAULTS)[number]);
    sendJson(res, 200, { vendor: target, fault });
  });
  router.route('POST', '/api/demo/value', async ({ req, res }) => {
    const body = (await readJson(req)) as Record<string, unknown>;
    const { deviceId, metric, value } = body ?? {};
    if (typeof deviceId !== 'string') throw badRequest('deviceId', 'expected a device id');
    if (typeof metric !== 'string' || metric.length === 0) throw badRequest('metric', 'expected a metric name');
    if (!['number', 'string', 'boolean'].includes(typeof value) || (typeof value === 'number' && !Number.isFinite(value))) {
      throw badRequest('value', 'expected a number, string or boolean');
    }
    await deviceOr404(deviceId);
    try {
      await demo.setValue(deviceId, metric, value as number | string | boolean);
    } catch (err) {
      if (err instanceof RangeError || err instanceof TypeError) throw badRequest('metric', err.message);
      throw err;
    }
    sendJson(res, 200, {});
  });
  router.route('POST', '/api/demo/sepl-command', async ({ req, res }) => {
    const body = (await readJson(req)) as Record<string, unknown>;
    const { deviceId, command, params } = body ?? {};
    if (typeof deviceId !== 'string') throw badRequest('deviceId', 'expected a device id');
    if (typeof command !== 'string') throw badRequest('command', 'expected a command name');
    if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) throw badRequest('params', 'expected an object');
    await deviceOr404(deviceId);
    sendJson(res, 200, await demo.seplCommand(deviceId, command, (params ?? {}) as Record<string, unknown>));
  });
}
