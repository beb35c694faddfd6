/** The options every API command of the `comap` CLI shares: credentials (from the environment) and the API's origin. */
import { ConfigError } from '@x/http-core/cli';
import { ComapClient } from '../client.js';
import { DEFAULT_BASE_URL } from '../options.js';
import { WSV } from '../wsv.js';
import { fileTokenStore, tokenCacheDir, tokenCacheFile } from './token-cache.js';
import type { ComapClientOptions } from '../options.js';
import type { Confirm } from './confirm.js';

export const CREDENTIAL_OPTIONS = {
  key: { type: 'string', env: 'COMAP_KEY', secret: true, description: 'APIM subscription key (Comap-Key)' },
  'client-id': { type: 'string', env: 'COMAP_CLIENT_ID', description: 'application (client) id of ComAp Cloud Identity' },
  secret: { type: 'string', env: 'COMAP_SECRET', secret: true, description: 'application secret of ComAp Cloud Identity' },
  'login-id': { type: 'string', env: 'COMAP_LOGIN_ID', description: 'WebSupervisor login' },
  'base-url': { type: 'string', env: 'COMAP_BASE_URL', valueName: 'url', description: 'API origin (default https://api.websupervisor.net; a simulator\'s url)' },
  token: { type: 'string', env: 'COMAP_TOKEN', secret: true, description: 'a bearer token to use as is (then no client id or secret is needed)' },
  'token-cache': { type: 'boolean', env: 'COMAP_TOKEN_CACHE', default: true, description: 'keep the token between invocations in the user\'s cache directory (--no-token-cache: off)' },
} as const;

export interface CredentialValues {
  key: string | undefined;
  'client-id': string | undefined;
  secret: string | undefined;
  'login-id': string | undefined;
  'base-url': string | undefined;
  token: string | undefined;
  'token-cache': boolean;
}

/** Client options the program adds to every client it makes (tests turn the rate limit off). */
export type ClientDefaults = Omit<ComapClientOptions, 'key' | 'clientId' | 'secret' | 'loginId' | 'baseUrl'>;

/** How the program meets its user: the terminal prompt (none in scripts and tests). */
export interface CliSettings {
  /** Asks before a command moves a machine; undefined: not on a terminal, `--yes` is required. */
  confirm?: Confirm;
}

type Env = Readonly<Record<string, string | undefined>>;

function requireValues(values: CredentialValues, names: readonly (readonly [keyof CredentialValues, string])[]): void {
  const missing = names.filter(([name]) => values[name] === undefined || values[name] === '');
  if (missing.length > 0) {
    throw new ConfigError(`missing credentials: set ${missing.map(([, env]) => env).join(', ')} (or --${missing.map(([name]) => name).join(', --')})`);
  }
}

/** The token cache file of these credentials, or undefined (turned off, or no home to put it in). */
export function tokenStoreFor(values: CredentialValues, env: Env): ReturnType<typeof fileTokenStore> | undefined {
  const dir = values['token-cache'] ? tokenCacheDir(env) : undefined;
  if (dir === undefined) return undefined;
  return fileTokenStore(tokenCacheFile(dir, values['base-url'] || DEFAULT_BASE_URL, values.key as string, values['client-id'] as string));
}

/**
 * A client for the given credentials: with `COMAP_TOKEN`, a WSV using that token as is; else a
 * ComapClient whose token is kept in the cache file between invocations. A missing credential is
 * a ConfigError (exit 78) naming its variable.
 */
export function clientFor(values: CredentialValues, defaults: ClientDefaults, env: Env = {}): WSV {
  const fixed = values.token !== undefined && values.token !== '' ? values.token : undefined;
  requireValues(values, fixed ? [['key', 'COMAP_KEY'], ['login-id', 'COMAP_LOGIN_ID']] : [['key', 'COMAP_KEY'], ['client-id', 'COMAP_CLIENT_ID'], ['secret', 'COMAP_SECRET'], ['login-id', 'COMAP_LOGIN_ID']]);
  const baseUrl = values['base-url'];
  const origin = baseUrl === undefined || baseUrl === '' ? {} : { baseUrl };
  try {
    if (fixed) return new WSV(values['login-id'] as string, values.key as string, fixed, { ...defaults, ...origin });
    const store = tokenStoreFor(values, env);
    return new ComapClient({
      ...defaults,
      key: values.key as string,
      clientId: values['client-id'] as string,
      secret: values.secret as string,
      loginId: values['login-id'] as string,
      ...origin,
      ...(store ? { tokenStore: store } : {}),
    });
  } catch (error) {
    // A bad COMAP_BASE_URL (or credential) is configuration, not a failure of the call.
    throw error instanceof TypeError || error instanceof RangeError ? new ConfigError(error.message, { cause: error }) : error;
  }
}
