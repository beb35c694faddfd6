// The contract between the app and one vendor connector.
import { isHttpError } from '@x/http-core';
import type { CommandExecutor } from '../commands.js';
import type { Ingest } from '../ingest.js';
import type { Logger } from '../log.js';
import type { CommandRecord, SeplStatus, Vendor } from '../model.js';
import type { Scrub } from '../secrets.js';
import type { FleetService } from '../service.js';
import type { StateTracker } from '../status.js';
import type { DemoConnectorOptions } from '../demo/types.js';

export interface ConnectorContext {
  readonly ingest: Ingest;
  /** This connector's state as /api/status and the `vendor` event show it. */
  readonly tracker: StateTracker;
  readonly logger: Logger;
  now(): number;
  /** Small persistent values (e.g. a client id a vendor wants kept across restarts). */
  readonly kv: { get<T>(key: string): Promise<T | undefined>; set(key: string, value: unknown): Promise<void> };
  /** How data arrives right now (e.g. 'polling', 'push', 'connect-push', 'v1-monitoring'). */
  setMode(mode: string | null): void;
  /** Other collectors gone longer than `afterInMs`, when this one is to clean up after them (Cluster.goneCollectors). */
  goneCollectors?(afterInMs: number): Promise<readonly string[]>;
}

export interface BackfillProgress {
  done: number;
  total: number;
  readings: number;
  label: string;
}

export interface VendorConnector extends CommandExecutor {
  readonly vendor: Vendor;
  /** Starts background work. Vendor failures never reject: they show in the tracker and are retried. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** This collector gained devices (shards): poll now rather than at the next interval (polling vendors). */
  refresh?(): void;
  /** Loads history for [from, to] (only vendors with a history API). */
  backfill?(range: { from: number; to: number }, onProgress: (p: BackfillProgress) => void, signal: AbortSignal): Promise<number>;
}

/** The SEPL bridge as the app sees it. */
export interface Bridge {
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): SeplStatus;
  isRegistered(deviceId: string): boolean;
  recordCommand?(record: CommandRecord): void;
  /** Stops serving the devices this collector no longer owns (shards lost). */
  releaseUnowned?(): Promise<void>;
}

/** What the SEPL bridge gets from the app. */
export interface BridgeContext {
  service: FleetService;
  ingest: Ingest;
  logger: Logger;
  now(): number;
  kv: ConnectorContext['kv'];
  scrub: Scrub;
}

export interface ConnectorTuning {
  /** Demo: simulators on loopback, so no client-side rate limit and short retries. */
  demo: boolean;
  /** Trust settings for the demo's simulators. */
  demoOptions?: DemoConnectorOptions | undefined;
}

/** Message of any thrown value, bounded, for status reasons and logs. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const prefix = isHttpError(err) && !err.message.includes(String(err.status)) ? `HTTP ${err.status}: ` : typeof code === 'string' && !err.message.includes(code) ? `${code}: ` : '';
    return `${prefix}${err.message}`.slice(0, 300);
  }
  return String(err).slice(0, 300);
}
