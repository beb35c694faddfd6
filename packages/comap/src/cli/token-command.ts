/** `comap token`: prints the token the other commands use (cached or fetched), or clears the cache. */
import { ConfigError, defineCommand, type CommandSpec } from '@x/http-core/cli';
import { ComapClient } from '../client.js';
import { CREDENTIAL_OPTIONS, clientFor, tokenStoreFor, type ClientDefaults } from './credentials.js';
import { withClient } from './unit.js';

export function tokenCommand(defaults: ClientDefaults): CommandSpec<never, never> {
  return defineCommand({
    name: 'token',
    summary: 'Print the bearer token (from the cache, or fetched and cached), or --clear the cache.',
    description:
      'Prints {"access_token","expires_in"} (a secret: treat it like the client secret). The token is cached per API origin, key and client id in the user\'s cache directory (COMAP_CACHE_DIR, $XDG_CACHE_HOME/x-comap or ~/.cache/x-comap), mode 0600, and refreshed a minute before it expires.',
    options: { ...CREDENTIAL_OPTIONS, clear: { type: 'boolean', default: false, description: 'delete the cached token instead; prints {"cleared":true|false}' } },
    examples: ['comap token', 'export COMAP_TOKEN=$(comap token | jq -r .access_token)', 'comap token --clear'],
    run: async ({ options, env, stdout, signal }) => {
      if (options.clear) {
        const store = tokenStoreFor({ ...options, 'token-cache': true }, env);
        if (store === undefined) throw new ConfigError('no cache directory: set COMAP_CACHE_DIR or HOME');
        stdout.json({ cleared: await store.clear() });
        return;
      }
      await withClient(clientFor({ ...options, token: undefined }, defaults, env), async (client) => {
        if (!(client instanceof ComapClient)) throw new ConfigError('comap token needs COMAP_CLIENT_ID and COMAP_SECRET');
        const token = await client.getToken({ signal });
        stdout.json({ access_token: token.access_token, expires_in: token.expires_in });
      });
    },
  });
}
