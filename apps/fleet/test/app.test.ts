// The whole fleet against the four vendor simulators over loopback (demo mode, as `fleet demo`
// runs it): discovery, SEPL registration, SEPL commands routed to the right cloud, live values on
// readings and SSE, API commands round-tripping to the simulators, and one vendor's outage
// degrading only that vendor and recovering.
/* eslint-disable @typescript-eslint/no-explicit-any -- simulator internals and JSON answers are checked field by field */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import type { ComapSimulator } from '@x/comap/testing';
import type { SeplSimulator } from '@x/sepl-connector/testing';
import type { ThinqSimulator } from '@x/thinq/testing';
import { startFleet, type FleetApp } from '../src/index.js';
import { silentLogger } from '../src/log.js';

interface SseEvent {
  event: string;
  data: any;
}

/** A live SSE subscription collecting parsed events. */
async function subscribe(url: string): Promise<{ events: SseEvent[]; until(pred: (e: SseEvent) => boolean, timeoutInMs?: number): Promise<SseEvent>; close(): void }> {
  const controller = new AbortController();
  const res = await fetch(`${url}/api/events`, { signal: controller.signal });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: SseEvent[] = [];
  const waiters: Array<() => void> = [];
  let buffer = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const name = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (name && data) events.push({ event: name, data: JSON.parse(data) });
        }
        for (const w of waiters.splice(0)) w();
      }
    } catch {
      // aborted
    }
  })();
  return {
    events,
    async until(pred, timeoutInMs = 10_000) {
      const deadline = Date.now() + timeoutInMs;
      for (;;) {
        const hit = events.find(pred);
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error(`no matching SSE event within ${timeoutInMs} ms (got ${events.map((e) => e.event).join(', ')})`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
    },
    close: () => controller.abort(),
  };
}

async function api(app: FleetApp, path: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const res = await fetch(app.url + path, init);
  return { status: res.status, body: await res.json() };
}

const post = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('the fleet on the four simulators', () => {
  let app: FleetApp;
  let comap: ComapSimulator;
  let sepl: SeplSimulator;
  let thinq: ThinqSimulator;

  beforeAll(async () => {
    app = await startFleet({ demo: true, port: 0, dataDir: 'memory://', logger: silentLogger });
    comap = app.simulators!.comap as ComapSimulator;
    sepl = app.simulators!.sepl as SeplSimulator;
    thinq = app.simulators!.thinq as ThinqSimulator;
    await app.waitFor(
      (s) =>
        s.vendors.comap.state === 'connected' &&
        s.vendors.comap.devices === 3 &&
        s.vendors.devicecloud.devices === 3 &&
        s.vendors.thinq.devices === 9 &&
        s.sepl.state === 'connected' &&
        s.sepl.devicesRegistered === 15,
      40_000,
    );
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
  });

  it('shows the devices of the three clouds, each registered on the SEPL simulator', async () => {
    const { body } = await api(app, '/api/devices');
    const byVendor = (v: string) => body.devices.filter((d: any) => d.vendor === v);
    expect(byVendor('comap').map((d: any) => d.vendorId).sort()).toEqual(comap.units.map((u) => u.unitGuid).sort());
    expect(byVendor('comap').every((d: any) => d.kind === 'genset' && d.commands.some((c: any) => c.name === 'changeMode'))).toBe(true);
    await expect
      .poll(async () => (await api(app, '/api/devices?vendor=devicecloud')).body.devices.map((d: any) => d.name).sort(), { timeout: 10_000 })
      .toEqual(['Cold store gateway', 'Pump station gateway', 'Warehouse gateway']);
    expect(byVendor('thinq').map((d: any) => d.vendorId).sort()).toEqual(
      [...thinq.connect.devices.map((d) => d.deviceId), ...thinq.v1.devices.map((d) => d.deviceId)].sort(),
    );
    expect(body.devices.every((d: any) => d.sepl.registered === true)).toBe(true);
    const gateway = [...sepl.gateways.values()][0]!;
    expect([...gateway.committed].sort()).toEqual(body.devices.map((d: any) => d.id).sort());
    const status = app.status();
    expect(status.sepl).toMatchObject({ enabled: true, state: 'connected', gatewayId: gateway.id, devicesRegistered: 15 });
    expect(status.vendors.devicecloud.mode).toBe('push');
    expect(status.vendors.comap.mode).toBe('polling');
    expect(status.vendors.thinq.mode).toBe('connect-push+v1-monitoring');
  });

  it('executes a command sent by the SEPL platform on the device cloud it belongs to and answers with the result', async () => {
    const unit = comap.units[1]!;
    const deviceId = `comap:${unit.unitGuid}`;
    const target = unit.state.mode === 'MAN' ? 'AUT' : 'MAN';
    const before = unit.commands.length;
    const answer: any = await app.demo!.seplCommand(deviceId, 'changeMode', { mode: target });
    expect(answer).toMatchObject({ deviceId, command: 'changeMode', params: { mode: target }, source: 'sepl', status: 'ok', error: null });
    expect(answer.result).toEqual({ message: 'Command was successfully sent.' });
    expect(unit.commands.slice(before).map((c) => c.body)).toEqual([{ command: 'changeMode', mode: target }]);
    expect(unit.state.mode).toBe(target);

    const ac = thinq.connect.device('sim-conn-ac-0001');
    const answer2: any = await app.demo!.seplCommand('thinq:sim-conn-ac-0001', 'airFlow.windStrength', { value: 'HIGH' });
    expect(answer2).toMatchObject({ status: 'ok', source: 'sepl', command: 'airFlow.windStrength', params: { value: 'HIGH' } });
    expect((ac.state as any).airFlow.windStrength).toBe('HIGH');

    const refused: any = await app.demo!.seplCommand('devicecloud:00000000-00000000-00409DFF-FF000000', 'reboot', {});
    expect(refused).toMatchObject({ status: 'failed', source: 'sepl', error: 'Warehouse gateway does not accept "reboot" (it takes no commands)' });
    await app.waitFor((s) => s.sepl.commandsReceived === 3 && s.sepl.recentCommands.length === 3, 10_000);
    expect(app.status().sepl.recentCommands.map((c) => [c.command, c.status])).toEqual([
      ['reboot', 'failed'],
      ['airFlow.windStrength', 'ok'],
      ['changeMode', 'ok'],
    ]);
  });

  it('shows a value changed in a simulator in the readings and on the SSE stream, and forwards it to SEPL', async () => {
    const sse = await subscribe(app.url);
    try {
      const id = 'devicecloud:00000000-00000000-00409DFF-FF000001';
      await app.demo!.setValue(id, 'pressure', 3.25);
      const event = await sse.until((e) => e.event === 'reading' && e.data.deviceId === id && e.data.metric === 'pressure');
      expect(event.data).toMatchObject({ deviceId: id, metric: 'pressure', value: 3.25, unit: null });
      const { body } = await api(app, `/api/devices/${encodeURIComponent(id)}/readings?metric=pressure`);
      expect(body.readings).toEqual([event.data]);
      await expect.poll(() => sepl.events.some((e) => e.deviceId === id && e.service === 'pressure' && (e.parts ?? []).some((p) => p.name === 'data' && p.value === '3.25')), { timeout: 10_000 }).toBe(true);

      // ThinQ Connect: a report from the appliance arrives by MQTT push.
      await app.demo!.setValue('thinq:sim-conn-ac-0001', 'temperature.currentTemperature', 22.5);
      const pushed = await sse.until((e) => e.event === 'reading' && e.data.deviceId === 'thinq:sim-conn-ac-0001' && e.data.value === 22.5);
      expect(pushed.data).toMatchObject({ metric: 'temperature.currentTemperature', unit: 'C' });
    } finally {
      sse.close();
    }
  });

  it('sends an API command to the right simulator and its effect comes back with the next poll', async () => {
    const unit = comap.units.find((u) => !u.state.running)!;
    const id = `comap:${unit.unitGuid}`;
    const res = await api(app, `/api/devices/${encodeURIComponent(id)}/commands`, post({ command: 'start' }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ deviceId: id, command: 'start', params: {}, source: 'api', status: 'ok' });
    expect(unit.state.running).toBe(true);
    await expect
      .poll(async () => (await api(app, `/api/devices/${encodeURIComponent(id)}`)).body.lastValues.RPM?.value, { timeout: 10_000 })
      .toBe(1500);

    const bad = await api(app, `/api/devices/${encodeURIComponent(id)}/commands`, post({ command: 'changeMode', params: { mode: 'TURBO' } }));
    expect(bad).toMatchObject({ status: 400, body: { error: { param: 'params.mode' } } });
  });

  it('follows DeviceCore connection changes and decodes ThinQ v1 monitoring', async () => {
    const dc = app.simulators!.devicecloud as { publish(input: { type: string; key: string; operation?: 'update'; body: Record<string, unknown> }): unknown; customerId: number };
    const id = '00000000-00000000-00409DFF-FF000002';
    const core = (status: 0 | 1) =>
      dc.publish({
        type: 'DeviceCore',
        key: '3/0',
        operation: 'update',
        body: { id: { devId: 3, devVersion: 0 }, devConnectwareId: id, cstId: dc.customerId, dpConnectionStatus: status, dpDeviceType: 'IX20', dpDescription: 'Cold store gateway' },
      });
    const sse = await subscribe(app.url);
    try {
      core(0);
      const offline = await sse.until((e) => e.event === 'device' && e.data.id === `devicecloud:${id}` && e.data.online === false);
      expect(offline.data).toMatchObject({ name: 'Cold store gateway', model: 'IX20', kind: 'gateway' });
      core(1);
      await sse.until((e) => e.event === 'device' && e.data.id === `devicecloud:${id}` && e.data.online === true);
    } finally {
      sse.close();
    }
    // v1: binary/JSON monitor frames decoded with the model (enum codes become labels).
    await expect
      .poll(async () => (await api(app, '/api/devices/thinq%3Asim-fridge-0001')).body.lastValues.TempRefrigerator?.value, { timeout: 10_000 })
      .toBe(4);
    const dryer = (await api(app, '/api/devices/thinq%3Asim-dryer-0001')).body;
    expect([dryer.online, dryer.model, dryer.commands]).toEqual([false, 'DRYER', []]);
  });

  it('degrades only the vendor in outage, keeps the others flowing, and recovers by itself', async () => {
    const sse = await subscribe(app.url);
    try {
      await app.demo!.fault('comap', 'outage');
      const degraded = await sse.until((e) => e.event === 'vendor' && e.data.vendor === 'comap' && e.data.state === 'degraded');
      expect(degraded.data.reason).toMatch(/503/);
      const mark = sse.events.length;
      // Device Cloud keeps pushing while ComAp is down.
      await sse.until((e) => sse.events.indexOf(e) > mark && e.event === 'reading' && e.data.deviceId.startsWith('devicecloud:'));
      const during = app.status();
      expect(during.vendors.devicecloud.state).toBe('connected');
      expect(during.vendors.thinq.state).toBe('connected');
      expect(during.sepl.state).toBe('connected');
      // A command to the vendor in outage fails fast with the reason, nothing is sent.
      const genset = `comap:${comap.units[0]!.unitGuid}`;
      const refused = await api(app, `/api/devices/${encodeURIComponent(genset)}/commands`, post({ command: 'faultReset' }));
      expect(refused.status).toBe(503);
      expect(refused.body.error.code).toBe('vendor_unavailable');

      await app.demo!.fault('comap', 'none');
      await sse.until((e) => e.event === 'vendor' && e.data.vendor === 'comap' && e.data.state === 'connected', 15_000);
      expect(app.status().vendors.comap).toMatchObject({ state: 'connected', reason: null });
    } finally {
      sse.close();
    }
  });

  it('shows rejected credentials as unauthorised for that vendor only', async () => {
    await app.demo!.fault('thinq', 'unauthorised');
    const s = await app.waitFor((st) => st.vendors.thinq.state === 'unauthorised', 15_000);
    expect(s.vendors.thinq.reason).toMatch(/1103/);
    expect(s.vendors.comap.state).toBe('connected');
    await app.demo!.fault('thinq', 'none');
    await app.waitFor((st) => st.vendors.thinq.state === 'connected', 15_000);
  });
});
