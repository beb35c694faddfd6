/** The options every API command of the `comap` CLI shares: credentials (from the environment) and the API's origin. */
import { ConfigError } from '@x/http-core/cli';
import { ComapClient } from '../client.js';
import type { ComapClientOptions } from '../options.js';
import type { Confirm } from './confirm.js';

export const CREDENTIAL_OPTIONS = {
  key: { type: 'string', env: 'COMAP_KEY', secret: true, description: 'APIM subscription key (Comap-Key)' },
  'client-id': { type: 'string', env: 'COMAP_CLIENT_ID', description: 'application (client) id of ComAp Cloud Identity' },
  secret: { type: 'string', env: 'COMAP_SECRET', secret: true, description: 'application secret of ComAp Cloud Identity' },
  'login-id': { type: 'string', env: 'COMAP_LOGIN_ID', description: 'WebSupervisor login' },
  'base-url': { type: 'string', env: 'COMAP_BASE_URL', valueName: 'url', description: 'API origin (default https://api.websupervisor.net; a simulator\'s url)' },
} as const;

export interface CredentialValues {
  key: string | undefined;
  'client-id': string | undefined;
  secret: string | undefined;
  'login-id': string | undefined;
  'base-url': string | undefined;
}

/** Client options the program adds to every client it makes (tests turn the rate limit off). */
export type ClientDefaults = Omit<ComapClientOptions, 'key' | 'clientId' | 'secret' | 'loginId' | 'baseUrl'>;

/** How the program meets its user: the terminal prompt (none in scripts and tests). */
export interface CliSettings {
  /** Asks before a command moves a machine; undefined: not on a terminal, `--yes` is required. */
  confirm?: Confirm;
}

/** A client for the given credentials; a missing one is a ConfigError (exit 78) naming its variable. */
export function clientFor(values: CredentialValues, defaults: ClientDefaults): ComapClient {
  const missing = (
    [
      ['key', 'COMAP_KEY'],
      ['client-id', 'COMAP_CLIENT_ID'],
      ['secret', 'COMAP_SECRET'],
      ['login-id', 'COMAP_LOGIN_ID'],
    ] as const
  ).filter(([name]) => values[name] === undefined || values[name] === '');
  if (missing.length > 0) {
    throw new ConfigError(`missing credentials: set ${missing.map(([, env]) => env).join(', ')} (or --${missing.map(([name]) => name).join(', --')})`);
  }
  const baseUrl = values['base-url'];
  try {
    return new ComapClient({
      ...defaults,
      key: values.key as string,
      clientId: values['client-id'] as string,
      secret: values.secret as string,
      loginId: values['login-id'] as string,
      ...(baseUrl === undefined || baseUrl === '' ? {} : { baseUrl }),
    });
  } catch (error) {
    // A bad COMAP_BASE_URL (or credential) is configuration, not a failure of the call.
    throw error instanceof TypeError || error instanceof RangeError ? new ConfigError(error.message, { cause: error }) : error;
  }
}
