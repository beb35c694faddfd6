// The same appliances sending BINARY(BYTE), BINARY(HEX) and XML monitor frames through rti: every
// format decodes to the same fields and status views, end to end (Base64 over the v1 API).
import { describe, expect, it } from 'vitest';
import { statusView } from '../status.js';
import { startThinqSimulator, type ThinqSimulator } from '../testing/simulator.js';
import type { SimMonitorType } from '../testing/v1-models.js';
import { V1Client } from './client.js';

async function firstFrames(monitorType: SimMonitorType): Promise<{ type: string; washer: Record<string, unknown>; fridge: Record<string, unknown> }> {
  const sim: ThinqSimulator = await startThinqSimulator({ mqtt: false, v1: { monitorType, warmupPolls: 0 } });
  const client = new V1Client({ gatewayUrl: sim.gatewayUrl });
  try {
    const callback = (await fetch(await client.loginUrl(), { redirect: 'manual' })).headers.get('location') ?? '';
    await client.completeLogin(callback);
    const read = async (id: string) => {
      const model = await client.modelInfo(await client.device(id));
      for await (const frame of client.monitor(id).watch(model, { intervalInMs: 1 })) return { model, data: frame.data };
      throw new Error('no frame');
    };
    const washer = await read('sim-washer-0001');
    const fridge = await read('sim-fridge-0001');
    return { type: washer.model.monitorType, washer: washer.data, fridge: statusView('refrigerator', fridge.model, fridge.data) as unknown as Record<string, unknown> };
  } finally {
    await client.close();
    await sim.close();
  }
}

describe('v1 monitor frame formats end to end', () => {

  it('BINARY(HEX) and XML frames give the same fields as BINARY(BYTE)', { timeout: 30_000 }, async () => {
    const byte = await firstFrames('BINARY(BYTE)');
    const hex = await firstFrames('BINARY(HEX)');
    const xml = await firstFrames('XML');
    expect([byte.type, hex.type, xml.type]).toEqual(['BINARY(BYTE)', 'BINARY(HEX)', 'XML']);
    expect(byte.washer).toMatchObject({ State: '3', Remain_Time_M: '21', TubCycles: '2147483649' });
    expect(hex.washer).toEqual(byte.washer);
    expect(xml.washer).toEqual(byte.washer);
    expect(hex.fridge).toEqual(byte.fridge);
    expect(xml.fridge).toEqual(byte.fridge);
  });

  it('refuses an unknown monitor type before starting anything', async () => {
    await expect(startThinqSimulator({ v1: { monitorType: 'CSV' as SimMonitorType } })).rejects.toThrow(new RangeError('v1.monitorType must be BINARY(BYTE), BINARY(HEX) or XML'));
  });
});
