// Every collector has its own Device Cloud push monitor, `x-fleet collector <name>`; one that is
// gone for good would keep its monitor (and the events Device Cloud queues for it) forever. The
// collector holding shard 0 deletes the monitors of collectors whose last heartbeat is older than
// `devicecloud.retireMonitorsAfterInMs` (shards/leases.ts keeps it): never its own, never a live
// collector's, never one whose name was never seen, and never a monitor not named and made like
// the fleet's (a TCP monitor with that exact description). A collector that comes back later
// simply creates a new monitor.
import { MonitorFields, type DeviceCloudClient } from '@x/devicecloud-monitor';
import { isHttpError } from '@x/http-core';
import type { Logger } from '../log.js';

const PREFIX = 'x-fleet collector ';

/** The description of the push monitor of the collector named `collector`. */
export function monitorDescription(collector: string): string {
  return `${PREFIX}${collector}`;
}

export interface RetireOptions {
  client: Pick<DeviceCloudClient, 'listMonitors' | 'deleteMonitor'>;
  /** This collector's name: its own monitor is never retired. */
  own: string;
  /** How long a collector must have been gone. */
  afterInMs: number;
  /** The collectors gone for longer than `afterInMs` (none unless this collector is the one to retire them). */
  gone: (afterInMs: number) => Promise<readonly string[]>;
  logger: Logger;
  signal?: AbortSignal;
}

/** Deletes the push monitors of the collectors gone for longer than `afterInMs`; returns their names. */
export async function retireGoneMonitors(o: RetireOptions): Promise<string[]> {
  const gone = new Set((await o.gone(o.afterInMs)).filter((name) => name !== o.own));
  if (gone.size === 0) return [];
  // Listed in full before anything is deleted: deleting while paging would shift the pages.
  const doomed: Array<{ id: number; collector: string }> = [];
  for await (const m of o.client.listMonitors(MonitorFields.monDescription.like(`${PREFIX}%`), o.signal ? { signal: o.signal } : {})) {
    const collector = m.description?.startsWith(PREFIX) ? m.description.slice(PREFIX.length) : undefined;
    if (collector !== undefined && gone.has(collector) && m.transportType.toLowerCase() === 'tcp') doomed.push({ id: m.id, collector });
  }
  const retired: string[] = [];
  for (const { id, collector } of doomed) {
    try {
      await o.client.deleteMonitor(id, o.signal ? { signal: o.signal } : {});
    } catch (err) {
      // Deleted meanwhile (by another collector that held shard 0 a moment ago): the same outcome.
      if (!(isHttpError(err) && err.status === 404)) throw err;
    }
    o.logger.info('devicecloud: push monitor of a gone collector retired', { monitorId: id, collector, goneForMoreThanInMs: o.afterInMs });
    retired.push(collector);
  }
  return retired;
}
