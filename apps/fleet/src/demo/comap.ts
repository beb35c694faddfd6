// The ComAp simulator for the demo: a few gensets, no rate limit (it polls every second).
import type { ComapSimulator} from '@x/comap/testing';
import { VALUE_DEFS, startComapSimulator } from '@x/comap/testing';
import { VALUE_GUID } from '@x/comap';
import type { ComapConfig } from '../config.js';
import { keepNewest } from './log-trim.js';
import { newGensetMotion, stepGenset } from './genset-motion.js';
import type { DemoVendor } from './types.js';

/** Requests answered with the fault while it lasts (cleared on 'none'). */
const LASTING = 1_000_000;
/** How often the gensets move (genset-motion.ts). */
const MOTION_STEP_MS = 1000;
/** Changes kept per value (a value that changes every second: its last hour). */
const CHANGES_KEPT = 3_600;

export async function startComapDemo(pollIntervalInMs: number): Promise<{ config: ComapConfig; demo: DemoVendor<ComapSimulator> }> {
  const sim = await startComapSimulator({ units: 3, seed: 7, rateLimit: false, tokenRequestLimit: false, historyDays: 45, requestLogLimit: 1000 });
  const creds = sim.credentials();
  let last = Date.now();
  const motions = new Map(sim.fleet.units.map((unit) => [unit, newGensetMotion(unit, last, Math.random)]));
  const motion = setInterval(() => {
    const now = Date.now();
    for (const [unit, m] of motions) {
      stepGenset(unit, m, now, now - last, Math.random);
      sim.fleet.recordChanges(unit, now);
      // The moving values change every second: keep the last hour of their history.
      for (const list of unit.changes.values()) keepNewest(list, CHANGES_KEPT);
    }
    last = now;
  }, MOTION_STEP_MS);
  motion.unref();
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
      stop: () => {
        clearInterval(motion);
        return sim.close();
      },
    },
  };
}
