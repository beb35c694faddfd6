import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The README's quick start, run as written (against the built package, which CI builds before
// the tests): the file sits inside the package so `@x/comap` resolves by self-reference.
const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');

function quickStart(): string {
  const section = readme.slice(readme.indexOf('## Quick start'));
  const match = /```js\n([\s\S]*?)```/.exec(section);
  if (!match?.[1]) throw new Error('README has no quick start code block');
  return match[1];
}

describe('README', () => {
  it('the quick start runs against the simulator with the default limits (1 request/s) and prints what it says', async () => {
    const file = fileURLToPath(new URL(`../dist/.readme-quick-start-${process.pid}.mjs`, import.meta.url));
    writeFileSync(file, quickStart());
    try {
      const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.once('error', reject);
        child.once('exit', (code) => resolve({ code, stdout, stderr }));
      });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const lines = result.stdout.trim().split('\n');
      // console.log(unit.name, [ 'ControllerMode=…', 'Engine state=…' ])
      expect(lines[0]).toMatch(/^Westport Hospital 1 \[ 'ControllerMode=(OFF|MAN|AUT|TEST)', 'Engine state=[A-Za-z ]+' \]$/);
      const history = lines.slice(1);
      expect(history.length).toBeGreaterThan(0);
      for (const l of history) expect(l).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z [A-Za-z ]+$/);
      // After `start` the engine runs: the last entry is the state the command produced.
      expect(history.at(-1)).toMatch(/ (Running|Loaded)$/);
    } finally {
      rmSync(file, { force: true });
    }
  }, 60_000);
});
