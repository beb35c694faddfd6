// The Device Cloud simulator for the demo: three gateways publishing DataPoints (temperature,
// humidity, rssi) and their DeviceCore records, reached through fault proxies (REST and push).
import { encodeConnectionResponse } from '@x/devicecloud-monitor';
import { DeviceCloudSimulator } from '@x/devicecloud-monitor/testing';
import type { DevicecloudConfig } from '../config.js';
import { FaultProxy, refuseHttp } from './fault-proxy.js';
import type { DemoVendor } from './types.js';

const GATEWAYS = [
  { devId: 1, id: '00000000-00000000-00409DFF-FF000000', name: 'Warehouse gateway', type: 'ConnectPort X4' },
  { devId: 2, id: '00000000-00000000-00409DFF-FF000001', name: 'Pump station gateway', type: 'ConnectPort X2e' },
  { devId: 3, id: '00000000-00000000-00409DFF-FF000002', name: 'Cold store gateway', type: 'IX20' },
] as const;

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
  const stopGenerator = sim.generate({ eventsPerSecond: 6, devices: GATEWAYS.length });
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
        await Promise.all([rest.close(), push.close()]);
        await sim.close();
      },
    },
  };
}
