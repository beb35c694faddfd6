import packageJson from '../package.json' with { type: 'json' };

/** The version of @x/devicecloud-monitor, read from its package.json when the package is built. */
export const VERSION: string = packageJson.version;

/** `@x/devicecloud-monitor/<version>`; @x/http-core appends ` node/<version>`. */
export const USER_AGENT = `@x/devicecloud-monitor/${VERSION}`;
