/**
 * The stable identity of a monitor event across replays: delivery is at-least-once (a replay can
 * repeat an event whose ack died with its connection), so consumers dedupe by this key. It is
 * taken from the fields the server sets (monitor, topic, operation, timestamp, resource id), and
 * remembered per event object at first use, so a handler that edits the event does not change it.
 */
import type { MonitorEvent } from './events.js';

const keys = new WeakMap<MonitorEvent, string>();

/** The id of the resource an event is about (DataPoint id, device id, file path), or '' when it has none. */
export function resourceId(event: MonitorEvent): string {
  switch (event.type) {
    case 'DataPoint':
      return typeof event.payload.id === 'string' ? event.payload.id : '';
    case 'DeviceCore': {
      const id = event.payload.id as { devId?: unknown; devVersion?: unknown } | undefined;
      return id && typeof id === 'object' ? `${String(id.devId)}/${String(id.devVersion)}` : String(event.payload.devConnectwareId ?? '');
    }
    case 'FileData': {
      const id = event.payload.id as { fdPath?: unknown; fdName?: unknown } | undefined;
      return id && typeof id === 'object' ? `${String(id.fdPath)}${String(id.fdName)}` : '';
    }
    case 'other':
      return '';
  }
}

/**
 * `monitorId|topic|operation|timestamp|resourceId`; the same for an event and its replayed copy.
 * The first call for an event object fixes its key (the session calls it before handing the event out).
 */
export function eventKey(event: MonitorEvent, monitorId: number): string {
  const known = keys.get(event);
  if (known !== undefined) return known;
  if (typeof event !== 'object' || event === null) throw new TypeError('event must be a MonitorEvent');
  if (!Number.isInteger(monitorId) || monitorId < 0) throw new RangeError('monitorId must be a non-negative integer');
  const key = `${monitorId}|${event.topic}|${event.operation}|${event.timestamp}|${resourceId(event)}`;
  keys.set(event, key);
  return key;
}
