// The simulator side of a benchmark runs in its own process (so it does not share the client's
// event loop): the bench script forks itself with `server ...` arguments. Shared by the scripts
// in bench/ (this folder is not a benchmark: scripts/bench.mjs runs only bench/*.mjs).
import { fork } from 'node:child_process';

/**
 * Forks `script` with `args`; resolves once the child sent `{ credentials, ...extra }`, with the
 * credentials, the extra fields, `stats()` (asks the child for its simulator's stats) and `stop()`.
 */
export function forkSimulator(script, args) {
  const child = fork(script, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', ({ credentials, ...extra }) => {
      const ask = (what) =>
        new Promise((res) => {
          child.once('message', (x) => res(x[what]));
          child.send(what);
        });
      resolve({ ...credentials, ...extra, stats: () => ask('stats'), stop: () => child.connected && child.send('stop') });
    });
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
}

/** In the child: answers `stats` and `stop` messages for `sim`, then sends its credentials and `extra`. */
export function serveSimulator(sim, extra = {}) {
  process.on('message', (m) => {
    if (m === 'stats') process.send({ stats: sim.stats });
    if (m === 'stop') void sim.close().then(() => process.exit(0));
  });
  process.send({ credentials: sim.credentials(), ...extra });
}
