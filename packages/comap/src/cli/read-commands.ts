/** The `comap` commands that read: units, values, info, permissions, comments, files. */
import { defineCommand, type CommandSpec } from '@x/http-core/cli';
import type { WSV } from '../wsv.js';
import { CREDENTIAL_OPTIONS, clientFor, type ClientDefaults } from './credentials.js';
import { UNIT_ARG, resolveUnit, withClient } from './unit.js';

/** `info`, `permissions`, `comments`, `files`: one unit, printed as JSON lines. */
function unitReadCommand(name: 'info' | 'permissions' | 'comments' | 'files', summary: string, defaults: ClientDefaults): CommandSpec<never, never> {
  return defineCommand({
    name,
    summary,
    args: [UNIT_ARG],
    options: CREDENTIAL_OPTIONS,
    examples: [`comap ${name} Westport`],
    run: ({ options, env, args, stdout, signal }) =>
      withClient(clientFor(options, defaults, env), async (client: WSV) => {
        const guid = await resolveUnit(client, args.unit, signal);
        const result: unknown = await client[name](guid, { signal });
        for (const item of Array.isArray(result) ? result : [result]) stdout.json(item);
      }),
  });
}

export function readCommands(defaults: ClientDefaults): CommandSpec<never, never>[] {
  return [
    defineCommand({
      name: 'units',
      summary: 'List the units of the login (JSON lines).',
      options: CREDENTIAL_OPTIONS,
      run: ({ options, env, stdout, signal }) =>
        withClient(clientFor(options, defaults, env), async (client) => {
          for (const unit of await client.units({ signal })) stdout.json(unit);
        }),
    }),
    defineCommand({
      name: 'values',
      summary: 'Current values of a unit (JSON lines).',
      args: [UNIT_ARG],
      options: { ...CREDENTIAL_OPTIONS, guids: { type: 'list', valueName: 'guid,...', description: 'only these value GUIDs' } },
      examples: ['comap values "Westport" --guids 6a12aed6-3be0-44c4-9110-9ea33cfe3ccc,BB2D1ADE-740E-488d-853B-6BA970D52E27'],
      run: ({ options, env, args, stdout, signal }) =>
        withClient(clientFor(options, defaults, env), async (client) => {
          const guid = await resolveUnit(client, args.unit, signal);
          for (const value of await client.values(guid, options.guids, { signal })) stdout.json(value);
        }),
    }),
    unitReadCommand('info', 'Information about a unit: owner, connection, position.', defaults),
    unitReadCommand('permissions', 'Who may read, control and modify a unit.', defaults),
    unitReadCommand('comments', 'Comments of a unit (JSON lines).', defaults),
    unitReadCommand('files', 'Files of a unit (JSON lines).', defaults),
  ];
}
