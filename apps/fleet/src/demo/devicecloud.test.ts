import { DeviceCloudSimulator } from '@x/devicecloud-monitor/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { trimDevicecloudLogs } from './devicecloud.js';

describe('the demo keeps the Device Cloud simulator bounded', () => {
  let sim: DeviceCloudSimulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it("trims each monitor's saved events and acks and each stream's points, not only the request logs", async () => {
    sim = await DeviceCloudSimulator.start({ tlsPort: false });
    const monitor = sim.createMonitor({ monTopic: 'DataPoint', monTransportType: 'polling' });
    for (let i = 0; i < 30; i++) sim.publishDataPoint({ streamId: '00000000-00000000-00409DFF-FF000000/temperature', data: i });
    monitor.acks.push(...Array.from({ length: 30 }, (_, i) => i));
    expect([monitor.history.length, sim.data.streams.get('00000000-00000000-00409DFF-FF000000/temperature')?.points.length]).toEqual([30, 30]);

    trimDevicecloudLogs(sim, 10);

    const points = sim.data.streams.get('00000000-00000000-00409DFF-FF000000/temperature')?.points ?? [];
    expect([monitor.history.length, monitor.acks.length, points.length]).toEqual([10, 10, 10]);
    // The newest are kept.
    expect(points.map((p) => p.data)).toEqual(Array.from({ length: 10 }, (_, i) => String(20 + i)));
    expect(monitor.acks).toEqual(Array.from({ length: 10 }, (_, i) => 20 + i));
  });
});
