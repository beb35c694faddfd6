/**
 * What the simulator remembers besides monitors: data streams with their points (data kept as the
 * exact text written, so a LONG above 2^53 reads back digit for digit) and the device inventory.
 */
import type { DeviceCoreInput } from './sim-events.js';

export interface StoredPoint {
  id: string;
  /** Device time and server time, epoch ms. */
  timestamp: number;
  serverTimestamp: number;
  /** The value as written (the exact digits of a LONG). */
  data: string;
  description: string;
  quality: number;
}

export interface StoredStream {
  streamId: string;
  dataType: string;
  units: string;
  description: string;
  dataTtl: number;
  rollupTtl: number;
  /** Oldest first by device time. */
  points: StoredPoint[];
}

/** Points kept per stream (the oldest are dropped first), so a long generator run stays bounded. */
export const MAX_POINTS_PER_STREAM = 10_000;
/** TTLs (seconds) of a stream created without them: python-devicecloud's create defaults, 2 and 5 days. */
const DEFAULT_DATA_TTL = 172_800;
const DEFAULT_ROLLUP_TTL = 432_000;

export class SimStore {
  readonly streams = new Map<string, StoredStream>();
  /** Devices by devId. */
  readonly devices = new Map<number, Record<string, unknown>>();

  /** Creates the stream or updates the fields given (POST /ws/DataStream is an upsert here). */
  upsertStream(fields: Partial<Omit<StoredStream, 'points'>> & { streamId: string }): StoredStream {
    let stream = this.streams.get(fields.streamId);
    if (!stream) {
      stream = { streamId: fields.streamId, dataType: 'UNKNOWN', units: '', description: '', dataTtl: DEFAULT_DATA_TTL, rollupTtl: DEFAULT_ROLLUP_TTL, points: [] };
      this.streams.set(fields.streamId, stream);
    }
    for (const key of ['dataType', 'units', 'description', 'dataTtl', 'rollupTtl'] as const) {
      if (fields[key] !== undefined) (stream as unknown as Record<string, unknown>)[key] = fields[key];
    }
    return stream;
  }

  /** Appends a point in device-time order (the stream is created by its first point, typed by it). */
  addPoint(streamId: string, point: StoredPoint, meta: { dataType: string; units?: string | undefined }): void {
    const known = this.streams.has(streamId);
    const stream = this.upsertStream({ streamId, ...(known ? {} : { dataType: meta.dataType, ...(meta.units ? { units: meta.units } : {}) }) });
    const list = stream.points;
    let at = list.length;
    while (at > 0 && (list[at - 1] as StoredPoint).timestamp > point.timestamp) at--;
    list.splice(at, 0, point);
    if (list.length > MAX_POINTS_PER_STREAM) list.shift();
  }

  /** Adds or replaces a device record (the REST DeviceCore item shape, values as the server types them). */
  putDevice(input: DeviceCoreInput & { grpPath?: string; dpTags?: string; dpDescription?: string }, cstId: number): Record<string, unknown> {
    const record: Record<string, unknown> = {
      id: { devId: input.devId, devVersion: 0 },
      devConnectwareId: input.devConnectwareId,
      devMac: input.devMac ?? '00:40:9D:00:00:00',
      cstId,
      grpId: cstId,
      grpPath: input.grpPath ?? '',
      dpTags: input.dpTags ?? '',
      dpDescription: input.dpDescription ?? '',
      dpDeviceType: input.dpDeviceType ?? 'unknown',
      dpConnectionStatus: input.dpConnectionStatus ?? 1,
      dpFirmwareLevel: input.dpFirmwareLevel ?? 0,
      devTerminated: input.devTerminated ?? false,
    };
    this.devices.set(input.devId, record);
    return record;
  }
}
