// A CLI built on the kit, run as users run it: its own process, real signals, a real pipe that closes early.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startProcess } from '../src/testing/index.js';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');

// `tiny wait`: prints a line, then waits for its signal; `tiny flood`: endless JSON lines; `tiny stuck`: ignores its signal.
const source = `
import { defineCommand, defineProgram, main } from ${JSON.stringify(join(dist, 'cli.js'))};
const program = defineProgram({
  name: 'tiny', version: '0.0.1', summary: 'A tiny CLI.',
  commands: [
    defineCommand({ name: 'wait', summary: 'waits', async run({ stdout, signal }) {
      stdout.json({ ready: true });
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      await new Promise((resolve) => setTimeout(resolve, 50));
      stdout.json({ stopped: signal.reason.code });
    } }),
    defineCommand({ name: 'flood', summary: 'floods', async run({ stdout, signal }) {
      for (let i = 0; !signal.aborted; i += 1) { stdout.json({ i }); if (i % 100 === 0) await new Promise((r) => setImmediate(r)); await stdout.drained(); }
      process.stderr.write('flood stopped\\n');
    } }),
    defineCommand({ name: 'stuck', summary: 'never ends', async run({ stdout }) {
      stdout.json({ ready: true });
      await new Promise(() => setInterval(() => undefined, 1000));
    } }),
  ],
});
await main(program);
`;

// Skipped only outside CI when nothing is built yet; CI builds first, so there it always runs.
describe.skipIf(!existsSync(join(dist, 'cli.js')) && process.env.CI !== 'true')('a CLI on the kit in its own process', () => {
  let dir = '';
  let bin = '';
  let script: string[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'x-cli-kit-'));
    bin = join(dir, 'tiny.mjs');
    writeFileSync(bin, source);
    script = [bin];
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s aborts the command, which finishes its output; exit code %i', async (signal, code) => {
    const started = await startProcess(process.execPath, [...script, 'wait']);
    expect(started.line).toEqual({ ready: true });
    let rest = '';
    started.child.stdout?.on('data', (chunk: Buffer) => (rest += chunk.toString()));
    expect(await started.stop(signal)).toBe(code);
    expect(rest).toBe(`{"stopped":"${signal}"}\n`);
  });

  it('a second signal exits at once', async () => {
    const started = await startProcess(process.execPath, [...script, 'stuck']);
    started.child.kill('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(started.child.exitCode).toBe(null);
    expect(await started.stop('SIGINT', 3000)).toBe(130);
  });

  it('`tiny flood | head -n 3` ends cleanly: no EPIPE crash, exit 0', async () => {
    const child = spawn('bash', ['-c', `"${process.execPath}" "$1" flood | head -n 3; echo "exit=\${PIPESTATUS[0]}"`, 'bash', bin], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    await new Promise((resolve) => child.once('close', resolve));
    expect(out).toBe('{"i":0}\n{"i":1}\n{"i":2}\nexit=0\n');
    expect(err).toBe('flood stopped\n');
  });

  it('runCli collects the output and the exit code of usage errors, --help and --version', async () => {
    const bad = await runCli(bin, ['wiat']);
    expect(bad).toEqual({ code: 2, signal: null, stdout: '', stderr: "tiny: error: unknown command 'wiat' for 'tiny' (did you mean 'wait'?)\nRun 'tiny --help' for usage.\n" });
    expect(await runCli(bin, ['--version'])).toEqual({ code: 0, signal: null, stdout: '0.0.1\n', stderr: '' });
    const help = await runCli(bin, ['wait', '--help']);
    expect([help.code, help.stdout.split('\n')[0]]).toEqual([0, 'Usage: tiny wait [options]']);
  });
});
