/**
 * `points <stream>`: a stream's stored data points, or its roll-ups with `--rollup`, as JSON lines
 * (GET /ws/DataPoint/{stream}).
 */
import { defineCommand } from '@x/http-core/cli';
import type { DeviceCloudClient } from '../client.js';
import type { RollupInterval, RollupMethod } from '../data-rollups.js';
import type { ReadDataPointsQuery } from '../data-streams.js';
import { clientFromEnv } from './client-from-env.js';
import { TIME_WINDOW_FLAGS, timeFlag } from './time-flag.js';

interface Line {
  [key: string]: unknown;
}

/** The lines to print: stored points, or roll-up buckets when an interval is given. */
function lines(client: DeviceCloudClient, stream: string, query: ReadDataPointsQuery, rollup: { interval?: string | undefined; method?: string | undefined; timezone?: string | undefined }, signal: AbortSignal): AsyncIterable<Line> {
  if (rollup.interval === undefined) {
    return (async function* () {
      for await (const p of client.readDataPoints(stream, query, { signal })) {
        yield { id: p.id, streamId: p.streamId, timestamp: p.timestamp.toISOString(), serverTimestamp: p.serverTimestamp.toISOString(), data: p.data, quality: p.quality, description: p.description };
      }
    })();
  }
  const rollupQuery = {
    ...query,
    interval: rollup.interval as RollupInterval,
    ...(rollup.method !== undefined ? { method: rollup.method as RollupMethod } : {}),
    ...(rollup.timezone !== undefined ? { timezone: rollup.timezone } : {}),
  };
  return (async function* () {
    for await (const p of client.readRollups(stream, rollupQuery, { signal })) yield { streamId: p.streamId, timestamp: p.timestamp.toISOString(), data: p.data };
  })();
}

export const pointsCommand = defineCommand({
  name: 'points',
  summary: "Print a stream's data points (or --rollup buckets) as JSON lines, newest first (or --oldest), within --start/--end.",
  args: [{ name: 'stream', description: 'stream id, e.g. 00000000-00000000-00409DFF-FF000001/temperature' }],
  options: {
    oldest: { type: 'boolean', description: 'oldest first instead of newest first' },
    ...TIME_WINDOW_FLAGS,
    rollup: { type: 'string', description: 'roll up per interval instead of listing points', choices: ['half', 'hour', 'day', 'week', 'month'] },
    method: { type: 'string', description: 'roll-up aggregate (default average)', choices: ['sum', 'average', 'min', 'max', 'count', 'standarddev'] },
    timezone: { type: 'string', description: 'roll-up time zone of day, week and month boundaries (default UTC)' },
    limit: { type: 'integer', min: 1, description: 'stop after this many lines' },
    'page-size': { type: 'integer', min: 1, max: 1000, default: 1000, description: 'points per request' },
  },
  examples: ['devicecloud-monitor points dev1/temp --oldest --start 2026-01-01T00:00:00Z --limit 100', 'devicecloud-monitor points dev1/temp --rollup hour --method max'],
  async run({ args, options, env, stdout, signal }) {
    const startTime = timeFlag(options.start, 'start');
    const endTime = timeFlag(options.end, 'end');
    const client = clientFromEnv(env);
    try {
      let printed = 0;
      const query = { order: options.oldest ? ('oldest' as const) : ('newest' as const), pageSize: options['page-size'], ...(startTime ? { startTime } : {}), ...(endTime ? { endTime } : {}) };
      for await (const line of lines(client, args.stream, query, { interval: options.rollup, method: options.method, timezone: options.timezone }, signal)) {
        stdout.json(line);
        if (options.limit !== undefined && ++printed >= options.limit) break;
      }
    } finally {
      await client.close();
    }
  },
});
