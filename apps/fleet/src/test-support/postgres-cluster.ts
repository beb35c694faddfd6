// A throw-away PostgreSQL cluster for tests: initdb in a temp folder, started on a free loopback
// port, removed afterwards. PostgreSQL refuses to run as root, so as root the server runs as the
// `postgres` user (the temp folder, under /tmp so that user can reach it, is handed over to it). In
// CI (CI=true) a missing PostgreSQL is an error, never a silent skip. The server never outlives
// the test process: a failed start stops it, and a small watchdog process (started with the
// cluster, ended by stop()) kills it (SIGQUIT to the postmaster) and removes the folder as soon as
// the test process is gone without stop(), however it ended (test workers are often killed, so an
// 'exit' handler alone would not run).
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PostgresCluster {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** The newest installed PostgreSQL's bin folder (PG_BIN overrides), or undefined. */
export function findPostgresBin(): string | undefined {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv) return existsSync(join(fromEnv, 'postgres')) ? fromEnv : undefined;
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(base, versions[0], 'bin');
}

/** Whether the PostgreSQL tests can run here; throws in CI when they cannot. */
export function postgresAvailable(): boolean {
  const bin = findPostgresBin();
  if (bin) return true;
  if (process.env.CI === 'true') {
    throw new Error('PostgreSQL is not installed (looked in PG_BIN and /usr/lib/postgresql/*/bin); CI must install it (scripts/ci-system-deps.sh)');
  }
  return false;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function userIds(name: string): Promise<{ uid: number; gid: number }> {
  const uid = Number((await run('id', ['-u', name])).stdout.trim());
  const gid = Number((await run('id', ['-g', name])).stdout.trim());
  return { uid, gid };
}

/** The postmaster's pid from its lock file, if it is running. */
function postmasterPid(data: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Immediate shutdown (SIGQUIT) of the server of `data`, synchronously; false if none ran. */
function killServer(data: string): boolean {
  const pid = postmasterPid(data);
  if (pid === undefined) return false;
  try {
    process.kill(pid, 'SIGQUIT');
    return true;
  } catch {
    return false;
  }
}

// Polls the test process; once it is gone, stops the server of `data` and removes `dir`.
const WATCHDOG = `
const [parent, dir, data] = process.argv.slice(1);
const fs = require('node:fs');
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
const timer = setInterval(() => {
  if (alive(Number(parent))) return;
  clearInterval(timer);
  try { process.kill(Number(fs.readFileSync(data + '/postmaster.pid', 'utf8').split('\\n')[0]), 'SIGQUIT'); } catch {}
  setTimeout(() => fs.rmSync(dir, { recursive: true, force: true }), 1000);
}, 500);
`;

function startWatchdog(dir: string, data: string): { kill(): void } {
  const child = spawn(process.execPath, ['-e', WATCHDOG, String(process.pid), dir, data], { detached: true, stdio: 'ignore' });
  child.unref();
  return { kill: () => void child.kill() };
}

export async function startPostgresCluster(): Promise<PostgresCluster> {
  const bin = findPostgresBin();
  if (!bin) throw new Error('PostgreSQL is not installed');
  const asRoot = process.getuid?.() === 0;
  // As root, TMPDIR may point into a folder the postgres user cannot enter.
  const dir = await mkdtemp(join(asRoot ? '/tmp' : tmpdir(), 'fleet-pg-'));
  const data = join(dir, 'data');
  const watchdog = startWatchdog(dir, data);
  const exec = async (file: string, args: string[]): Promise<void> => {
    if (asRoot) await run('runuser', ['-u', 'postgres', '--', join(bin, file), ...args], { cwd: dir });
    else await run(join(bin, file), args, { cwd: dir });
  };
  const port = await freePort();
  try {
    if (asRoot) {
      const { uid, gid } = await userIds('postgres');
      await chown(dir, uid, gid);
    }
    await exec('initdb', ['-D', data, '-U', 'fleet', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
    const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off`;
    await exec('pg_ctl', ['-D', data, '-o', opts, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  } catch (err) {
    const log = await readFile(join(dir, 'server.log'), 'utf8').catch(() => '');
    // pg_ctl may give up waiting while the server still starts: stop it before removing its folder.
    await exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => killServer(data));
    await rm(dir, { recursive: true, force: true });
    watchdog.kill();
    throw new Error(`could not start PostgreSQL: ${String(err)}\n${log.slice(-2000)}`);
  }
  return {
    url: `postgres://fleet@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      try {
        await exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        killServer(data);
      }
      await rm(dir, { recursive: true, force: true });
      watchdog.kill();
    },
  };
}
