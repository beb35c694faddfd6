/**
 * `history <monitor-id>`: the saved events of a persistent or polling monitor as JSON lines
 * (GET /ws/v1/monitors/history/{id}), for catching up after an outage.
 */
import { readFile } from 'node:fs/promises';
import { UsageError, defineCommand, type Output } from '@x/http-core/cli';
import type { DeviceCloudClient } from '../client.js';
import type { MonitorHistoryQuery } from '../monitor-history.js';
import { clientFromEnv } from './client-from-env.js';
import { TIME_WINDOW_FLAGS, timeFlag } from './time-flag.js';

/** The template of `--schema` (text) or `--schema-file` (a file's text), if either is given. */
async function schemaOf(options: { schema?: string | undefined; 'schema-file'?: string | undefined }): Promise<string | undefined> {
  if (options.schema !== undefined && options['schema-file'] !== undefined) throw new UsageError('--schema and --schema-file cannot be combined');
  if (options['schema-file'] === undefined) return options.schema;
  try {
    return await readFile(options['schema-file'], 'utf8');
  } catch (error) {
    throw new UsageError(`--schema-file: cannot read ${options['schema-file']}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** Prints each page's template output followed by a newline (pages as the server rendered them). */
async function printTemplated(client: DeviceCloudClient, monitorId: number, schema: string, query: MonitorHistoryQuery, limit: number | undefined, io: { stdout: Output; stderr: Output; signal: AbortSignal }): Promise<void> {
  let pages = 0;
  for await (const page of client.monitorHistoryOutput(monitorId, schema, query, { signal: io.signal })) {
    io.stdout.write(`${page.output}\n`);
    if (limit !== undefined && ++pages >= limit) {
      if (page.cursor !== undefined) io.stderr.line(`more: --cursor ${page.cursor}`);
      return;
    }
  }
}

export const historyCommand = defineCommand({
  name: 'history',
  summary: 'Print the saved events of a persistent or polling monitor as JSON lines, oldest first.',
  description:
    'Reads /ws/v1/monitors/history/{id} page by page. --start/--end bound the events by server time (start inclusive, end exclusive); ' +
    '--cursor continues after an earlier page. With --limit, the last line on stderr names the cursor to continue from. ' +
    '--follow keeps polling (from the newest event seen, without repeats) until interrupted. ' +
    '--schema (or --schema-file) has the server render each page with a Handlebars template and prints that output, one page per line block, without changing the monitor.',
  args: [{ name: 'monitor-id', description: 'the monitor id' }],
  options: {
    ...TIME_WINDOW_FLAGS,
    cursor: { type: 'string', description: 'continue after the page this cursor ends' },
    limit: { type: 'integer', min: 1, description: 'stop after this many pages' },
    follow: { type: 'boolean', description: 'keep reading new events every --interval until interrupted (polling monitors)' },
    interval: { type: 'duration', default: 10_000, description: 'with --follow: wait between reads (e.g. 500ms, 30s, 5m; default 10 s)' },
    'page-size': { type: 'integer', min: 1, max: 1000, default: 1000, description: 'events per request' },
    schema: { type: 'string', valueName: 'template', description: 'Handlebars template the server applies to each page (prints its output)' },
    'schema-file': { type: 'string', valueName: 'file', description: 'the same, read from a file' },
  },
  examples: ['devicecloud-monitor history 178000 --start 2026-01-01T00:00:00Z', 'devicecloud-monitor history 178000 --page-size 100 --limit 1', 'devicecloud-monitor history 178000 --follow --interval 30s', 'devicecloud-monitor history 178000 --schema-file points.hbs'],
  async run({ args, options, env, stdout, stderr, signal }) {
    const text = args['monitor-id'];
    if (!/^\d+$/.test(text)) throw new UsageError(`<monitor-id> must be a non-negative integer, got "${text}"`);
    const startTime = timeFlag(options.start, 'start');
    const endTime = timeFlag(options.end, 'end');
    if (options.follow && (endTime || options.cursor !== undefined || options.limit !== undefined)) throw new UsageError('--follow cannot be combined with --end, --cursor or --limit');
    const schema = await schemaOf(options);
    if (schema !== undefined && options.follow) throw new UsageError('--schema cannot be combined with --follow');
    if (schema !== undefined && schema.trim() === '') throw new UsageError('--schema must not be empty');
    const client = clientFromEnv(env);
    try {
      if (options.follow) {
        const follow = { pageSize: options['page-size'], intervalInMs: options.interval, ...(startTime ? { startTime } : {}) };
        for await (const event of client.followMonitorHistory(Number(text), follow, { signal })) stdout.json(event);
        return;
      }
      const query = { pageSize: options['page-size'], ...(startTime ? { startTime } : {}), ...(endTime ? { endTime } : {}), ...(options.cursor ? { cursor: options.cursor } : {}) };
      if (schema !== undefined) return await printTemplated(client, Number(text), schema, query, options.limit, { stdout, stderr, signal });
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
