// A small fleet in the API's shapes (API.md "Model") for the page-state tests on the fake API.
import type { Json } from './fake-fleet.js';

export const iso = (ms: number): string => new Date(ms).toISOString();

export function sampleDevices(now = Date.now()): Json[] {
  return [
    {
      id: 'comap:genset-1',
      vendor: 'comap',
      vendorId: 'genset-1',
      name: 'Genset Westport',
      kind: 'genset',
      model: 'InteliGen',
      online: true,
      lastSeen: iso(now),
      primaryMetric: 'Engine speed',
      lastValues: {
        'Engine speed': { value: 1500, unit: 'RPM', ts: iso(now) },
        'Controller mode': { value: 'AUT', unit: null, ts: iso(now) },
      },
      commands: [
        { name: 'start', label: 'Start', dangerous: true, params: [] },
        { name: 'stop', label: 'Stop', dangerous: true, params: [] },
        { name: 'changeMode', label: 'Change mode', dangerous: true, params: [{ name: 'mode', type: 'enum', values: ['OFF', 'MAN', 'AUT'], required: true }] },
      ],
      sepl: { registered: true },
    },
    {
      id: 'devicecloud:00000000-00000000-00409DFF-FF000001',
      vendor: 'devicecloud',
      vendorId: '00000000-00000000-00409DFF-FF000001',
      name: 'Gateway Dock 4',
      kind: 'gateway',
      model: 'ConnectPort X4',
      online: true,
      lastSeen: iso(now),
      primaryMetric: 'temperature',
      lastValues: { temperature: { value: 21.5, unit: 'C', ts: iso(now) } },
      commands: [],
      sepl: { registered: true },
    },
    {
      id: 'thinq:ac-1',
      vendor: 'thinq',
      vendorId: 'ac-1',
      name: 'Office AC',
      kind: 'appliance',
      model: 'DEVICE_AIR_CONDITIONER',
      online: true,
      lastSeen: iso(now),
      primaryMetric: 'temperature.currentTemperature',
      lastValues: {
        'temperature.currentTemperature': { value: 25, unit: 'C', ts: iso(now) },
        'operation.airConOperationMode': { value: 'POWER_ON', unit: null, ts: iso(now) },
      },
      commands: [
        { name: 'operation.airConOperationMode', label: 'Operation', dangerous: true, params: [{ name: 'value', type: 'enum', values: ['POWER_ON', 'POWER_OFF'], required: true }] },
        { name: 'temperature.targetTemperature', label: 'Target temperature', dangerous: false, params: [{ name: 'value', type: 'number', min: 18, max: 30, step: 1, unit: 'C', required: true }] },
      ],
      sepl: { registered: false },
    },
  ];
}

export function commandRecord(overrides: Json): Json {
  return {
    id: 'cmd-1',
    deviceId: 'comap:genset-1',
    command: 'start',
    params: {},
    source: 'api',
    status: 'ok',
    result: 'Command was successfully sent.',
    error: null,
    requestedAt: iso(Date.now()),
    completedAt: iso(Date.now()),
    ...overrides,
  };
}
