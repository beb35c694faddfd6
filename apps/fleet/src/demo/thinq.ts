// The ThinQ simulator for the demo: Connect appliances (state by MQTT push over mutual TLS) and v1
// appliances (rti monitoring), its HTTP API reached through a fault proxy.
import { startThinqSimulator, type ThinqSimulator } from '@x/thinq/testing';
import type { ThinqConfig } from '../config.js';
import type { ThinqConnectorOptions } from '../connectors/thinq.js';
import { FaultProxy, refuseHttp } from './fault-proxy.js';
import { keepNewest, trimEvery } from './log-trim.js';
import { newWasherCycle, stepRoom, stepWasher, type Room, type WasherCycle } from './appliance-motion.js';
import type { DemoVendor } from './types.js';

/** One demo minute of the appliances (appliance-motion.ts). */
const MOTION_STEP_MS = 2000;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The Connect AC's state: whether it runs, and its target (°C). */
function connectAc(state: unknown): { running: boolean; targetC: number } {
  const s = isRecord(state) ? state : {};
  const operation = isRecord(s['operation']) ? s['operation'] : {};
  const temperature = isRecord(s['temperature']) ? s['temperature'] : {};
  const target = temperature['targetTemperature'];
  return { running: operation['airConOperationMode'] === 'POWER_ON', targetC: typeof target === 'number' ? target : 24 };
}

/** Moves the simulator's washers and air conditioners every MOTION_STEP_MS; returns the stop function. */
function startMotion(sim: ThinqSimulator): () => void {
  const washers = new Map<string, WasherCycle>([
    ['sim-conn-washer-0001', newWasherCycle(Math.random)],
    ['sim-washer-0001', newWasherCycle(Math.random)],
  ]);
  const rooms = new Map<string, Room>([
    ['sim-conn-ac-0001', { ambientC: 28, temperature: 27 }],
    ['sim-ac-0001', { ambientC: 26, temperature: 25 }],
  ]);
  const timer = setInterval(() => {
    for (const [id, cycle] of washers) {
      const step = stepWasher(cycle);
      const v1 = sim.v1.devices.find((d) => d.deviceId === id);
      if (v1) Object.assign(v1.status, { State: step.v1State, Remain_Time_H: String(step.remainHour), Remain_Time_M: String(step.remainMinute) });
      // A report fails only while the broker is down; the next step reports again.
      else void sim.connect.report(id, { runState: { currentState: step.state }, timer: { remainHour: step.remainHour, remainMinute: step.remainMinute } }).catch(() => undefined);
    }
    for (const [id, room] of rooms) {
      const v1 = sim.v1.devices.find((d) => d.deviceId === id);
      if (v1) {
        v1.status['TempCur'] = String(Math.round(stepRoom(room, v1.status['Operation'] !== '0', Number(v1.status['TempCfg'] ?? 22), Math.random)));
        continue;
      }
      const ac = connectAc(sim.connect.devices.find((d) => d.deviceId === id)?.state);
      void sim.connect.report(id, { temperature: { currentTemperature: stepRoom(room, ac.running, ac.targetC, Math.random) } }).catch(() => undefined);
    }
  }, MOTION_STEP_MS);
  timer.unref();
  return () => clearInterval(timer);
}

export async function startThinqDemo(pollIntervalInMs: number): Promise<{ config: ThinqConfig; options: ThinqConnectorOptions; demo: DemoVendor<ThinqSimulator> }> {
  const sim = await startThinqSimulator();
  const target = new URL(sim.url);
  const http = await FaultProxy.start({
    targetHost: target.hostname,
    targetPort: Number(target.port),
    refuse: refuseHttp('{"error":{"code":"1103","message":"INVALID_TOKEN"}}'),
  });
  const base = `http://127.0.0.1:${http.port}`;
  const stopMotion = startMotion(sim);
  const stopTrim = trimEvery(() => {
    keepNewest(sim.connect.requests);
    keepNewest(sim.connect.published);
  });
  const config: ThinqConfig = {
    country: sim.country,
    accessToken: sim.pat,
    refreshToken: sim.v1.refreshToken,
    baseUrl: `${base}/connect/`,
    pollIntervalInMs,
  };
  return {
    config,
    options: { caPem: sim.caPem, gatewayUrl: `${base}/api/common/gatewayUriList` },
    demo: {
      simulator: sim,
      fault(fault) {
        http.set(fault);
        if (fault !== 'none') sim.broker?.dropConnections();
      },
      async setValue(vendorId, metric, value) {
        const connect = sim.connect.devices.find((d) => d.deviceId === vendorId);
        if (connect) {
          const [resource, property, ...rest] = metric.split('.');
          if (!resource || !property || rest.length > 0) throw new RangeError(`ThinQ Connect metrics are resource.property, got ${JSON.stringify(metric)}`);
          await sim.connect.report(vendorId, { [resource]: { [property]: value } });
          return;
        }
        const v1 = sim.v1.devices.find((d) => d.deviceId === vendorId);
        if (!v1) throw new RangeError(`the ThinQ simulator has no device ${vendorId}`);
        if (typeof value === 'boolean') throw new TypeError('ThinQ v1 values are numbers or strings');
        v1.status[metric] = value;
      },
      async stop() {
        stopMotion();
        stopTrim();
        await http.close();
        await sim.close();
      },
    },
  };
}
