// The ComAp simulator for the demo: a few gensets, no rate limit (it polls every second).
import type { ComapSimulator} from '@x/comap/testing';
import { VALUE_DEFS, startComapSimulator } from '@x/comap/testing';
import { VALUE_GUID } from '@x/comap';
import type { ComapConfig } from '../config.js';
import type { DemoVendor } from './types.js';

/** Requests answered with the fault while it lasts (cleared on 'none'). */
const LASTING = 1_000_000;

export async function startComapDemo(pollIntervalInMs: number): Promise<{ config: ComapConfig; demo: DemoVendor<ComapSimulator> }> {
  const sim = await startComapSimulator({ units: 3, seed: 7, rateLimit: false, tokenRequestLimit: false, historyDays: 45 });
  const creds = sim.credentials();
  const config: ComapConfig = {
    loginId: creds.loginId,
    clientId: creds.clientId,
    secret: creds.secret,
    key: creds.key,
    baseUrl: creds.url,
    pollIntervalInMs,
  };
  return {
    config,
    demo: {
      simulator: sim,
      fault(fault) {
        sim.faults.clear();
        if (fault === 'outage') sim.faults.fail(LASTING, 503);
        if (fault === 'unauthorised') sim.faults.fail(LASTING, 401);
      },
      setValue(vendorId, metric, value) {
        const unit = sim.fleet.unit(vendorId);
        if (!unit) throw new RangeError(`the ComAp simulator has no unit ${vendorId}`);
        const def = VALUE_DEFS.find((d) => d.name === metric);
        if (!def) throw new RangeError(`the ComAp simulator has no value named ${JSON.stringify(metric)}`);
        if (typeof value === 'boolean') throw new TypeError('ComAp values are numbers or strings');
        unit.state.setpoints.set(VALUE_GUID[def.key].toLowerCase(), value);
        sim.fleet.recordChanges(unit, Date.now());
      },
      stop: () => sim.close(),
    },
  };
}
