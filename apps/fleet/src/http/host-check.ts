// Defence against DNS rebinding and cross-site requests: a request must name this server in its
// `Host` (the bound address, `localhost`, or a configured name), and a state-changing request that
// carries an `Origin` must come from a page of this server. A page whose name an attacker rebinds
// to 127.0.0.1 sends its own name as `Host` and `Origin`, so both checks refuse it.
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { ApiError } from './errors.js';

/** Methods that only read: they pass the Origin check (answers stay unreadable cross-origin without CORS). */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** `Host`/`Origin` host part → the bare lower-case name or address (brackets, port and a final dot removed). */
export function hostName(host: string): string {
  const lower = host.trim().toLowerCase();
  if (isIP(lower) !== 0) return lower;
  const bare = lower.startsWith('[') ? lower.slice(1, Math.max(1, lower.indexOf(']'))) : lower.replace(/:\d*$/, '');
  return bare.endsWith('.') ? bare.slice(0, -1) : bare;
}

function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::' || address === '';
}

/** Every address of this machine (what `Host` may name when the server listens on all of them). */
function interfaceAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address.toLowerCase()));
}

export interface HostCheckOptions {
  /** The configured bind address (`server.host`). */
  host: string;
  /** The address the socket is bound to (`server.address().address`). */
  boundAddress: string;
  /** `server.allowedHosts`: further names, `.example.com` meaning the domain and its subdomains. */
  allowedHosts?: readonly string[] | undefined;
}

export interface HostCheck {
  /** Whether `Host` names this server: the bound address, `localhost` or an allowed name. */
  host(name: string): boolean;
  /** Whether an `Origin` of another host:port is still ours: only the configured names (a proxy's). */
  origin(name: string): boolean;
}

function nameSet(entries: readonly string[]): (name: string) => boolean {
  const exact = new Set<string>();
  const suffixes: string[] = [];
  for (const entry of entries) {
    if (entry.startsWith('.')) {
      suffixes.push(entry.toLowerCase());
      exact.add(entry.slice(1).toLowerCase());
    } else exact.add(hostName(entry));
  }
  return (name) => exact.has(name) || (isIP(name) === 0 && suffixes.some((s) => name.endsWith(s)));
}

/** The names this server answers for. */
export function createHostCheck(options: HostCheckOptions): HostCheck {
  const own = [options.host, options.boundAddress];
  if (isWildcard(options.host) || isWildcard(options.boundAddress)) own.push(...interfaceAddresses());
  const configured = nameSet(options.allowedHosts ?? []);
  const builtIn = nameSet(['localhost', ...own]);
  return { host: (name) => builtIn(name) || configured(name), origin: configured };
}

/**
 * Throws 421 when `Host` names another server (or is missing), 403 when a state-changing request
 * comes with an `Origin` other than the request's own host:port or an allowed name.
 */
export function checkHostAndOrigin(req: IncomingMessage, method: string, check: HostCheck): void {
  const host = req.headers.host;
  if (host === undefined || !check.host(hostName(host))) {
    throw new ApiError(421, 'misdirected_request', 'this server does not answer for that Host (add the name to server.allowedHosts)');
  }
  const origin = req.headers.origin;
  if (origin === undefined || SAFE_METHODS.has(method)) return;
  let originHost: string | undefined;
  try {
    originHost = origin === 'null' ? undefined : new URL(origin).host;
  } catch {
    originHost = undefined;
  }
  const sameOrigin = originHost !== undefined && originHost.toLowerCase() === host.trim().toLowerCase();
  if (!sameOrigin && (originHost === undefined || !check.origin(hostName(originHost)))) {
    throw new ApiError(403, 'forbidden', 'cross-origin requests may not change anything (Origin is not this server)');
  }
}
