/** Starts a program as users do (`node dist/cli.js simulate`) and waits for its one JSON line. */
import { type ChildProcess, spawn } from 'node:child_process';

/** A process started by {@link startProcess}, after it printed its JSON line. */
export interface StartedProcess<T = Record<string, unknown>> {
  /** The first stdout line, parsed. */
  line: T;
  child: ChildProcess;
  /** Everything the process wrote to stderr so far (for failure messages). */
  readonly stderr: string;
  /** Sends `signal` (default SIGTERM), SIGKILL after `graceInMs` (default 5000); resolves to the exit code or signal. */
  stop(signal?: NodeJS.Signals, graceInMs?: number): Promise<number | NodeJS.Signals>;
}

/** Options of {@link startProcess}; `env` is merged over the current environment. */
export interface StartProcessOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** How long to wait for the line. Default 15000. */
  timeoutInMs?: number;
}

function exited(child: ChildProcess): Promise<number | NodeJS.Signals> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  if (child.signalCode !== null) return Promise.resolve(child.signalCode);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal as NodeJS.Signals))));
}

/** Spawns `command args`, resolves with its first stdout line parsed as JSON; rejects if it exits or times out first. */
export function startProcess<T = Record<string, unknown>>(command: string, args: readonly string[] = [], options: StartProcessOptions = {}): Promise<StartedProcess<T>> {
  if (typeof command !== 'string' || command === '') throw new TypeError('command must be a non-empty string');
  const timeoutInMs = options.timeoutInMs ?? 15_000;
  if (!Number.isInteger(timeoutInMs) || timeoutInMs <= 0) throw new RangeError('timeoutInMs must be a positive integer');
  const child = spawn(command, [...args], { env: { ...process.env, ...options.env }, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM', graceInMs = 5000): Promise<number | NodeJS.Signals> => {
    const done = exited(child);
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceInMs);
    try {
      return await done;
    } finally {
      clearTimeout(timer);
    }
  };
  return new Promise<StartedProcess<T>>((resolve, reject) => {
    const fail = (message: string): void => {
      clearTimeout(timer);
      void stop('SIGKILL');
      reject(new Error(`${message}; stderr: ${stderr.trim() || '(empty)'}`));
    };
    const timer = setTimeout(() => fail(`${command} ${args.join(' ')} printed no line within ${timeoutInMs} ms`), timeoutInMs);
    child.once('error', (error) => fail(`${command} could not start: ${error.message}`));
    child.once('exit', (code, signal) => fail(`${command} ${args.join(' ')} exited (${code ?? signal}) before its line`));
    child.stdout?.setEncoding('utf8').on('data', function onData(chunk: string) {
      stdout += chunk;
      const end = stdout.indexOf('\n');
      if (end === -1) return;
      child.stdout?.off('data', onData);
      child.removeAllListeners('exit');
      clearTimeout(timer);
      // Keep draining stdout so the child never blocks on a full pipe.
      child.stdout?.resume();
      try {
        const line = JSON.parse(stdout.slice(0, end)) as T;
        resolve({ line, child, get stderr() { return stderr; }, stop });
      } catch {
        void stop('SIGKILL');
        reject(new Error(`${command} printed a line that is not JSON: ${stdout.slice(0, Math.min(end, 200))}`));
      }
    });
  });
}
