// The fleet's common model: what every vendor connector maps its own data onto, what storage
// keeps and what the HTTP API shows (shapes documented in API.md).

import { COLLECTOR_IDS, type CollectorId } from './vendor-info.js';

/** The device clouds the fleet collects from (the registry's collectors, src/vendor-info.ts). SEPL is not a source: the fleet bridges onto it. */
export const VENDORS: readonly CollectorId[] = COLLECTOR_IDS;
export type Vendor = CollectorId;

export type DeviceKind = 'genset' | 'gateway' | 'appliance';

export type ReadingValue = number | string | boolean;

export interface LastValue {
  value: ReadingValue;
  unit: string | null;
  ts: string;
  /** The value in words where they differ from value + unit (ThinQ: `Cool`, `27 °C`; src/readable.ts). */
  text?: string;
}

export interface CommandParamSpec {
  name: string;
  type: 'enum' | 'number' | 'string' | 'boolean';
  required: boolean;
  values?: string[];
  /** Enum values in words, by value (the page shows these and sends the value). */
  valueLabels?: Record<string, string>;
  min?: number;
  max?: number;
  step?: number;
  unit?: string;
}

export interface CommandSpec {
  name: string;
  label: string;
  /** Moves machinery: the page asks for confirmation first. */
  dangerous: boolean;
  params: CommandParamSpec[];
}

/** What a connector reports about one device (storage adds the rest). */
export interface DeviceInfo {
  vendor: Vendor;
  vendorId: string;
  name: string;
  kind: DeviceKind;
  model: string | null;
  online: boolean;
  primaryMetric: string | null;
  commands: CommandSpec[];
}

export interface Device extends DeviceInfo {
  id: string;
  lastSeen: string | null;
  lastValues: Record<string, LastValue>;
  sepl: { registered: boolean };
  /** Metric (and command) names in words where they differ from the raw name (ThinQ; src/readable.ts). */
  labels?: Record<string, string>;
}

/** A reading as connectors produce it and storage keeps it (time as epoch milliseconds). */
export interface ReadingInput {
  deviceId: string;
  metric: string;
  value: ReadingValue;
  unit: string | null;
  ts: number;
}

/** A reading as the API shows it. */
export interface Reading {
  deviceId: string;
  metric: string;
  value: ReadingValue;
  unit: string | null;
  ts: string;
  /** The metric in words, on live events (src/readable.ts). */
  label?: string;
  /** The value in words, on live events (src/readable.ts). */
  text?: string;
}

export type ConnectorState = 'disabled' | 'connecting' | 'connected' | 'degraded' | 'unauthorised';

export interface VendorStatus {
  vendor: Vendor;
  enabled: boolean;
  state: ConnectorState;
  reason: string | null;
  since: string;
  lastSuccessAt: string | null;
  devices: number;
  mode: string | null;
}

export type CommandSource = 'api' | 'sepl';
export type CommandStatus = 'pending' | 'ok' | 'failed';

export interface CommandRecord {
  id: string;
  deviceId: string;
  command: string;
  params: Record<string, unknown>;
  source: CommandSource;
  status: CommandStatus;
  result: unknown;
  error: string | null;
  requestedAt: string;
  completedAt: string | null;
}

export interface SeplStatus {
  enabled: boolean;
  state: ConnectorState;
  reason: string | null;
  since: string;
  gatewayId: string | null;
  devicesRegistered: number;
  eventsSent: number;
  commandsReceived: number;
  recentCommands: CommandRecord[];
}

/** The fleet-wide device id: `<vendor>:<vendorId>`. */
export function deviceId(vendor: Vendor, vendorId: string): string {
  return `${vendor}:${vendorId}`;
}

export function isVendor(value: unknown): value is Vendor {
  return typeof value === 'string' && (VENDORS as readonly string[]).includes(value);
}

export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}
