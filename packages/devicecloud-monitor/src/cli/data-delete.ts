/** `delete-points` and `delete-stream`: removing stored data (DELETE /ws/DataPoint, /ws/DataStream). */
import { UsageError, defineCommand } from '@x/http-core/cli';
import { clientFromEnv } from './client-from-env.js';
import { TIME_WINDOW_FLAGS, timeFlag } from './time-flag.js';

export const deletePointsCommand = defineCommand({
  name: 'delete-points',
  summary: 'Delete one point (--id), the points within --start/--end (device time), or every point of a stream; prints {"deleted": stream, …}.',
  args: [{ name: 'stream', description: 'stream id' }],
  options: {
    id: { type: 'string', description: 'the id of the one point to delete' },
    ...TIME_WINDOW_FLAGS,
  },
  examples: ['devicecloud-monitor delete-points dev1/temp --end 2026-01-01T00:00:00Z', 'devicecloud-monitor delete-points dev1/temp --id 6d5b…'],
  async run({ args, options, env, stdout, signal }) {
    const startTime = timeFlag(options.start, 'start');
    const endTime = timeFlag(options.end, 'end');
    if (options.id !== undefined && (startTime || endTime)) throw new UsageError('--id cannot be combined with --start/--end');
    const client = clientFromEnv(env);
    try {
      const found =
        options.id !== undefined
          ? await client.deleteDataPoint(args.stream, options.id, { signal })
          : await client.deleteDataPoints(args.stream, { ...(startTime ? { startTime } : {}), ...(endTime ? { endTime } : {}) }, { signal });
      if (!found) throw new Error(`${options.id !== undefined ? `point ${options.id} of ` : ''}stream ${args.stream} not found`);
      stdout.json({
        deleted: args.stream,
        ...(options.id !== undefined ? { id: options.id } : {}),
        ...(startTime ? { startTime: startTime.toISOString() } : {}),
        ...(endTime ? { endTime: endTime.toISOString() } : {}),
      });
    } finally {
      await client.close();
    }
  },
});

export const deleteStreamCommand = defineCommand({
  name: 'delete-stream',
  summary: 'Delete a data stream with all its points; prints {"deleted": stream}.',
  args: [{ name: 'stream', description: 'stream id' }],
  async run({ args, env, stdout, signal }) {
    const client = clientFromEnv(env);
    try {
      if (!(await client.deleteDataStream(args.stream, { signal }))) throw new Error(`stream ${args.stream} not found`);
      stdout.json({ deleted: args.stream });
    } finally {
      await client.close();
    }
  },
});
