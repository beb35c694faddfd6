// A loopback TCP proxy in front of a simulator port, so the demo (and the tests) can take one vendor
// offline or make it refuse the fleet's credentials at the wire, whatever faults the simulator
// itself offers: 'outage' resets every connection, 'unauthorised' answers like the vendor does
// for bad credentials (through `refuse`).
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { DemoFault } from '../service.js';

export interface FaultProxyOptions {
  targetHost: string;
  targetPort: number;
  /** How this protocol rejects credentials; without it 'unauthorised' behaves like 'outage'. */
  refuse?: (client: Socket) => void;
}

/** An HTTP 401 for every request on the connection (REST APIs). */
export function refuseHttp(body = '{"error":"invalid credentials"}'): (client: Socket) => void {
  return (client) => {
    client.once('data', () => {
      client.end(
        `HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    });
  };
}

export class FaultProxy {
  readonly #server: Server;
  readonly #options: FaultProxyOptions;
  readonly #sockets = new Set<Socket>();
  #mode: DemoFault = 'none';
  port = 0;

  private constructor(options: FaultProxyOptions) {
    this.#options = options;
    this.#server = createServer((client) => this.#accept(client));
  }

  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const proxy = new FaultProxy(options);
    await new Promise<void>((resolve, reject) => {
      proxy.#server.once('error', reject);
      proxy.#server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = proxy.#server.address();
    proxy.port = typeof address === 'object' && address ? address.port : 0;
    return proxy;
  }

  get mode(): DemoFault {
    return this.#mode;
  }

  /** Switches the fault; any fault cuts the open connections so clients notice at once. */
  set(mode: DemoFault): void {
    this.#mode = mode;
    if (mode !== 'none') for (const s of this.#sockets) s.destroy();
  }

  #track(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  }

  #accept(client: Socket): void {
    this.#track(client);
    if (this.#mode === 'outage' || (this.#mode === 'unauthorised' && !this.#options.refuse)) {
      client.destroy();
      return;
    }
    if (this.#mode === 'unauthorised') {
      this.#options.refuse?.(client);
      return;
    }
    const upstream = connect(this.#options.targetPort, this.#options.targetHost);
    this.#track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
