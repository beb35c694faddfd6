import packageJson from '../package.json' with { type: 'json' };

/** The version of @x/http-core, read from its package.json when the package is built. */
export const VERSION: string = packageJson.version;

/** `@x/http-core/<version> node/<version>`: the default User-Agent. */
export const DEFAULT_USER_AGENT = `@x/http-core/${VERSION} node/${process.versions.node}`;
