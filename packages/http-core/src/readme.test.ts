import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// The README's example, run as written against the built package (CI builds before the tests):
// evaluated with the package folder as working directory, so `@x/http-core` and
// `@x/http-core/testing` resolve by self-reference through the package's exports.
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

function example(): string {
  const section = readme.slice(readme.indexOf('## Example'));
  const match = /```js\n([\s\S]*?)```/.exec(section);
  if (!match?.[1]) throw new Error('README has no example code block');
  return match[1];
}

describe('README', () => {
  it('the example runs as is and prints what its comments say', async () => {
    // Rejects (failing the test) when the example exits with an error.
    const result = await run(process.execPath, ['--input-type=module', '--eval', example()], { cwd: packageDir });
    expect(result.stderr).toBe('');
    const lines = result.stdout.trim().split('\n');
    expect(lines.length).toBe(2);
    // Two 503s, then the answer; the waits are full-jitter draws below 200 ms and 400 ms.
    const first = /^200 \[ \{ name: 'Power', value: 42 \} \] attempts: 3 waited: (\d+) ms$/.exec(lines[0] ?? '');
    expect(first).not.toBeNull();
    expect(Number(first?.[1])).toBeLessThan(600);
    expect(lines[1]).toMatch(/^404 HTTP 404 Not Found: GET http:\/\/127\.0\.0\.1:\d+\/v1\/nope$/);
  }, 60_000);
});
