// The SEPL platform simulator for the demo: the fleet registers on it as a gateway; the demo can
// make the platform send commands, and take it offline (proxy) or reject the gateway's credentials.
import { startSeplSimulator, type SeplSimulator } from '@x/sepl-connector/testing';
import type { SeplConfig } from '../config.js';
import { FaultProxy } from './fault-proxy.js';
import type { DemoVendor } from './types.js';

const USER = 'fleet-gateway';

export async function startSeplDemo(): Promise<{ config: SeplConfig; demo: DemoVendor<SeplSimulator> & { command(deviceId: string, command: string, params: Record<string, unknown>): Promise<Record<string, unknown>> } }> {
  const password = `demo-${Math.random().toString(36).slice(2)}`;
  const sim = await startSeplSimulator({ users: { [USER]: password } });
  const target = new URL(sim.websocketUrl);
  const proxy = await FaultProxy.start({ targetHost: target.hostname, targetPort: Number(target.port) });
  const config: SeplConfig = {
    url: `ws://127.0.0.1:${proxy.port}`,
    protocol: 'g2',
    user: USER,
    password,
    deviceTypes: { genset: 'iot#fleet-genset', gateway: 'iot#fleet-gateway', appliance: 'iot#fleet-appliance' },
  };
  return {
    config,
    demo: {
      simulator: sim,
      fault(fault) {
        sim.rejectCredentials = fault === 'unauthorised';
        proxy.set(fault === 'outage' ? 'outage' : 'none');
        if (fault !== 'none') sim.dropConnections();
      },
      async command(deviceId, command, params) {
        const answer = await sim.sendCommand(deviceId, command, { metadata: '', data: JSON.stringify(params) }, { timeoutInMs: 30_000 });
        const parts = Array.isArray(answer.protocol_parts) ? (answer.protocol_parts as Array<{ name?: unknown; value?: unknown }>) : [];
        const data = parts.find((p) => p.name === 'data')?.value;
        if (typeof data !== 'string') throw new Error('the bridge answered without a data part');
        return JSON.parse(data) as Record<string, unknown>;
      },
      async stop() {
        await proxy.close();
        await sim.close();
      },
    },
  };
}
