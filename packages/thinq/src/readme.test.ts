import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as thinq from './index.js';
import * as testing from './testing/index.js';

/** The first ```js block of the README, with its `import { … } from '…'` lines turned into look-ups. */
function readmeExample(): string {
  const readme = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../README.md'), 'utf8');
  const block = /```js\n([\s\S]*?)```/.exec(readme)?.[1];
  if (block === undefined) throw new Error('README has no js example');
  return block.replace(/^import \{([^}]+)\} from '([^']+)';$/gm, (_m, names: string, from: string) => `const {${names}} = __imports[${JSON.stringify(from)}];`);
}

type AsyncFn = (imports: Record<string, unknown>, console: { log: (...args: unknown[]) => void; warn: (...args: unknown[]) => void }) => Promise<void>;

describe('README', () => {
  // The example starts the simulator (test CA) and push (an RSA-2048 client key): seconds on a busy machine.
  it('quick start runs as written against the simulator', { timeout: 60_000 }, async () => {
    const body = readmeExample();
    expect(body).toContain('__imports["@x/thinq"]');
    const AsyncFunction = Object.getPrototypeOf(async function () {
      /* only its constructor is needed */
    }).constructor as new (...args: string[]) => AsyncFn;
    const run = new AsyncFunction('__imports', 'console', body);
    const logged: unknown[][] = [];
    const warned: unknown[][] = [];
    await run({ '@x/thinq': thinq, '@x/thinq/testing': testing }, { log: (...args) => logged.push(args), warn: (...args) => warned.push(args) });
    expect(warned).toEqual([['push:', 'ThinQ Connect error 1222 NOT_CONNECTED_DEVICE (HTTP 400): Not connected device']]);
    expect(logged).toHaveLength(4);
    expect(logged[0]?.[0]).toMatchObject({ temperature: { targetTemperature: 22 } });
    expect(logged[1]).toEqual(['notification', 'FILTER_RESET_REQUIRED']);
    expect(logged[2]?.[0]).toBe('open');
    expect(String(logged[2]?.[1])).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/login\/sign_in\?country=US&language=en-US&svcCode=SVC202&/);
    expect(logged[3]).toEqual([
      { state: 'RINSING', previousState: 'RUNNING', isOn: true, remainingTimeInMinutes: 21, initialTimeInMinutes: 95, course: 'Cotton', smartCourse: 'Off', error: 'No Error' },
    ]);
  });
});
