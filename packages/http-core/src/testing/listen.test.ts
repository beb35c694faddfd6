import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { listenOnLoopback } from './index.js';

describe('listenOnLoopback', () => {
  it('resolves with the bound address and leaves no listeners behind', async () => {
    const server = createServer();
    try {
      const address = await listenOnLoopback(server);
      expect(address).toEqual({ address: '127.0.0.1', family: 'IPv4', port: expect.any(Number) as number });
      expect(address.port).toBeGreaterThan(0);
      expect([server.listenerCount('error'), server.listenerCount('listening')]).toEqual([0, 0]);
    } finally {
      server.close();
    }
  });

  it("rejects with the server's 'error' (a port in use) and removes its listeners; the server can listen again", async () => {
    const first = createServer();
    const second = createServer();
    try {
      const { port } = await listenOnLoopback(first, 0, 'localhost');
      await expect(listenOnLoopback(second, port, 'localhost')).rejects.toMatchObject({ code: 'EADDRINUSE' });
      expect([second.listenerCount('error'), second.listenerCount('listening')]).toEqual([0, 0]);
      await expect(listenOnLoopback(second, 0, '127.0.0.2')).resolves.toMatchObject({ address: '127.0.0.2' });
      expect([second.listenerCount('error'), second.listenerCount('listening')]).toEqual([0, 0]);
    } finally {
      first.close();
      second.close();
    }
  });

  it('refuses a port outside 0..65535, a host that is not loopback, and a non-server', async () => {
    const server = createServer();
    await expect(listenOnLoopback(server, 65_536)).rejects.toThrow(new RangeError('port must be an integer from 0 to 65535, got 65536'));
    await expect(listenOnLoopback(server, 1.5)).rejects.toThrow(new RangeError('port must be an integer from 0 to 65535, got 1.5'));
    await expect(listenOnLoopback(server, 0, '0.0.0.0')).rejects.toThrow(new RangeError('host must be a loopback address (127.0.0.1, ::1, localhost), got 0.0.0.0'));
    await expect(listenOnLoopback({} as never)).rejects.toThrow(new TypeError('server must be a net.Server (http, https, tls or net)'));
    expect(server.listening).toBe(false);
  });
});
