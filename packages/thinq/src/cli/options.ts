/** The option specs the thinq commands share (names and env variables as before the CLI kit). */
import type { OptionSpec } from '@x/http-core/cli';

/** v1 commands: the wideq state file and where the v1 API is. */
export const V1_OPTIONS = {
  state: { type: 'string', default: 'wideq_state.json', valueName: 'FILE', description: 'wideq-compatible state file' },
  'gateway-url': { type: 'string', valueName: 'URL', description: 'v1 gateway discovery URL (a simulator)' },
  country: { type: 'string', short: 'c', env: 'THINQ_COUNTRY', valueName: 'CC', description: 'account country, e.g. US' },
  language: { type: 'string', short: 'l', valueName: 'll-CC', description: 'language, e.g. en-US' },
  ca: { type: 'string', valueName: 'FILE', description: "extra CA to trust for the v1 API and its lang packs (a simulator's caPath)" },
  // Accepted by every v1 command (as before the CLI kit); used by `mon`.
  interval: { type: 'duration', default: 1000, description: 'pause between mon polls (ms, or 2s, 1m)' },
} as const satisfies Record<string, OptionSpec>;

/** Connect commands: the personal access token and where the Connect API is. */
export const CONNECT_OPTIONS = {
  pat: { type: 'string', env: 'THINQ_PAT', secret: true, description: 'ThinQ Connect personal access token' },
  country: { type: 'string', short: 'c', env: 'THINQ_COUNTRY', valueName: 'CC', description: 'account country, e.g. US' },
  'client-id': { type: 'string', env: 'THINQ_CLIENT_ID', description: 'stable client id of this installation (default: a new one)' },
  'connect-url': { type: 'string', env: 'THINQ_CONNECT_URL', valueName: 'URL', description: 'Connect API base URL (a simulator)' },
} as const satisfies Record<string, OptionSpec>;

/** `--count N`: stop after N items (0 = until interrupted). */
export const COUNT_OPTION = {
  count: { type: 'integer', default: 0, min: 0, description: 'stop after N items (0: until Ctrl-C)' },
} as const satisfies Record<string, OptionSpec>;
