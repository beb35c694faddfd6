/**
 * Starts a simulator's server on a loopback address: the one "listen, reject on 'error'" step of
 * every simulator, with its listeners removed whatever the outcome (a server retried on another
 * port does not collect stale ones). Simulators stay on loopback: their control API can revoke
 * tokens and drop traffic.
 */
import { isIP, type AddressInfo, type Server } from 'node:net';

/** `localhost`, `::1` or an IPv4 address in 127.0.0.0/8. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/**
 * `server.listen(port, host)`: resolves with the bound address (`port` 0 picks a free port), rejects
 * with the server's `'error'` (e.g. EADDRINUSE). TypeError/RangeError for a port outside 0..65535 or
 * a host that is not loopback.
 */
export function listenOnLoopback(server: Server, port = 0, host = '127.0.0.1'): Promise<AddressInfo> {
  if (typeof server?.listen !== 'function') return Promise.reject(new TypeError('server must be a net.Server (http, https, tls or net)'));
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65_535) return Promise.reject(new RangeError(`port must be an integer from 0 to 65535, got ${String(port)}`));
  if (typeof host !== 'string' || !isLoopbackHost(host)) return Promise.reject(new RangeError(`host must be a loopback address (127.0.0.1, ::1, localhost), got ${String(host)}`));
  return new Promise<AddressInfo>((resolve, reject) => {
    const onError = (error: Error): void => {
      server.off('listening', onListening);
      reject(error);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}
