/** `comap download`: one of a unit's files, written atomically into a folder. */
import { defineCommand, type CommandSpec } from '@x/http-core/cli';
import { CREDENTIAL_OPTIONS, clientFor, type ClientDefaults } from './credentials.js';
import { UNIT_ARG, resolveUnit, withClient } from './unit.js';

export function downloadCommand(defaults: ClientDefaults): CommandSpec<never, never> {
  return defineCommand({
    name: 'download',
    summary: 'Download one of a unit\'s files (see `comap files`); prints { path, bytes }.',
    args: [UNIT_ARG, { name: 'file-name', description: 'the file\'s name, as `comap files` lists it' }],
    options: { ...CREDENTIAL_OPTIONS, out: { type: 'string', default: '.', valueName: 'dir', description: 'folder to write into' } },
    examples: ['comap download Westport "2018-01-24_01-00_Westport .csv" --out ./files'],
    run: ({ options, env, args, stdout, signal }) =>
      withClient(clientFor(options, defaults, env), async (client) => {
        const guid = await resolveUnit(client, args.unit, signal);
        stdout.json(await client.download(guid, args['file-name'], { dir: options.out }, { signal }));
      }),
  });
}
