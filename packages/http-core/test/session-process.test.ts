// A session in a script of its own process (the built dist, as users run it): its TCP server drops
// the first connection, and the reconnect wait alone must keep the process alive until the second
// connection delivers; after close() the process must exit 0 by itself (no timer or socket left).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const built = existsSync(join(dist, 'index.js'));

const script = `
import net from 'node:net';
const { createSession } = await import(${JSON.stringify(join(dist, 'index.js'))});
let accepted = 0;
const server = net.createServer((socket) => {
  accepted += 1;
  if (accepted === 1) socket.destroy(); // drop the first connection at once
  else socket.end('hello\\n');
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();
// Nothing else holds the loop during the wait: the server stops accepting after the second client.
server.unref();
const events = [];
const session = createSession({
  connect: ({ signal }) => new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', signal });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  }),
  run: (socket, ctx) => new Promise((resolve, reject) => {
    socket.setEncoding('utf8');
    socket.on('data', (text) => ctx.deliver(text.trim()));
    socket.once('end', resolve);
    socket.once('error', reject);
  }),
  disconnect: (socket) => socket.destroy(),
  pause: (socket) => socket.pause(),
  resume: (socket) => socket.resume(),
}, { reconnect: { initialDelayInMs: 400, jitter: 'none' }, stableAfterInMs: 60000 });
for (const name of ['connected', 'disconnected', 'reconnecting']) session.on(name, (e) => events.push([name, e.reason ?? e.delayInMs ?? e.connection]));
const started = Date.now();
for await (const line of session) {
  events.push(['item', line]);
  break; // leaving the loop closes the session
}
await session.done;
server.close();
console.log(JSON.stringify({ events, waitedInMs: Date.now() - started >= 400, state: session.state }));
`;

// Skipped only outside CI when nothing is built yet; CI builds first, so there it always runs.
describe.skipIf(!built && process.env.CI !== 'true')('a session in its own process (built dist)', () => {
  it('stays alive through the reconnect wait and exits 0 after close', async () => {
    // A stale dist (built before the session existed) must fail loudly, not skip.
    expect(readFileSync(join(dist, 'index.js'), 'utf8')).toContain('createSession');
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'close')) as [number | null];
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      events: [
        ['connected', 1],
        ['disconnected', 'ended'],
        ['reconnecting', 400],
        ['connected', 2],
        ['item', 'hello'],
        ['disconnected', 'closed'],
      ],
      waitedInMs: true,
      state: 'closed',
    });
  });
});
