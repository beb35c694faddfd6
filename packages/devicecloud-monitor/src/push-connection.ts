/**
 * One TCP/TLS connection of a push session up to the accepted handshake: connect, send the
 * ConnectionRequest, read the ConnectionResponse (buffered across reads). Anything but status 200
 * is a PushAuthenticationError; a failed certificate check is a fatal PushConnectionError.
 */
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { PushAuthenticationError, PushConnectionError, PushProtocolError } from './errors.js';
import { FrameDecoder, MessageType, STATUS_OK, encodeConnectionRequest, parseConnectionResponse } from './frame.js';

export interface PushEndpoint {
  host: string;
  port: number;
  secure: boolean;
  ca: string | Buffer | Array<string | Buffer> | undefined;
  servername: string | undefined;
  username: string;
  password: string;
  monitorId: number;
  maxFrameBytes: number;
  keepAliveInitialDelayInMs: number;
}

/** An accepted connection; its socket is paused until the session reads it. */
export interface PushConnection {
  readonly socket: Socket;
  /** Holds whatever arrived after the ConnectionResponse. */
  readonly decoder: FrameDecoder;
  /** The first socket error (kept until the socket closes). */
  error: Error | undefined;
  /** Backpressure: the session asked to stop reading. */
  paused: boolean;
  /** Decodes what is buffered (set by the session while it reads this connection). */
  drain: () => void;
}

const TLS_VERIFY_CODES = new Set([
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
]);

function socketError(err: NodeJS.ErrnoException, endpoint: PushEndpoint): PushConnectionError {
  const code = err.code ?? 'SOCKET_ERROR';
  if (TLS_VERIFY_CODES.has(code)) {
    return new PushConnectionError('TLS_VERIFICATION_FAILED', `TLS verification of ${endpoint.host} failed (${code})`, { cause: err, fatal: true });
  }
  return new PushConnectionError(code, `push connection to ${endpoint.host}:${endpoint.port} failed (${code})`, { cause: err });
}

function openSocket(endpoint: PushEndpoint): Socket {
  const { host, port } = endpoint;
  if (!endpoint.secure) return netConnect({ host, port });
  return tlsConnect({
    host,
    port,
    // SNI must not carry an IP address (RFC 6066); the certificate check still uses `host`.
    ...(endpoint.servername !== undefined || isIP(host) === 0 ? { servername: endpoint.servername ?? host } : {}),
    ca: endpoint.ca,
    rejectUnauthorized: true,
  });
}

/** Connects and authenticates; rejects on refusal, a socket error, or `signal` (the socket is destroyed). */
export function openPushConnection(endpoint: PushEndpoint, signal: AbortSignal): Promise<PushConnection> {
  return new Promise<PushConnection>((resolve, reject) => {
    const socket = openSocket(endpoint);
    const conn: PushConnection = {
      socket,
      decoder: new FrameDecoder({ maxFrameBytes: endpoint.maxFrameBytes }),
      error: undefined,
      paused: false,
      drain: () => undefined,
    };
    // Stays for the socket's life: an error after the handshake must never be unhandled.
    socket.on('error', (err: NodeJS.ErrnoException) => (conn.error ??= socketError(err, endpoint)));
    const cleanup = (): void => {
      signal.removeEventListener('abort', onAbort);
      socket.off('data', onData);
      socket.off('close', onClose);
    };
    const fail = (err: unknown): void => {
      cleanup();
      socket.destroy();
      reject(err instanceof Error ? err : new Error(String(err)));
    };
    const onAbort = (): void => fail(signal.reason);
    const onClose = (): void => fail(conn.error ?? new PushConnectionError('CONNECTION_CLOSED', 'push server closed the connection before its ConnectionResponse'));
    const onData = (chunk: Buffer): void => {
      try {
        conn.decoder.push(chunk);
        const frame = conn.decoder.next();
        if (!frame) return;
        if (frame.type !== MessageType.ConnectionResponse) {
          throw new PushProtocolError('UNEXPECTED_MESSAGE', `expected ConnectionResponse, got message type ${frame.type}`, frame.payload);
        }
        const { status } = parseConnectionResponse(frame.payload);
        if (status !== STATUS_OK) throw new PushAuthenticationError(status, endpoint.monitorId);
        // Nothing more is read until the session's run() takes the connection over.
        socket.pause();
        cleanup();
        resolve(conn);
      } catch (err) {
        fail(err);
      }
    };
    if (signal.aborted) return fail(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, endpoint.keepAliveInitialDelayInMs);
    socket.once(endpoint.secure ? 'secureConnect' : 'connect', () => {
      const { username, password, monitorId } = endpoint;
      socket.write(encodeConnectionRequest({ username, password, monitorId }));
    });
    socket.on('data', onData);
    socket.on('close', onClose);
  });
}
