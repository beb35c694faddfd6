/** `comap history`: a unit's history over any range (fetched in 31-day windows), as JSON lines or CSV. */
import { UsageError, defineCommand, type CommandSpec } from '@x/http-core/cli';
import { toDayNumber } from '../dates.js';
import type { HistoryEntry } from '../types.js';
import { CREDENTIAL_OPTIONS, clientFor, type ClientDefaults } from './credentials.js';
import { UNIT_ARG, resolveUnit, withClient } from './unit.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint-file.js';

const CSV_COLUMNS = ['valueGuid', 'name', 'value', 'unit', 'validFrom', 'validTo'] as const;

/** A `MM/DD/YYYY` option, checked before anything is sent (a bad date is a usage error). */
function day(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  try {
    toDayNumber(value, `--${name}`);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return value;
}

export function historyCommand(defaults: ClientDefaults): CommandSpec<never, never> {
  return defineCommand({
    name: 'history',
    summary: 'History of a unit (JSON lines, or CSV); progress of long ranges on stderr.',
    description: 'Ranges longer than the API\'s 31-day window are fetched window by window, each paged to its end.',
    args: [UNIT_ARG],
    options: {
      ...CREDENTIAL_OPTIONS,
      from: { type: 'string', valueName: 'MM/DD/YYYY', description: 'first day (default the 1st of this month)' },
      to: { type: 'string', valueName: 'MM/DD/YYYY', description: 'last day (default today)' },
      guids: { type: 'list', valueName: 'guid,...', description: 'only these value GUIDs' },
      format: { type: 'string', choices: ['json', 'csv'], default: 'json', description: 'output format' },
      'time-zone': { type: 'string', valueName: 'zone', description: 'the days are calendar days in this zone: unit (the unit\'s), UTC or an IANA name (default: sent as written)' },
      checkpoint: { type: 'string', valueName: 'file', description: 'resume from this file and keep it up to date (append the output: nothing is printed twice)' },
    },
    examples: ['comap history Westport --from 01/01/2025 --to 06/30/2025 --format csv > history.csv', 'comap history Westport --from 01/01/2024 --to 12/31/2024 --time-zone unit --checkpoint w.json >> w.jsonl'],
    run: ({ options, env, args, stdout, stderr, signal }) => {
      const from = day(options.from, 'from');
      const to = day(options.to, 'to');
      const csv = options.format === 'csv';
      const checkpointFile = options.checkpoint;
      const saved = checkpointFile === undefined ? undefined : loadCheckpoint(checkpointFile);
      const checkpoint = checkpointFile === undefined ? undefined : (saved ?? { values: {} });
      const save = () => {
        if (checkpointFile !== undefined && checkpoint !== undefined) saveCheckpoint(checkpointFile, checkpoint);
      };
      return withClient(clientFor(options, defaults, env), async (client) => {
        const guid = await resolveUnit(client, args.unit, signal);
        let entries: AsyncGenerator<HistoryEntry, void, undefined>;
        try {
          entries = client.historyEntries(guid, {
            signal,
            ...(from === undefined ? {} : { from }),
            ...(to === undefined ? {} : { to }),
            ...(options.guids === undefined ? {} : { valueGuids: options.guids }),
            ...(options['time-zone'] === undefined ? {} : { timeZone: options['time-zone'] }),
            ...(checkpoint === undefined ? {} : { checkpoint }),
            onProgress: (p) => {
              save();
              if (p.windows > 1) stderr.line(`history: window ${p.window}/${p.windows} (${p.from}-${p.to}) done, ${p.entries} entries`);
            },
          });
        } catch (error) {
          if (error instanceof RangeError || error instanceof TypeError) throw new UsageError(error.message);
          throw error;
        }
        // A resumed export is appended to the earlier output: no second CSV header.
        if (csv && saved === undefined) stdout.csvHeader(CSV_COLUMNS);
        try {
          for await (const entry of entries) {
            if (csv) stdout.csvRow(entry as HistoryEntry & Record<string, unknown>, CSV_COLUMNS);
            else stdout.json(entry);
          }
        } finally {
          // Interrupted or done: the file says exactly what was printed.
          save();
        }
      });
    },
  });
}
