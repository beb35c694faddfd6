/** `comap archive`: every unit's files into a folder, only what is not there yet (JSON lines per file). */
import { UsageError, defineCommand, type CommandSpec } from '@x/http-core/cli';
import { archiveFiles, type ArchiveEvent } from '../archive.js';
import { toDayNumber } from '../dates.js';
import { CREDENTIAL_OPTIONS, clientFor, type ClientDefaults } from './credentials.js';
import { resolveUnit, withClient } from './unit.js';

/** `--since` as a date: `MM/DD/YYYY` (a UTC day) or an ISO date or date-time. */
function sinceDate(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  if (/^\d\d\/\d\d\/\d{4}$/.test(text)) {
    try {
      return new Date(toDayNumber(text, '--since') * 86_400_000);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  const at = /^\d{4}-\d\d-\d\d/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at)) throw new UsageError(`--since must be MM/DD/YYYY or an ISO date such as 2025-01-31, got ${JSON.stringify(text.slice(0, 40))}`);
  return new Date(at);
}

/** One output line (an error as its category and message). */
function line(event: ArchiveEvent): Record<string, unknown> {
  if (event.type !== 'error') return { ...event };
  const { error, ...rest } = event;
  return { ...rest, message: error instanceof Error ? error.message : String(error) };
}

export function archiveCommand(defaults: ClientDefaults): CommandSpec<never, never> {
  return defineCommand({
    name: 'archive',
    summary: 'Download every unit\'s files into DIR/<unitGuid>/, skipping those already there (JSON lines).',
    description:
      'One line per file ({"type":"file","status":"downloaded"|"replaced"|"present",...}) or failure ({"type":"error",...}; the archive goes on), then {"type":"summary"}. Files are written under a temporary name, checked against Content-Length and moved into place; an existing file is never overwritten without --overwrite. Exit 1 when any file or unit failed.',
    options: {
      ...CREDENTIAL_OPTIONS,
      dir: { type: 'string', required: true, valueName: 'folder', description: 'the archive folder' },
      units: { type: 'list', valueName: 'unit,...', description: 'only these units (GUIDs or names that match one unit each)' },
      since: { type: 'string', valueName: 'date', description: 'only files generated on or after this day (MM/DD/YYYY, or ISO 2025-01-31)' },
      overwrite: { type: 'boolean', default: false, description: 'replace files that are already there' },
      'max-bytes': { type: 'integer', min: 0, valueName: 'bytes', description: 'refuse (and keep nothing of) a larger file' },
    },
    examples: ['comap archive --dir ./files', 'comap archive --dir ./files --units "Westport Hospital 1" --since 01/01/2025'],
    run: ({ options, env, stdout, signal }) => {
      const since = sinceDate(options.since);
      return withClient(clientFor(options, defaults, env), async (client) => {
        const units = options.units === undefined ? undefined : await Promise.all(options.units.map((u) => resolveUnit(client, u, signal)));
        let failed = 0;
        for await (const event of archiveFiles(client, {
          dir: options.dir,
          signal,
          overwrite: options.overwrite,
          ...(units === undefined ? {} : { units }),
          ...(since === undefined ? {} : { since }),
          ...(options['max-bytes'] === undefined ? {} : { maxBytes: options['max-bytes'] }),
        })) {
          if (event.type === 'error') failed += 1;
          stdout.json(line(event));
        }
        return failed === 0 ? 0 : 1;
      });
    },
  });
}
