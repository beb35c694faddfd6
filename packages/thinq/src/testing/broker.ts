import { createServer, type Server, type TLSSocket } from 'node:tls';
import type * as AedesModule from 'aedes';
import { listenOnLoopback, optionalPeerError } from '@x/http-core/testing';
import type { TestCa } from './ca.js';

/** The simulator's MQTT broker (aedes) over mutual TLS. */
export interface MqttBrokerSim {
  /** `mqtts://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Lets `clientId` connect and subscribe to `topics` (others are refused). */
  allow(clientId: string, topics: readonly string[]): void;
  /** Revokes what `allow` granted: the client's connects are refused (CONNACK 5, not authorized). */
  revoke(clientId: string): void;
  /** Publishes a JSON message with QoS 1. */
  publish(topic: string, message: unknown): Promise<void>;
  /** Fault injection: drops every client connection. */
  /** Destroys every open client connection now; returns how many. */
  dropConnections(): number;
  /**
   * Fault injection: the next `count` connections read the MQTT CONNECT and then are closed at once
   * (`'close'`, what AWS IoT does to a refused or duplicate client) or never answered (`'stall'`).
   */
  refuseConnects(count: number, mode: 'close' | 'stall'): void;
  /** Number of MQTT clients currently connected. */
  readonly connectedClients: number;
  /** Client ids seen subscribing, with their topics. */
  readonly subscriptions: ReadonlyMap<string, string[]>;
  /** Destroys every client connection and closes the broker and its TLS server. */
  close(): Promise<void>;
}

/** Starts an aedes broker on 127.0.0.1 requiring client certificates issued by `ca`. */
export async function startMqttBroker(ca: TestCa, options: { port?: number } = {}): Promise<MqttBrokerSim> {
  const { Aedes } = await importAedes();
  const allowed = new Map<string, Set<string>>();
  const subscriptions = new Map<string, string[]>();
  const broker = await Aedes.createBroker({
    // Like AWS IoT: only a client whose certificate was issued (and not revoked) may connect.
    authenticate(client, _username, _password, done) {
      done(null, allowed.has(client.id));
    },
    authorizeSubscribe(client, sub, done) {
      if (allowed.get(client.id)?.has(sub.topic)) {
        const list = subscriptions.get(client.id) ?? [];
        list.push(sub.topic);
        subscriptions.set(client.id, list);
        done(null, sub);
      } else {
        done(null, null); // refused: SUBACK 0x80
      }
    },
    authorizePublish(_client, _packet, done) {
      done(new Error('clients may not publish'));
    },
  });
  const { certPem, keyPem } = await ca.issueServer();
  const sockets = new Set<TLSSocket>();
  let refusals: { count: number; mode: 'close' | 'stall' } = { count: 0, mode: 'close' };
  const server: Server = createServer({ key: keyPem, cert: certPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => sockets.delete(socket));
    if (refusals.count > 0) {
      refusals = { ...refusals, count: refusals.count - 1 };
      const { mode } = refusals;
      socket.on('data', () => {
        if (mode === 'close') socket.destroy();
      });
      return;
    }
    broker.handle(socket);
  });
  // Handshake failures (e.g. a client without a valid certificate) are expected; keep serving.
  server.on('tlsClientError', () => undefined);
  const { port } = await listenOnLoopback(server, options.port ?? 0);
  return {
    url: `mqtts://127.0.0.1:${port}`,
    port,
    allow(clientId, topics) {
      const set = allowed.get(clientId) ?? new Set<string>();
      for (const t of topics) set.add(t);
      allowed.set(clientId, set);
    },
    publish(topic, message) {
      return new Promise<void>((resolve, reject) => {
        broker.publish(
          { cmd: 'publish', topic, payload: Buffer.from(JSON.stringify(message)), qos: 1, retain: false, dup: false },
          (err) => (err ? reject(err) : resolve()),
        );
      });
    },
    revoke(clientId) {
      allowed.delete(clientId);
    },
    refuseConnects(count, mode) {
      if (!Number.isInteger(count) || count < 0) throw new RangeError('count must be a non-negative integer');
      refusals = { count, mode };
    },
    dropConnections() {
      const count = sockets.size;
      for (const s of sockets) s.destroy();
      return count;
    },
    get connectedClients() {
      return broker.connectedClients;
    },
    subscriptions,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** aedes is an optional peer dependency (only the simulator needs it): say what to install when it is missing. */
async function importAedes(): Promise<typeof AedesModule> {
  try {
    return await import('aedes');
  } catch (error) {
    throw optionalPeerError(error, 'aedes', '^1.2.0', "The ThinQ simulator's MQTT broker");
  }
}
