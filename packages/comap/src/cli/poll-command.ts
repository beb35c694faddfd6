/** `comap poll`: sweeps over the fleet (or some units) and prints per-unit readings and sweep summaries as JSON lines. */
import { UsageError, defineCommand, type CommandSpec } from '@x/http-core/cli';
import { pollFleet, type FleetPollEvent } from '../poller.js';
import type { ComapAlarm } from '../alarms.js';
import { CREDENTIAL_OPTIONS, clientFor, type ClientDefaults } from './credentials.js';
import { resolveUnit, withClient } from './unit.js';

const texts = (alarms: readonly ComapAlarm[]) => alarms.map((a) => a.text);

/** One output line: readings without their values unless asked (a sweep of 200 units stays readable). */
function line(event: FleetPollEvent, withValues: boolean): Record<string, unknown> {
  if (event.type === 'sweep') return { ...event };
  if (event.type === 'error') {
    const { error, ...rest } = event;
    return { ...rest, message: error instanceof Error ? error.message : String(error) };
  }
  const { values, alarms, raised, cleared, ...rest } = event;
  return { ...rest, alarms: texts(alarms.filter((a) => a.active)), raised: texts(raised), cleared: texts(cleared), ...(withValues ? { values } : {}) };
}

export function pollCommand(defaults: ClientDefaults): CommandSpec<never, never> {
  return defineCommand({
    name: 'poll',
    summary: 'Poll the fleet sweep after sweep within the rate limit (JSON lines: unit readings, errors, sweep summaries).',
    description:
      'Each sweep prints one line per unit ({"type":"unit"} with changed values, active alarms, raised/cleared alarms, online/offlineReason; or {"type":"error"} when a unit failed after retries) and then {"type":"sweep"}. Units with alarms, lost communication or a failed reading are polled first. Runs until --sweeps are done or it is interrupted (exit 130 on SIGINT).',
    options: {
      ...CREDENTIAL_OPTIONS,
      units: { type: 'list', valueName: 'unit,...', description: 'only these units (GUIDs or names that match one unit each; default every unit of the login)' },
      guids: { type: 'list', valueName: 'guid,...', description: 'only these value GUIDs (keep comm_state and alarm_list_ext in)' },
      sweeps: { type: 'integer', min: 1, description: 'stop after this many sweeps (default: until interrupted)' },
      interval: { type: 'duration', default: 0, description: 'least time from one sweep\'s start to the next\'s' },
      'stale-after': { type: 'duration', default: 900_000, description: 'a unit whose newest value is older counts as offline' },
      values: { type: 'boolean', default: false, description: 'print every value of each reading' },
    },
    examples: ['comap poll --interval 5m', 'comap poll --units "Westport Hospital 1,Westport Hospital 2" --sweeps 1 --values'],
    run: ({ options, env, stdout, signal }) => {
      if (options['stale-after'] < 1) throw new UsageError('--stale-after must be at least 1ms');
      return withClient(clientFor(options, defaults, env), async (client) => {
        const units = options.units === undefined ? undefined : await Promise.all(options.units.map((u) => resolveUnit(client, u, signal)));
        const events = pollFleet(client, {
          signal,
          intervalInMs: options.interval,
          staleAfterInMs: options['stale-after'],
          ...(defaults.clock ? { clock: defaults.clock } : {}),
          ...(units === undefined ? {} : { units }),
          ...(options.guids === undefined ? {} : { valueGuids: options.guids }),
          ...(options.sweeps === undefined ? {} : { sweeps: options.sweeps }),
        });
        for await (const event of events) stdout.json(line(event, options.values));
      });
    },
  });
}
