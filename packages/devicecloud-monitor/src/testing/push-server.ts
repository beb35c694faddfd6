/**
 * The simulator's TCP push servers (plain and TLS): ConnectionRequest/Response, PublishMessage
 * batches, explicit ack tracking, and fault injection. A monitor with `monAckOption=off` ignores
 * whatever the client sends after its ConnectionRequest (the reference Python clients send a
 * malformed 6-byte ack and still work against the real service).
 */
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import {
  FrameDecoder,
  MessageType,
  encodeConnectionResponse,
  encodePublishMessage,
  parseAck,
  parseConnectionRequest,
  STATUS_OK,
} from '../frame.js';
import type { SimBatch, SimMonitor, Sink } from './sim-monitor.js';

export interface PushServerHost {
  authenticate(username: string, password: string): boolean;
  monitor(id: number): SimMonitor | undefined;
  faults: PushFaultState;
  random(): number;
  now(): Date;
  /** Called for every accepted or refused ConnectionRequest (for assertions). */
  onConnect?(info: { monitorId: number; username: string; status: number }): void;
}

export interface PushFaultState {
  /** Monitor ids (or -1 for any) whose next PublishMessage is cut in half before the socket dies. */
  dropMidFrame: Set<number>;
  /** Write every frame in random pieces with pauses in between. */
  splitFrames: boolean;
  /** Maximum unacked blocks per explicit-ack monitor. */
  maxUnackedBlocks: number;
  /** Right after every accepted ConnectionRequest, send a frame header that desynchronises the stream. */
  badBlockOnConnect: boolean;
  /** Per monitor: how many more acks are lost (as if the link dropped while they were in flight). */
  loseAcks: Map<number, number>;
}

/** A PublishMessage header declaring 4 GiB: no client accepts it, the stream is lost. */
export const DESYNC_FRAME = Buffer.from('0003ffff0000', 'hex');

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

class PushConnection implements Sink {
  readonly window: number;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly socket: Socket,
    readonly monitor: SimMonitor,
    private readonly host: PushServerHost,
  ) {
    this.window = monitor.explicitAck ? host.faults.maxUnackedBlocks : Number.POSITIVE_INFINITY;
  }

  send(batch: SimBatch): void {
    const frame = encodePublishMessage({
      blockId: batch.blockId,
      count: batch.events.length,
      compression: batch.compression,
      format: batch.format,
      data: batch.data,
    });
    const faults = this.host.faults;
    for (const key of [this.monitor.id, -1]) {
      if (faults.dropMidFrame.delete(key)) {
        this.enqueue(async () => {
          await this.write(frame.subarray(0, Math.max(1, frame.length >> 1)));
          this.socket.destroy();
        });
        return;
      }
    }
    this.enqueue(async () => {
      await this.write(frame);
      if (!this.monitor.explicitAck && this.monitor.sink === this) this.monitor.delivered(batch.blockId, this.host.now());
    });
  }

  /** Writes raw bytes (garbage frames, custom faults) in order with the batches. */
  raw(bytes: Buffer): void {
    this.enqueue(() => this.write(bytes));
  }

  close(): void {
    this.socket.destroy();
  }

  private enqueue(task: () => Promise<void>): void {
    this.chain = this.chain.then(task).catch(() => {
      this.socket.destroy();
    });
  }

  private async write(bytes: Buffer): Promise<void> {
    if (this.socket.destroyed) throw new Error('socket closed');
    if (!this.host.faults.splitFrames || bytes.length < 2) {
      await new Promise<void>((resolve, reject) => this.socket.write(bytes, (err) => (err ? reject(err) : resolve())));
      return;
    }
    let offset = 0;
    while (offset < bytes.length) {
      const n = 1 + Math.floor(this.host.random() * Math.min(64, bytes.length - offset));
      const piece = bytes.subarray(offset, offset + n);
      offset += n;
      await new Promise<void>((resolve, reject) => this.socket.write(piece, (err) => (err ? reject(err) : resolve())));
      await wait(1);
    }
  }
}

/** Live connections by monitor id (the simulator uses it for faults). */
export type ConnectionRegistry = Map<number, PushConnection>;
export type { PushConnection };

function handleSocket(socket: Socket, host: PushServerHost, registry: ConnectionRegistry): void {
  socket.setNoDelay(true);
  const decoder = new FrameDecoder({ maxFrameBytes: 1 << 20 });
  let connection: PushConnection | undefined;
  let refused = false;
  socket.on('error', () => {
    /* the close handler cleans up */
  });
  socket.on('close', () => {
    if (!connection) return;
    connection.monitor.detach(connection);
    if (registry.get(connection.monitor.id) === connection) registry.delete(connection.monitor.id);
  });
  socket.on('data', (chunk: Buffer) => {
    if (refused) return;
    if (connection && !connection.monitor.explicitAck) {
      connection.monitor.ignoredBytes += chunk.length;
      return;
    }
    decoder.push(chunk);
    try {
      for (let frame = decoder.next(); frame; frame = decoder.next()) {
        if (!connection) {
          if (frame.type !== MessageType.ConnectionRequest) throw new Error('expected ConnectionRequest');
          const req = parseConnectionRequest(frame.payload);
          const monitor = host.monitor(req.monitorId);
          const status = !host.authenticate(req.username, req.password)
            ? 403
            : !monitor || monitor.transport !== 'tcp' || req.protocolVersion !== 1
              ? 400
              : STATUS_OK;
          host.onConnect?.({ monitorId: req.monitorId, username: req.username, status });
          socket.write(encodeConnectionResponse(status));
          if (status !== STATUS_OK || !monitor) {
            refused = true;
            socket.end();
            return;
          }
          connection = new PushConnection(socket, monitor, host);
          registry.get(monitor.id)?.close();
          registry.set(monitor.id, connection);
          monitor.attach(connection, host.now());
          if (host.faults.badBlockOnConnect) connection.raw(DESYNC_FRAME);
          if (!monitor.explicitAck) return;
        } else if (frame.type === MessageType.PublishMessageReceived) {
          const ack = parseAck(frame.payload);
          const acks = connection.monitor.acks;
          if (acks.push(ack.blockId) > 10_000) acks.shift();
          const lose = host.faults.loseAcks.get(connection.monitor.id) ?? 0;
          if (lose > 0) {
            host.faults.loseAcks.set(connection.monitor.id, lose - 1);
            continue;
          }
          if (ack.status === STATUS_OK) connection.monitor.delivered(ack.blockId, host.now());
        }
        // Any other type is skipped by its length.
      }
    } catch {
      socket.destroy();
    }
  });
}

export function createPushServer(host: PushServerHost, registry: ConnectionRegistry, tls?: { key: string; cert: string }): Server {
  const onSocket = (socket: Socket) => handleSocket(socket, host, registry);
  return tls ? createTlsServer({ key: tls.key, cert: tls.cert }, onSocket) : createNetServer(onSocket);
}
