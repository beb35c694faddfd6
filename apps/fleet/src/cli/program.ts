// The `fleet` program on the @x/http-core CLI kit: its commands, help and exit codes
// (0 ok, 1 failure, 2 usage, 78 configuration; `fleet: error: <message>`).
import { defineCommand, defineProgram, formatProgramHelp, type ProgramSpec } from '@x/http-core/cli';
import { VENDOR_INFO } from '../vendor-info.js';
import { VERSION } from '../version.js';
import { backfillCommand } from './backfill.js';
import { dataCommands } from './data-commands.js';
import { serveCommands } from './serve.js';
import type { ProgramHooks } from './shared.js';

export type { ProgramHooks } from './shared.js';

const FLEET_ENV: Readonly<Record<string, string>> = {
  FLEET_CONFIG: 'configuration file',
  FLEET_HOST: 'bind address',
  FLEET_PORT: 'port',
  FLEET_ACCESS_TOKEN: 'API access token (needed off loopback)',
  FLEET_ALLOWED_HOSTS: 'further Host names the server answers for, comma-separated',
  FLEET_DATA_DIR: 'embedded database folder',
  DATABASE_URL: 'PostgreSQL instead of the embedded database',
  FLEET_COLLECTOR: 'this collector\'s name (its Device Cloud monitor and SEPL gateway)',
  FLEET_LEASE_MS: 'shard lease period in ms (several collectors over PostgreSQL)',
  FLEET_SHARD: 'deprecated (index/count): only names the collector now',
  FLEET_LOG_LEVEL: 'debug, info, warn, error or silent',
};

/** The registry's environment variables, described by their section and key. */
function vendorEnvironment(): Record<string, string> {
  return Object.fromEntries(VENDOR_INFO.flatMap((v) => v.env.map(([key, name]) => [name, `${v.id}.${key}`])));
}

/** The secret variables: the access token, the database URL and the registry's secret fields. */
function secretEnv(): string[] {
  const names = ['FLEET_ACCESS_TOKEN', 'DATABASE_URL'];
  for (const v of VENDOR_INFO) for (const [key, name] of v.env) if ((v.secretFields as readonly string[]).includes(key)) names.push(name);
  return names;
}

export function createFleetProgram(hooks: ProgramHooks = {}): ProgramSpec {
  const program: ProgramSpec = defineProgram({
    name: 'fleet',
    version: VERSION,
    summary: 'One service over ComAp, Digi Device Cloud, LG ThinQ and SEPL (on their simulators by default).',
    environment: { ...FLEET_ENV, ...vendorEnvironment() },
    secretEnv: secretEnv(),
    commands: [
      ...serveCommands(hooks),
      ...dataCommands(hooks),
      backfillCommand(hooks),
      defineCommand({
        name: 'help',
        summary: 'Show this text.',
        run: ({ stdout }) => stdout.write(formatProgramHelp(program, '')),
      }),
    ],
  });
  return program;
}
