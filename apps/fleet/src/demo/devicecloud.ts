// The Device Cloud simulator for the demo: three gateways publishing DataPoints (temperature,
// humidity, rssi; the pump station also its energy meter, gateway-motion.ts) and their DeviceCore
// records, reached through fault proxies (REST and push).
import { encodeConnectionResponse } from '@x/devicecloud-monitor';
import { DeviceCloudSimulator } from '@x/devicecloud-monitor/testing';
import type { DevicecloudConfig } from '../config.js';
import { FaultProxy, refuseHttp } from './fault-proxy.js';
import { KEEP_ENTRIES, keepNewest, trimEvery } from './log-trim.js';
import { newGatewaySensors, stepGateway } from './gateway-motion.js';
import type { DemoVendor } from './types.js';

const GATEWAYS = [
  { devId: 1, id: '00000000-00000000-00409DFF-FF000000', name: 'Warehouse gateway', type: 'ConnectPort X4', baseC: 18, humidity: 45, meter: false },
  { devId: 2, id: '00000000-00000000-00409DFF-FF000001', name: 'Pump station gateway', type: 'ConnectPort X2e', baseC: 24, humidity: 60, meter: true },
  { devId: 3, id: '00000000-00000000-00409DFF-FF000002', name: 'Cold store gateway', type: 'IX20', baseC: 3, humidity: 85, meter: false },
] as const;
/** How often every gateway reports its sensors. */
const SENSOR_STEP_MS = 2000;

/** Publishes every gateway's sensors every SENSOR_STEP_MS; returns the stop function. */
function startSensors(sim: DeviceCloudSimulator): () => void {
  const sensors = GATEWAYS.map((g) => ({ id: g.id, sensors: newGatewaySensors(g.baseC, g.humidity, g.meter, Math.random) }));
  let last = Date.now();
  const timer = setInterval(() => {
    const now = Date.now();
    for (const { id, sensors: g } of sensors) {
      for (const v of stepGateway(g, now, now - last, Math.random)) sim.publishDataPoint({ streamId: `${id}/${v.stream}`, data: v.value, streamUnits: v.unit });
    }
    last = now;
  }, SENSOR_STEP_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Cuts the simulator's records back to their newest `keep` entries: its request and delivery logs,
 * each monitor's saved events, sent batches and acks, and each stream's stored points (the
 * simulator caps those at 10,000, which a demo fills only after hours, growing all the while).
 */
export function trimDevicecloudLogs(sim: DeviceCloudSimulator, keep = KEEP_ENTRIES): void {
  for (const list of [sim.connects, sim.deliveries, sim.requests]) keepNewest(list, keep);
  for (const monitor of sim.monitors()) for (const list of [monitor.history, monitor.sent, monitor.acks]) keepNewest(list, keep);
  for (const stream of sim.data.streams.values()) keepNewest(stream.points, keep);
}

export async function startDevicecloudDemo(): Promise<{ config: DevicecloudConfig; demo: DemoVendor<DeviceCloudSimulator> }> {
  const sim = await DeviceCloudSimulator.start({ tlsPort: false });
  const rest = await FaultProxy.start({ targetHost: '127.0.0.1', targetPort: sim.port, refuse: refuseHttp() });
  const push = await FaultProxy.start({
    targetHost: '127.0.0.1',
    targetPort: sim.pushPort,
    // A push server refuses credentials with a non-200 ConnectionResponse.
    refuse: (client) => client.once('data', () => client.end(encodeConnectionResponse(401))),
  });
  const announce = (): void => {
    for (const g of GATEWAYS) {
      sim.publish({
        type: 'DeviceCore',
        key: `${g.devId}/0`,
        operation: 'update',
        body: {
          id: { devId: g.devId, devVersion: 0 },
          devConnectwareId: g.id,
          cstId: sim.customerId,
          devTerminated: false,
          dpDeviceType: g.type,
          dpDescription: g.name,
          dpConnectionStatus: 1,
        },
      });
    }
  };
  const stopGenerator = startSensors(sim);
  const stopTrim = trimEvery(() => trimDevicecloudLogs(sim));
  // DeviceCore records go to every monitor as soon as it exists, then every 30 s.
  let monitors = 0;
  let ticks = 0;
  const announcer = setInterval(() => {
    const count = sim.monitors().length;
    ticks += 1;
    if (count !== monitors || ticks % 120 === 0) announce();
    monitors = count;
  }, 250);
  announcer.unref();
  const config: DevicecloudConfig = {
    username: sim.username,
    password: sim.password,
    baseUrl: `http://127.0.0.1:${rest.port}`,
    pushHost: '127.0.0.1',
    pushPort: push.port,
    secure: false,
  };
  return {
    config,
    demo: {
      simulator: sim,
      fault(fault) {
        rest.set(fault);
        push.set(fault);
      },
      setValue(vendorId, metric, value) {
        sim.publishDataPoint({ streamId: `${vendorId}/${metric}`, data: value });
      },
      async stop() {
        clearInterval(announcer);
        stopGenerator();
        stopTrim();
        await Promise.all([rest.close(), push.close()]);
        await sim.close();
      },
    },
  };
}
