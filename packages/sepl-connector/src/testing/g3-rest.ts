import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A hub as the simulated device manager stores it. */
export interface SimHub {
  id: string;
  user: string;
  name: string;
  hash: string | null;
  device_local_ids: string[];
}

/** A device as the simulated device manager stores it (keyed by owner and local id). */
export interface SimG3Device {
  id: string;
  user: string;
  local_id: string;
  name: string;
  device_type_id: string;
}

/** One REST request the simulated platform received (the token endpoint's form is not recorded). */
export interface SimG3Request {
  method: string;
  path: string;
  status: number;
  body?: unknown;
}

/** Accounts, client id, token lifetimes and clock of the G3 REST simulator. */
export interface G3RestOptions {
  /** user → password. */
  users: Record<string, string>;
  /** The accepted OpenID client id. */
  clientId: string;
  /** Lifetime of access tokens, seconds (Keycloak `expires_in`). */
  accessTtlS: number;
  /** Lifetime of refresh tokens, seconds (Keycloak `refresh_expires_in`). */
  refreshTtlS: number;
  /** Milliseconds since the epoch (token expiry). */
  now: () => number;
}

interface Grant {
  user: string;
  untilMs: number;
}

type Json = (status: number, body?: unknown) => void;

/**
 * The SENERGY platform's REST side as the reference client sees it: a Keycloak-style token
 * endpoint (`POST /auth/token`, form-encoded password and refresh grants), the hub REST (`/hubs`)
 * and the local-device REST (`/devices`), both behind bearer tokens and scoped per user.
 */
export class G3Rest {
  readonly hubs = new Map<string, SimHub>();
  /** `${user}\n${local id}` → device. */
  readonly devices = new Map<string, SimG3Device>();
  readonly requests: SimG3Request[] = [];
  /** Grants sent to the token endpoint, in order (`password`, `refresh_token`, or the refused kind with `!`). */
  readonly grants: string[] = [];
  readonly #options: G3RestOptions;
  readonly #access = new Map<string, Grant>();
  readonly #refresh = new Map<string, Grant>();

  constructor(options: G3RestOptions) {
    this.#options = options;
  }

  /** Ends every token of `user` (all users when undefined); returns how many tokens were ended. */
  expireTokens(user?: string, which: 'access' | 'all' = 'all'): number {
    let count = 0;
    const maps = which === 'all' ? [this.#access, this.#refresh] : [this.#access];
    for (const map of maps) {
      for (const [token, grant] of map) {
        if (user !== undefined && grant.user !== user) continue;
        map.delete(token);
        count += 1;
      }
    }
    return count;
  }

  /** The user an access token belongs to, while it is valid (the MQTT broker checks tokens too). */
  userOf(token: string): string | undefined {
    const grant = this.#access.get(token);
    return grant !== undefined && this.#options.now() < grant.untilMs ? grant.user : undefined;
  }

  /** While true every password is refused (token endpoint and broker login), as for a disabled account. */
  rejectCredentials = false;

  /** Checks a password (the token endpoint's password grant, the MQTT broker's login). */
  checkPassword(user: string, password: string): boolean {
    return !this.rejectCredentials && Object.hasOwn(this.#options.users, user) && this.#options.users[user] === password;
  }

  /** Handles a request under the REST paths; false when the path is not one of them. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    const path = url.pathname;
    if (path !== '/auth/token' && !/^\/(hubs|devices)(\/[^/]+)?$/.test(path)) return false;
    const method = req.method ?? 'GET';
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const json: Json = (status, body) => {
        const record: SimG3Request = { method, path, status };
        if (path !== '/auth/token' && text !== '') record.body = safeParse(text);
        this.requests.push(record);
        res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
        res.end(body === undefined || method === 'HEAD' ? undefined : JSON.stringify(body));
      };
      if (path === '/auth/token') {
        this.#token(method, text, json);
        return;
      }
      const user = this.#bearer(req.headers.authorization);
      if (user === undefined) {
        json(401, { error: 'invalid or expired token' });
        return;
      }
      const [, collection, rawId] = /^\/(hubs|devices)(?:\/([^/]+))?$/.exec(path) as unknown as [string, 'hubs' | 'devices', string | undefined];
      const id = rawId === undefined ? undefined : decodeURIComponent(rawId);
      if (collection === 'hubs') this.#hubs(user, method, id, text, json);
      else this.#devices(user, method, id, text, json);
    });
    return true;
  }

  #bearer(header: string | undefined): string | undefined {
    const match = /^Bearer (.+)$/.exec(header ?? '');
    return match ? this.userOf(match[1] as string) : undefined;
  }

  #issue(user: string, json: Json): void {
    const now = this.#options.now();
    const access = randomBytes(24).toString('base64url');
    const refresh = randomBytes(24).toString('base64url');
    this.#access.set(access, { user, untilMs: now + this.#options.accessTtlS * 1000 });
    this.#refresh.set(refresh, { user, untilMs: now + this.#options.refreshTtlS * 1000 });
    json(200, {
      access_token: access,
      expires_in: this.#options.accessTtlS,
      refresh_expires_in: this.#options.refreshTtlS,
      refresh_token: refresh,
      token_type: 'bearer',
      'not-before-policy': 0,
      session_state: randomUUID(),
      scope: 'profile email',
    });
  }

  #token(method: string, text: string, json: Json): void {
    if (method !== 'POST') {
      json(405, { error: 'invalid_request' });
      return;
    }
    const form = new URLSearchParams(text);
    const kind = form.get('grant_type') ?? '';
    if (form.get('client_id') !== this.#options.clientId) {
      this.grants.push(`${kind}!`);
      json(401, { error: 'invalid_client', error_description: 'Invalid client credentials' });
      return;
    }
    if (kind === 'password') {
      const user = form.get('username') ?? '';
      const ok = this.checkPassword(user, form.get('password') ?? '');
      this.grants.push(ok ? kind : `${kind}!`);
      if (ok) this.#issue(user, json);
      else json(401, { error: 'invalid_grant', error_description: 'Invalid user credentials' });
      return;
    }
    if (kind === 'refresh_token') {
      const token = form.get('refresh_token') ?? '';
      const grant = this.#refresh.get(token);
      const ok = grant !== undefined && this.#options.now() < grant.untilMs;
      this.grants.push(ok ? kind : `${kind}!`);
      if (!ok) {
        json(400, { error: 'invalid_grant', error_description: 'Token is not active' });
        return;
      }
      this.#refresh.delete(token);
      this.#issue(grant.user, json);
      return;
    }
    this.grants.push(`${kind}!`);
    json(400, { error: 'unsupported_grant_type' });
  }

  #hubs(user: string, method: string, id: string | undefined, text: string, json: Json): void {
    if (id === undefined) {
      const body = safeParse(text) as { name?: unknown } | undefined;
      if (method !== 'POST') return json(405, { error: 'method not allowed' });
      if (typeof body?.name !== 'string' || body.name === '') return json(400, { error: 'hub needs a name' });
      const hub: SimHub = { id: `urn:infai:ses:hub:${randomUUID()}`, user, name: body.name, hash: null, device_local_ids: [] };
      this.hubs.set(hub.id, hub);
      return json(200, publicHub(hub));
    }
    const hub = this.hubs.get(id);
    if (hub === undefined || hub.user !== user) return json(404, method === 'HEAD' ? undefined : { error: 'not found' });
    if (method === 'HEAD') return json(200);
    if (method === 'GET') return json(200, publicHub(hub));
    if (method !== 'PUT') return json(405, { error: 'method not allowed' });
    const body = safeParse(text) as Partial<SimHub> | undefined;
    const ids = body?.device_local_ids;
    if (typeof body?.name !== 'string' || (body.hash !== null && typeof body.hash !== 'string') || !Array.isArray(ids) || ids.some((x) => typeof x !== 'string')) {
      return json(400, { error: 'hub needs name, hash and device_local_ids' });
    }
    const unknown = ids.find((local) => !this.devices.has(`${user}\n${local}`));
    if (unknown !== undefined) return json(400, { error: `unknown device ${unknown}` });
    Object.assign(hub, { name: body.name, hash: body.hash, device_local_ids: [...ids] });
    return json(200, publicHub(hub));
  }

  #devices(user: string, method: string, localId: string | undefined, text: string, json: Json): void {
    if (localId === undefined) {
      if (method !== 'POST') return json(405, { error: 'method not allowed' });
      const body = deviceBody(text);
      if (body === undefined) return json(400, { error: 'device needs name, device_type_id and local_id' });
      if (this.devices.has(`${user}\n${body.local_id}`)) return json(409, { error: 'local_id in use' });
      const device: SimG3Device = { id: `urn:infai:ses:device:${randomUUID()}`, user, ...body };
      this.devices.set(`${user}\n${body.local_id}`, device);
      return json(200, publicDevice(device));
    }
    const key = `${user}\n${localId}`;
    const device = this.devices.get(key);
    if (device === undefined) return json(404, { error: 'not found' });
    if (method === 'GET') return json(200, publicDevice(device));
    if (method === 'DELETE') {
      this.devices.delete(key);
      for (const hub of this.hubs.values()) if (hub.user === user) hub.device_local_ids = hub.device_local_ids.filter((x) => x !== localId);
      return json(200);
    }
    if (method !== 'PUT') return json(405, { error: 'method not allowed' });
    const body = deviceBody(text);
    if (body === undefined || body.local_id !== localId) return json(400, { error: 'device needs name, device_type_id and the same local_id' });
    Object.assign(device, { name: body.name, device_type_id: body.device_type_id });
    return json(200, publicDevice(device));
  }
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function deviceBody(text: string): { name: string; device_type_id: string; local_id: string } | undefined {
  const b = safeParse(text) as Record<string, unknown> | undefined;
  if (typeof b !== 'object' || b === null) return undefined;
  const { name, device_type_id, local_id } = b;
  if (typeof name !== 'string' || typeof device_type_id !== 'string' || typeof local_id !== 'string' || local_id === '') return undefined;
  return { name, device_type_id, local_id };
}

function publicHub(hub: SimHub): Omit<SimHub, 'user'> {
  return { id: hub.id, name: hub.name, hash: hub.hash, device_local_ids: [...hub.device_local_ids] };
}

function publicDevice(device: SimG3Device): Omit<SimG3Device, 'user'> {
  return { id: device.id, local_id: device.local_id, name: device.name, device_type_id: device.device_type_id };
}
