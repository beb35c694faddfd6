/** Runs a CLI to completion in its own process and collects what it printed. */
import { spawn } from 'node:child_process';

/** How a CLI run by {@link runCli} ended, and everything it printed. */
export interface CliResult {
  /** Exit code; null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Options of {@link runCli}; `env` is merged over the current environment. */
export interface RunCliOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Kill (SIGKILL) after this long and reject. Default 30000. */
  timeoutInMs?: number;
  /** Written to stdin, which is then closed. */
  input?: string;
}

/** `node <bin> ...args` (a `.js`/`.mjs`/`.cjs` file) or `<bin> ...args`; resolves once it exited. */
export function runCli(bin: string, args: readonly string[] = [], options: RunCliOptions = {}): Promise<CliResult> {
  if (typeof bin !== 'string' || bin === '') throw new TypeError('bin must be a non-empty string');
  const timeoutInMs = options.timeoutInMs ?? 30_000;
  if (!Number.isInteger(timeoutInMs) || timeoutInMs <= 0) throw new RangeError('timeoutInMs must be a positive integer');
  const viaNode = /\.[cm]?js$/.test(bin);
  const child = spawn(viaNode ? process.execPath : bin, viaNode ? [bin, ...args] : [...args], {
    env: { ...process.env, ...options.env },
    cwd: options.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end(options.input ?? '');
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${bin} ${args.join(' ')} did not exit within ${timeoutInMs} ms; stdout: ${stdout.slice(-500)}; stderr: ${stderr.slice(-500)}`));
    }, timeoutInMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
