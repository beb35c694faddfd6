/** `points <stream>`: a stream's stored data points as JSON lines (GET /ws/DataPoint/{stream}). */
import { defineCommand } from '@x/http-core/cli';
import { clientFromEnv } from './client-from-env.js';
import { TIME_WINDOW_FLAGS, timeFlag } from './time-flag.js';

export const pointsCommand = defineCommand({
  name: 'points',
  summary: "Print a stream's data points as JSON lines, newest first (or --oldest), within --start/--end.",
  args: [{ name: 'stream', description: 'stream id, e.g. 00000000-00000000-00409DFF-FF000001/temperature' }],
  options: {
    oldest: { type: 'boolean', description: 'oldest first instead of newest first' },
    ...TIME_WINDOW_FLAGS,
    limit: { type: 'integer', min: 1, description: 'stop after this many points' },
    'page-size': { type: 'integer', min: 1, max: 1000, default: 1000, description: 'points per request' },
  },
  examples: ['devicecloud-monitor points dev1/temp --oldest --start 2026-01-01T00:00:00Z --limit 100'],
  async run({ args, options, env, stdout, signal }) {
    const startTime = timeFlag(options.start, 'start');
    const endTime = timeFlag(options.end, 'end');
    const client = clientFromEnv(env);
    try {
      let printed = 0;
      const query = { order: options.oldest ? ('oldest' as const) : ('newest' as const), pageSize: options['page-size'], ...(startTime ? { startTime } : {}), ...(endTime ? { endTime } : {}) };
      for await (const p of client.readDataPoints(args.stream, query, { signal })) {
        stdout.json({ id: p.id, streamId: p.streamId, timestamp: p.timestamp.toISOString(), serverTimestamp: p.serverTimestamp.toISOString(), data: p.data, quality: p.quality, description: p.description });
        if (options.limit !== undefined && ++printed >= options.limit) break;
      }
    } finally {
      await client.close();
    }
  },
});
