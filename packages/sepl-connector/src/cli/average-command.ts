/** `sepl-connector average`: the platform's average query, one JSON line per bucket. */
import { UsageError, defineCommand } from '@x/http-core/cli';
import { AverageClient } from '../average.js';
import { GRANULARITIES, timeWindowToMs, type TimeWindow } from '../granularity.js';
import { envConfig } from './shared.js';

export const averageCommand = defineCommand({
  name: 'average',
  summary: 'Print the averages of a device as JSON lines.',
  args: [{ name: 'device', description: 'device id' }],
  options: {
    granularity: { type: 'string', choices: GRANULARITIES, description: 'bucket size' },
    'time-window': { type: 'string', valueName: '12h', description: 'how far back, e.g. 30m, 12h, 7d' },
    url: { type: 'string', valueName: 'http://host:port/', description: 'query service (default: the CONNECTOR_LOOKUP_URL origin)' },
  },
  examples: ['sepl-connector average lamp-1 --granularity hour --time-window 12h'],
  async run({ args, options, env, stdout, signal }) {
    const timeWindow = options['time-window'];
    if (timeWindow !== undefined) {
      try {
        timeWindowToMs(timeWindow, '--time-window');
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
    }
    const config = envConfig(env);
    const base = options.url ?? (config.lookupUrl === undefined ? undefined : new URL('/', config.lookupUrl).href);
    if (base === undefined) throw new UsageError('set CONNECTOR_LOOKUP_URL or pass --url with the query service');
    const client = new AverageClient({ baseUrl: base });
    try {
      const rows = await client.average(args.device, {
        ...(options.granularity !== undefined ? { granularity: options.granularity as (typeof GRANULARITIES)[number] } : {}),
        ...(timeWindow !== undefined ? { timeWindow: timeWindow as TimeWindow } : {}),
        signal,
      });
      for (const row of rows) stdout.json({ ...row, time_stamp: row.time_stamp.toISOString() });
    } finally {
      await client.close();
    }
  },
});
