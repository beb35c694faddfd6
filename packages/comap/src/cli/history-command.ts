/** `comap history`: a unit's history over any range (fetched in 31-day windows), as JSON lines or CSV. */
import { UsageError, defineCommand, type CommandSpec } from '@x/http-core/cli';
import { toDayNumber } from '../dates.js';
import type { HistoryEntry } from '../types.js';
import { CREDENTIAL_OPTIONS, clientFor, type ClientDefaults } from './credentials.js';
import { UNIT_ARG, resolveUnit, withClient } from './unit.js';

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
    },
    examples: ['comap history Westport --from 01/01/2025 --to 06/30/2025 --format csv > history.csv'],
    run: ({ options, env, args, stdout, stderr, signal }) => {
      const from = day(options.from, 'from');
      const to = day(options.to, 'to');
      const csv = options.format === 'csv';
      return withClient(clientFor(options, defaults, env), async (client) => {
        const guid = await resolveUnit(client, args.unit, signal);
        const entries = client.historyEntries(guid, {
          signal,
          ...(from === undefined ? {} : { from }),
          ...(to === undefined ? {} : { to }),
          ...(options.guids === undefined ? {} : { valueGuids: options.guids }),
          onProgress: (p) => {
            if (p.windows > 1) stderr.line(`history: window ${p.window}/${p.windows} (${p.from}-${p.to}) done, ${p.entries} entries`);
          },
        });
        if (csv) stdout.csvHeader(CSV_COLUMNS);
        for await (const entry of entries) {
          if (csv) stdout.csvRow(entry as HistoryEntry & Record<string, unknown>, CSV_COLUMNS);
          else stdout.json(entry);
        }
      });
    },
  });
}
