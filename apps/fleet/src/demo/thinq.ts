// The ThinQ simulator for the demo: Connect appliances (state by MQTT push over mutual TLS) and v1
// appliances (rti monitoring), its HTTP API reached through a fault proxy.
import { startThinqSimulator, type ThinqSimulator } from '@x/thinq/testing';
import type { ThinqConfig } from '../config.js';
import type { ThinqConnectorOptions } from '../connectors/thinq.js';
import { FaultProxy, refuseHttp } from './fault-proxy.js';
import type { DemoVendor } from './types.js';

export async function startThinqDemo(pollIntervalInMs: number): Promise<{ config: ThinqConfig; options: ThinqConnectorOptions; demo: DemoVendor<ThinqSimulator> }> {
  const sim = await startThinqSimulator();
  const target = new URL(sim.url);
  const http = await FaultProxy.start({
    targetHost: target.hostname,
    targetPort: Number(target.port),
    refuse: refuseHttp('{"error":{"code":"1103","message":"INVALID_TOKEN"}}'),
  });
  const base = `http://127.0.0.1:${http.port}`;
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
        await http.close();
        await sim.close();
      },
    },
  };
}
