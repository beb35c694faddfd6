/**
 * `history <monitor-id>`: the saved events of a persistent or polling monitor as JSON lines
 * (GET /ws/v1/monitors/history/{id}), for catching up after an outage.
 */
import { UsageError, defineCommand } from '@x/http-core/cli';
import { clientFromEnv } from './client-from-env.js';
import { TIME_WINDOW_FLAGS, timeFlag } from './time-flag.js';

export const historyCommand = defineCommand({
  name: 'history',
  summary: 'Print the saved events of a persistent or polling monitor as JSON lines, oldest first.',
  description:
    'Reads /ws/v1/monitors/history/{id} page by page. --start/--end bound the events by server time (start inclusive, end exclusive); ' +
    '--cursor continues after an earlier page. With --limit, the last line on stderr names the cursor to continue from.',
  args: [{ name: 'monitor-id', description: 'the monitor id' }],
  options: {
    ...TIME_WINDOW_FLAGS,
    cursor: { type: 'string', description: 'continue after the page this cursor ends' },
    limit: { type: 'integer', min: 1, description: 'stop after this many pages' },
    'page-size': { type: 'integer', min: 1, max: 1000, default: 1000, description: 'events per request' },
  },
  examples: ['devicecloud-monitor history 178000 --start 2026-01-01T00:00:00Z', 'devicecloud-monitor history 178000 --page-size 100 --limit 1'],
  async run({ args, options, env, stdout, stderr, signal }) {
    const text = args['monitor-id'];
    if (!/^\d+$/.test(text)) throw new UsageError(`<monitor-id> must be a non-negative integer, got "${text}"`);
    const startTime = timeFlag(options.start, 'start');
    const endTime = timeFlag(options.end, 'end');
    const client = clientFromEnv(env);
    try {
      const query = { pageSize: options['page-size'], ...(startTime ? { startTime } : {}), ...(endTime ? { endTime } : {}), ...(options.cursor ? { cursor: options.cursor } : {}) };
      let pages = 0;
      for await (const page of client.monitorHistoryPages(Number(text), query, { signal })) {
        for (const event of page.events) stdout.json(event);
        if (options.limit !== undefined && ++pages >= options.limit) {
          if (page.cursor !== undefined) stderr.line(`more: --cursor ${page.cursor}`);
          break;
        }
      }
    } finally {
      await client.close();
    }
  },
});
