/** Test support: SeplConnector options against a G3 simulator started with `{ users: { alice: 'secret' }, clientId: 'cc' }`. */
import type { SeplDevice } from './device.js';
import { MemoryDeviceStore } from './memory-store.js';
import type { SeplConnectorOptions } from './options.js';
import type { SeplG3Simulator } from './testing/g3-simulator.js';

/** Protocol g3 as alice, the simulator's endpoints and CA, `devices` in a memory store, then `extra`. */
export function aliceG3Options(sim: SeplG3Simulator, devices: SeplDevice[], extra: Partial<SeplConnectorOptions> = {}): SeplConnectorOptions {
  return {
    protocol: 'g3',
    g3: { tokenUrl: sim.tokenUrl, clientId: 'cc', hubUrl: sim.hubUrl, deviceUrl: sim.deviceUrl, mqttUrl: sim.mqttUrl, ca: sim.caPem },
    user: 'alice',
    password: 'secret',
    store: new MemoryDeviceStore(devices),
    ...extra,
  };
}
