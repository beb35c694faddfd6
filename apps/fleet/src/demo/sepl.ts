// The SEPL platform simulator for the demo: the fleet registers on it as a gateway; the demo can
// make the platform send commands, and take it offline (proxy) or reject the gateway's credentials.
// G2 (the SEPL websocket) by default; FLEET_DEMO_SEPL_PROTOCOL=g3 runs today's SENERGY platform
// instead (OpenID, hub REST, MQTT over TLS; needs the optional peer `aedes`).
import { setTimeout as delay } from 'node:timers/promises';
import { startSeplG3Simulator, startSeplSimulator, type SeplG3Simulator, type SeplSimulator } from '@x/sepl-connector/testing';
import type { SeplConfig } from '../config.js';
import { keepNewest, trimEvery } from './log-trim.js';
import { FaultProxy } from './fault-proxy.js';
import type { DemoVendor } from './types.js';

const USER = 'fleet-gateway';
const DEVICE_TYPES = { genset: 'iot#fleet-genset', gateway: 'iot#fleet-gateway', appliance: 'iot#fleet-appliance' };
/** A demo outage lasts until cleared ('none'). */
const OUTAGE_IN_MS = 24 * 3_600_000;
const ANSWER_TIMEOUT_IN_MS = 30_000;

type SeplDemo<Sim> = { config: SeplConfig; demo: DemoVendor<Sim> & { command(deviceId: string, command: string, params: Record<string, unknown>): Promise<Record<string, unknown>> } };

/** The demo's SEPL protocol: `protocol`, else FLEET_DEMO_SEPL_PROTOCOL, else g2. */
export function seplDemoProtocol(protocol: string | undefined = process.env.FLEET_DEMO_SEPL_PROTOCOL): 'g2' | 'g3' {
  if (protocol === undefined || protocol === '' || protocol === 'g2') return 'g2';
  if (protocol === 'g3') return 'g3';
  throw new RangeError(`FLEET_DEMO_SEPL_PROTOCOL must be g2 or g3, got ${JSON.stringify(protocol)}`);
}

/** The parameters a command's answer carries in its data part. */
function answerData(data: unknown): Record<string, unknown> {
  if (typeof data !== 'string') throw new Error('the bridge answered without a data part');
  return JSON.parse(data) as Record<string, unknown>;
}

export async function startSeplDemo(options: { protocol?: 'g2' | 'g3' } = {}): Promise<SeplDemo<SeplSimulator | SeplG3Simulator>> {
  const password = `demo-${Math.random().toString(36).slice(2)}`;
  return (options.protocol ?? seplDemoProtocol()) === 'g3' ? startG3Demo(password) : startG2Demo(password);
}

/** Today's SENERGY: the fleet logs in (OpenID), keeps its hub and devices, and speaks MQTT to the broker. */
async function startG3Demo(password: string): Promise<SeplDemo<SeplG3Simulator>> {
  const sim = await startSeplG3Simulator({ users: { [USER]: password } });
  const config: SeplConfig = {
    protocol: 'g3',
    g3: { tokenUrl: sim.tokenUrl, clientId: 'client-connector-lib', hubUrl: sim.hubUrl, deviceUrl: sim.deviceUrl, mqttUrl: sim.mqttUrl, ca: sim.caPem, hubName: 'fleet demo' },
    user: USER,
    password,
    deviceTypes: DEVICE_TYPES,
  };
  return {
    config,
    demo: {
      simulator: sim,
      fault(fault) {
        sim.rest.rejectCredentials = fault === 'unauthorised';
        if (fault === 'outage') sim.broker.outage(OUTAGE_IN_MS);
        else if (sim.broker.down) sim.broker.outage(0);
        if (fault === 'unauthorised') {
          sim.rest.expireTokens(USER);
          sim.broker.dropConnections();
        }
      },
      async command(deviceId, command, params) {
        const id = await sim.broker.sendCommand(deviceId, command, { metadata: '', data: JSON.stringify(params) });
        for (const until = Date.now() + ANSWER_TIMEOUT_IN_MS; Date.now() < until; await delay(50)) {
          const answer = sim.broker.commands.get(id)?.responses[0] as { data?: unknown } | undefined;
          if (answer !== undefined) return answerData(answer.data);
        }
        throw new Error(`the bridge did not answer within ${ANSWER_TIMEOUT_IN_MS / 1000} s`);
      },
      stop: () => sim.close(),
    },
  };
}

/** The SEPL websocket (G2) behind a fault proxy that can take it offline. */
async function startG2Demo(password: string): Promise<SeplDemo<SeplSimulator>> {
  const sim = await startSeplSimulator({ users: { [USER]: password } });
  const target = new URL(sim.websocketUrl);
  const proxy = await FaultProxy.start({ targetHost: target.hostname, targetPort: Number(target.port) });
  // Every bridged reading is a frame, an event and a data point the simulator keeps.
  const stopTrim = trimEvery(() => {
    for (const list of [sim.received, sim.sent, sim.events, sim.pings]) keepNewest(list);
    for (const points of sim.dataPoints.values()) keepNewest(points);
  });
  const config: SeplConfig = {
    url: `ws://127.0.0.1:${proxy.port}`,
    protocol: 'g2',
    user: USER,
    password,
    deviceTypes: DEVICE_TYPES,
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
        return answerData(parts.find((p) => p.name === 'data')?.value);
      },
      async stop() {
        stopTrim();
        await proxy.close();
        await sim.close();
      },
    },
  };
}
