import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ComapClient, VALUE_GUID } from './index.js';
import { startComapSimulator, type ComapSimulator } from './testing/index.js';

let sim: ComapSimulator;
let client: ComapClient;

beforeEach(async () => {
  sim = await startComapSimulator({ units: 4, seed: 11, rateLimit: false });
  client = new ComapClient({ ...sim.credentials(), baseUrl: sim.url, rateLimit: false });
});
afterEach(async () => {
  await client.close();
  await sim.close();
});

describe('ComapClient against the simulator', () => {
  it('lists units and values', async () => {
    const units = await client.units();
    expect(units.map((u) => u.unitGuid)).toEqual(sim.units.map((u) => u.unitGuid));
    const values = await client.values(units[0]!.unitGuid, [VALUE_GUID.engine_state, VALUE_GUID.mode]);
    expect(values.map((v) => v.name)).toEqual(['ControllerMode', 'Engine state']);
    expect(sim.requests.at(-1)!.query.valueGuids).toBe(`${VALUE_GUID.engine_state},${VALUE_GUID.mode}`);
    expect(client.tokenRequests).toBe(1);
  });
});
