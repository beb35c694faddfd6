// Test helper: loads the shared fixtures (see /work/shared/fixtures/README.md for origins).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** `shared/fixtures/thinq` beside the repository clone. */
export const FIXTURES = join(here, '../../../../shared/fixtures/thinq');

export function fixtureJson(relPath: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURES, relPath), 'utf8')) as unknown;
}

interface WideqState {
  model_info: Record<string, unknown>;
  auth: { access_token: string; refresh_token: string };
}

/** wideq's `tests/fixtures/client.json` (sampsyo/wideq @ aa4967d, MIT). */
export function wideqState(): WideqState {
  return fixtureJson('wideq/client.json') as WideqState;
}

/** The model JSON of the wideq fixture whose URL names `modelName`. */
export function wideqModel(modelName: string): unknown {
  const state = wideqState();
  const url = Object.keys(state.model_info).find((u) => u.includes(`modelName=${modelName}&`));
  if (url === undefined) throw new Error(`no fixture model ${modelName}`);
  return state.model_info[url];
}
