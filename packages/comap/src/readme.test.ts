import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';

// The README's quick start, run as written: vitest resolves its `@x/comap` and `@x/comap/testing`
// imports to the sources, and its console output is captured.
const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');

function quickStart(): string {
  const section = readme.slice(readme.indexOf('## Quick start'));
  const match = /```js\n([\s\S]*?)```/.exec(section);
  if (!match?.[1]) throw new Error('README has no quick start code block');
  return match[1];
}

describe('README', () => {
  it('the quick start runs against the simulator with the default limits (1 request/s) and prints what it says', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'comap-readme-'));
    const file = join(dir, 'quick-start.mjs');
    writeFileSync(file, quickStart());
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await import(pathToFileURL(file).href);
      const lines = log.mock.calls.map((args) => args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
      // console.log(unit.name, ['ControllerMode=…', 'Engine state=…'])
      expect(lines[0]).toMatch(/^Westport Hospital 1 \["ControllerMode=(OFF|MAN|AUT|TEST)","Engine state=[A-Za-z ]+"\]$/);
      const history = lines.slice(1);
      expect(history.length).toBeGreaterThan(0);
      for (const l of history) expect(l).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z [A-Za-z ]+$/);
      // After `start` the engine runs: the last entry is the state the command produced.
      expect(history.at(-1)).toMatch(/ (Running|Loaded)$/);
    } finally {
      log.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
