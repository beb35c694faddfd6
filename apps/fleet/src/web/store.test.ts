import { describe, expect, it } from 'vitest';
import { decodeDevice, decodeReading, decodeStatus, type CommandRecord, type Reading } from './api.js';
import { FleetStore, MAX_COMMANDS, vendorProblem, type Change } from './store.js';

const device = decodeDevice({
  id: 'comap:g1',
  vendor: 'comap',
  vendorId: 'g1',
  name: 'Genset',
  kind: 'genset',
  model: null,
  online: true,
  lastSeen: '2026-11-21T06:00:00.000Z',
  primaryMetric: 'Engine speed',
  lastValues: { 'Engine speed': { value: 1500, unit: 'RPM', ts: '2026-11-21T06:00:00.000Z' } },
  commands: [],
  sepl: { registered: true },
});
const status = decodeStatus({
  version: '0.1.0',
  demo: true,
  vendors: { comap: { vendor: 'comap', enabled: true, state: 'connected', reason: null, since: null, lastSuccessAt: null, devices: 1, mode: 'polling' } },
  sepl: { enabled: true, state: 'connected', reason: null, since: null, gatewayId: 'gw', devicesRegistered: 1, eventsSent: 0, commandsReceived: 0, recentCommands: [] },
});
const reading = (value: number, ts: string): Reading => ({ deviceId: 'comap:g1', metric: 'Engine speed', value, unit: 'RPM', ts });
const record = (id: string, status: CommandRecord['status'], requestedAt: string): CommandRecord => ({
  id,
  deviceId: 'comap:g1',
  command: 'start',
  params: {},
  source: 'api',
  status,
  result: null,
  error: null,
  requestedAt,
  completedAt: null,
});

function loadedStore(): { store: FleetStore; changes: Change[] } {
  const store = new FleetStore();
  const changes: Change[] = [];
  store.subscribe((c) => changes.push(c));
  store.setSnapshot(status, [device]);
  return { store, changes };
}

describe('FleetStore', () => {
  it('fills missing vendors as disabled in a snapshot', () => {
    const { store, changes } = loadedStore();
    expect(store.loaded).toBe(true);
    expect(store.vendors.thinq?.state).toBe('disabled');
    expect(changes).toEqual([{ type: 'snapshot' }]);
  });

  it('takes a newer reading as the last value and ignores an older one for the table', () => {
    const { store, changes } = loadedStore();
    store.applyReading(reading(1510, '2026-11-21T06:00:05.000Z'));
    expect(store.devices.get('comap:g1')?.lastValues['Engine speed']).toEqual({ value: 1510, unit: 'RPM', ts: '2026-11-21T06:00:05.000Z' });
    expect(store.devices.get('comap:g1')?.lastSeen).toBe('2026-11-21T06:00:05.000Z');
    store.applyReading(reading(1, '2026-11-21T05:00:00.000Z'));
    expect(store.devices.get('comap:g1')?.lastValues['Engine speed']?.value).toBe(1510);
    // Both readings are still announced (the chart may plot the late one).
    expect(changes.filter((c) => c.type === 'device').length).toBe(2);
  });

  it('takes the words of a live reading: its value text, and its metric name for a metric first seen live', () => {
    const { store } = loadedStore();
    store.applyReading({ deviceId: 'comap:g1', metric: 'TempCur', value: 24, unit: 'C', ts: '2026-11-21T06:00:05.000Z', label: 'Temp cur', text: '24 °C' });
    const d = store.devices.get('comap:g1');
    expect(d?.labels).toEqual({ TempCur: 'Temp cur' });
    expect(d?.lastValues['TempCur']).toEqual({ value: 24, unit: 'C', ts: '2026-11-21T06:00:05.000Z', text: '24 °C' });
    // A device event without that label keeps it.
    store.applyDevice({ ...device, labels: {} });
    expect(store.devices.get('comap:g1')?.labels).toEqual({ TempCur: 'Temp cur' });
    expect(decodeReading({ deviceId: 'a:b', metric: 'm', value: 'COOL', unit: null, ts: 't', label: 'Mode', text: 'Cool' })).toEqual({ deviceId: 'a:b', metric: 'm', value: 'COOL', unit: null, ts: 't', label: 'Mode', text: 'Cool' });
  });

  it('ignores readings of unknown devices', () => {
    const { store, changes } = loadedStore();
    store.applyReading({ ...reading(1, '2026-11-21T06:00:05.000Z'), deviceId: 'thinq:nope' });
    expect(changes).toEqual([{ type: 'snapshot' }]);
  });

  it('keeps a newer last value when a device event carries an older one', () => {
    const { store } = loadedStore();
    store.applyReading(reading(1510, '2026-11-21T06:00:05.000Z'));
    store.applyDevice({ ...device, name: 'Renamed' });
    expect(store.devices.get('comap:g1')?.name).toBe('Renamed');
    expect(store.devices.get('comap:g1')?.lastValues['Engine speed']?.value).toBe(1510);
  });

  it('never lets a late pending record overwrite the final answer, and caps the list', () => {
    const { store } = loadedStore();
    store.applyCommand(record('a', 'ok', '2026-11-21T06:00:00.000Z'));
    store.applyCommand(record('a', 'pending', '2026-11-21T06:00:00.000Z'));
    expect(store.commands.map((c) => c.status)).toEqual(['ok']);
    for (let i = 0; i < MAX_COMMANDS + 5; i++) store.applyCommand(record(`n${i}`, 'ok', new Date(Date.parse('2026-11-21T07:00:00.000Z') + i * 1000).toISOString()));
    expect(store.commands.length).toBe(MAX_COMMANDS);
    expect(store.commands[0]?.id).toBe(`n${MAX_COMMANDS + 4}`);
    expect(store.commandsOf('comap:g1').length).toBe(MAX_COMMANDS);
  });

  it('sorts devices by vendor, then name', () => {
    const { store } = loadedStore();
    store.applyDevice({ ...device, id: 'thinq:a', vendor: 'thinq', name: 'A' });
    store.applyDevice({ ...device, id: 'comap:z', name: 'Aardvark' });
    expect(store.sortedDevices().map((d) => d.id)).toEqual(['comap:z', 'comap:g1', 'thinq:a']);
  });
});

describe('vendorProblem', () => {
  const base = status.vendors.comap;
  it('names offline and unauthorised vendors with their reason', () => {
    expect(vendorProblem({ ...base, state: 'degraded', reason: 'HTTP 503' })).toBe('Vendor offline: HTTP 503');
    expect(vendorProblem({ ...base, state: 'unauthorised', reason: null })).toBe('Vendor unauthorised');
    expect(vendorProblem({ ...base, state: 'disabled' })).toBe('Vendor disabled');
    expect(vendorProblem({ ...base, state: 'connecting' })).toBeNull();
    expect(vendorProblem(base)).toBeNull();
    expect(vendorProblem(undefined)).toBeNull();
    expect(vendorProblem({ ...base, state: 'degraded', reason: 'HTTP 503' }, false)).toBe('Vendor offline');
  });
});
