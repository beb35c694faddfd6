/**
 * A ComAp cloud simulator: a real HTTP server on loopback with the API's paths, headers, status
 * codes and error bodies (`/identity/application/authenticate` and `/v1.1/{loginId}/...`), so
 * any client pointed at its origin works unchanged. See the package README for what it enforces.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqualString } from '@x/http-core';
import { createControl, readBody, simulatorLine, startTestServer, waitUnlessClosed, type Control, type TestServer } from '@x/http-core/testing';
import { validateCommand } from '../command.js';
import { MAX_HISTORY_WINDOW_DAYS, inclusiveDays, toDayNumber } from '../dates.js';
import { VALUE_GUID } from '../value-guid.js';
import { FaultInjector } from './faults.js';
import { Fleet, HISTORY_DEFS, MODES_AVAILABLE, VALUE_DEFS, type SimFile, type SimUnit } from './fleet.js';
import { Prng } from './prng.js';
import { RollingWindow } from './window.js';

const DAY = 86_400_000;

/** Options of `new ComapSimulator()` / `startComapSimulator()`; every field is optional. */
export interface ComapSimulatorOptions {
  /** Units in the fleet. Default 5. */
  units?: number;
  /** Seed of the fleet (names, GUIDs, state, history). Default 1. */
  seed?: number;
  /** Default 0 (ephemeral). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Credentials; random per simulator when omitted. */
  key?: string;
  clientId?: string;
  secret?: string;
  loginId?: string;
  /**
   * The WSV rate limit, per key. Documented: "a flat limit of 1 request per second (60 requests per
   * rolling 60-second window)", so by default both hold: at most `limit` (60) requests in any
   * rolling `windowInMs` (60 000 ms; the `X-RateLimit-*` headers count these) and, the limit being
   * flat, at most one request per `windowInMs / limit` (1 000 ms): a burst of 60 at once is
   * refused. `flat: false` keeps only the rolling window. `false` switches the limit off (no
   * X-RateLimit headers).
   */
  rateLimit?: false | { limit?: number; windowInMs?: number; flat?: boolean };
  /** Token requests per key: default 5 per 300 000 ms; `false` switches the limit off. */
  tokenRequestLimit?: false | { limit?: number; windowInMs?: number };
  /** `expires_in` of issued tokens, in seconds. Default 3599. */
  tokenLifetimeInSeconds?: number;
  /** History entries per page (then `nextOffset` points at the next one). Default 500. */
  historyPageSize?: number;
  /** Days of generated history before the simulator start. Default 400. */
  historyDays?: number;
  /** Send `validFrom` in history entries (older API pages) or leave it out (newer). Default true. */
  historyValidFrom?: boolean;
  /** `dotnet`: `2018-06-10T19:08:14.6350000+00:00` (default); `iso`: `2018-06-10T19:08:14.635Z`. */
  timestampStyle?: 'dotnet' | 'iso';
  /** Key of a comment's author: `author` (what the live API sends, default) or `auhtor` (the docs' spelling). */
  commentAuthorKey?: 'author' | 'auhtor';
  /** Body of a command's 200: a JSON object (default), nothing, or plain text. */
  commandResponse?: 'json' | 'empty' | 'text';
  /**
   * Further WebSupervisor logins of the same identity: a token from any application of the key
   * works for each of them (in the URL path), and each may read and control every unit.
   */
  logins?: readonly string[];
  /** Further application registrations (client id + secret) under the key, each with its own token request limit. */
  applications?: readonly { clientId: string; secret: string }[];
  /** Files are sent at this many bytes per second (a slow link; default 0: as fast as possible). */
  downloadBytesPerSecond?: number;
  /** How long after a command is accepted its effect shows on the unit (a controller starting an engine); default 0 (at once). */
  commandEffectDelayInMs?: number;
  /** Rows in each generated history CSV file. Default 200. */
  fileRows?: number;
  /** Time source (ms). Default `Date.now`. */
  now?: () => number;
  /** How many recent requests `requests` keeps. Default 10 000. */
  requestLogLimit?: number;
}

/** One request as the simulator saw it. */
export interface SimRequest {
  method: string;
  /** The raw request target (path and query, still percent-encoded; a `comap-key` parameter masked). */
  url: string;
  /** The path, still percent-encoded. */
  path: string;
  query: Record<string, string>;
  /** Whether a Comap-Key / Authorization was sent (their values are never recorded). */
  hasKey: boolean;
  hasBearer: boolean;
  contentType: string | undefined;
  /** The parsed JSON body (or its text); a `secret` field is recorded as `[REDACTED]`. */
  body: unknown;
  status: number;
  at: number;
}

/** What `comap simulate` prints and what a client needs. */
export interface SimulatorCredentials {
  url: string;
  key: string;
  clientId: string;
  secret: string;
  loginId: string;
}

/** Counters since the simulator started: requests, token requests, tokens issued, 429 answers, commands the units accepted. */
export interface SimulatorStats {
  requests: number;
  tokenRequests: number;
  tokensIssued: number;
  rateLimited: number;
  commands: number;
}

interface IssuedToken {
  expiresAt: number;
}

const APIM_MISSING_KEY = 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.';
const APIM_INVALID_KEY = 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.';
const GENERIC_400 = 'Unable to perform requested operation';
const WINDOW_400 = 'The requested period exceeds the 31 day history retrieval window.';

class HttpReply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

interface PendingEffect {
  at: number;
  unit: SimUnit;
  apply(): void;
}

function errorMessage(status: number, text: string, headers?: Record<string, string>): HttpReply {
  return new HttpReply(status, { errorMessage: text }, headers);
}

function apimError(status: number, text: string, headers?: Record<string, string>): HttpReply {
  return new HttpReply(status, { statusCode: status, message: text }, headers);
}

export class ComapSimulator {
  readonly fleet: Fleet;
  /**
   * The control API (`/control/...` on the simulator's own port, see @x/http-core's
   * SIMULATOR-CONTROL.md): faults, token revocation, and the request log as `received`.
   */
  readonly control: Control;
  /** Shortcuts that add rules to the control API's fault plan. */
  readonly faults: FaultInjector;
  readonly key: string;
  readonly clientId: string;
  readonly secret: string;
  readonly loginId: string;
  /** Recent requests, oldest first (bounded by `requestLogLimit`). */
  readonly requests: SimRequest[] = [];
  readonly stats: SimulatorStats = { requests: 0, tokenRequests: 0, tokensIssued: 0, rateLimited: 0, commands: 0 };

  private readonly now: () => number;
  private readonly tokens = new Map<string, IssuedToken>();
  private rateWindow: RollingWindow | undefined;
  /** The per-second side of a flat limit (undefined when off or not flat). */
  private flatWindow: RollingWindow | undefined;
  /** The token request limit, one window per key + client id (as the Identity API counts); undefined when off. */
  private readonly tokenLimit: { limit: number; windowInMs: number } | undefined;
  private readonly tokenWindows = new Map<string, RollingWindow>();
  /** Every login the identity's tokens may use (lower case). */
  private readonly loginIds: Set<string>;
  /** Secrets by client id (lower case): the default application and `applications`. */
  private readonly applications = new Map<string, string>();
  private readonly opts: Required<Pick<ComapSimulatorOptions, 'tokenLifetimeInSeconds' | 'historyPageSize' | 'historyValidFrom' | 'timestampStyle' | 'commentAuthorKey' | 'commandResponse' | 'requestLogLimit' | 'commandEffectDelayInMs' | 'downloadBytesPerSecond'>>;
  private server: TestServer | undefined;
  private readonly canned: { pathSuffix: string; body: unknown; count: number }[] = [];
  /** Command effects waiting for `commandEffectDelayInMs`, oldest first. */
  private readonly pendingEffects: PendingEffect[] = [];
  /** How many more accepted commands lose their answer (executed, then the connection dropped). */
  private lostAnswers = 0;
  private lostAnswerStallInMs = 0;
  private origin = '';

  constructor(options: ComapSimulatorOptions = {}) {
    const seed = options.seed ?? 1;
    const units = options.units ?? 5;
    if (!Number.isInteger(units) || units < 0) throw new RangeError(`units must be a non-negative integer, got ${String(units)}`);
    const pageSize = options.historyPageSize ?? 500;
    if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError('historyPageSize must be a positive integer');
    const lifetime = options.tokenLifetimeInSeconds ?? 3599;
    if (typeof lifetime !== 'number' || !(lifetime > 0)) throw new RangeError('tokenLifetimeInSeconds must be a number > 0');
    this.now = options.now ?? Date.now;
    this.control = createControl({
      name: 'comap',
      revokeTokens: ({ token }) => this.revokeTokens(token),
      // `POST /control/push` with { alarm: "Wrn Fuel level", unitGuid, raise?: false } raises or clears an alarm; { unitGuid, online: false } takes a unit off the air.
      push: (body) => this.pushAlarm(body),
      received: () => this.requests,
      clearReceived: () => {
        this.requests.length = 0;
      },
    });
    this.faults = new FaultInjector(this.control.faults);
    // Fresh credentials per instance (the fleet is what the seed reproduces), so limits shared
    // per key in a process never leak from one simulator to the next.
    const rnd = new Prng(randomBytes(4).readUInt32LE(0));
    this.key = options.key ?? rnd.hex(32);
    this.clientId = options.clientId ?? rnd.uuid();
    this.secret = options.secret ?? `sim~${rnd.hex(36)}`;
    this.loginId = options.loginId ?? 'sim.operator';
    this.fleet = new Fleet({
      units,
      seed,
      now: this.now(),
      loginId: this.loginId,
      historyDays: options.historyDays ?? 400,
      fileRows: options.fileRows ?? 200,
    });
    this.setRateLimit(options.rateLimit);
    const tl = options.tokenRequestLimit;
    this.tokenLimit = tl === false ? undefined : { limit: tl?.limit ?? 5, windowInMs: tl?.windowInMs ?? 300_000 };
    this.applications.set(this.clientId.toLowerCase(), this.secret);
    for (const app of options.applications ?? []) {
      if (typeof app?.clientId !== 'string' || app.clientId === '' || typeof app.secret !== 'string' || app.secret === '') throw new TypeError('applications must be [{ clientId, secret }] with non-empty strings');
      this.applications.set(app.clientId.toLowerCase(), app.secret);
    }
    const logins: readonly string[] = options.logins ?? [];
    if (!Array.isArray(options.logins ?? []) || logins.some((l) => typeof l !== 'string' || l.trim() === '')) throw new TypeError('logins must be an array of non-empty strings');
    this.loginIds = new Set([this.loginId, ...logins].map((l) => l.toLowerCase()));
    for (const unit of this.fleet.units) {
      for (const login of logins) unit.permissions.push({ loginId: login, read: true, control: true, modify: false, shutdownNote: true, allAlarmsNote: true });
    }
    this.opts = {
      tokenLifetimeInSeconds: lifetime,
      historyPageSize: pageSize,
      historyValidFrom: options.historyValidFrom ?? true,
      timestampStyle: options.timestampStyle ?? 'dotnet',
      commentAuthorKey: options.commentAuthorKey ?? 'author',
      commandResponse: options.commandResponse ?? 'json',
      requestLogLimit: options.requestLogLimit ?? 10_000,
      commandEffectDelayInMs: options.commandEffectDelayInMs ?? 0,
      downloadBytesPerSecond: options.downloadBytesPerSecond ?? 0,
    };
    const speed = this.opts.downloadBytesPerSecond;
    if (typeof speed !== 'number' || !Number.isFinite(speed) || speed < 0) throw new RangeError('downloadBytesPerSecond must be a finite number >= 0');
    const delay = this.opts.commandEffectDelayInMs;
    if (typeof delay !== 'number' || !Number.isFinite(delay) || delay < 0) throw new RangeError('commandEffectDelayInMs must be a finite number >= 0');
  }

  /** The origin the simulator serves (`http://127.0.0.1:PORT`). */
  get url(): string {
    return this.origin;
  }

  /** Everything a client needs to reach this simulator: origin, Comap-Key, client id, secret and login id. */
  credentials(): SimulatorCredentials {
    return { url: this.origin, key: this.key, clientId: this.clientId, secret: this.secret, loginId: this.loginId };
  }

  /** The line `comap simulate` prints: the credentials and the control API's URL. */
  line(): string {
    return simulatorLine({ ...this.credentials() }, { control: this.controlUrl });
  }

  /** Switches the WSV rate limit on (documented default: 1 request/s flat, 60 per rolling 60 s) or off. Resets its windows. */
  setRateLimit(rateLimit: ComapSimulatorOptions['rateLimit']): void {
    if (rateLimit === false) {
      this.rateWindow = undefined;
      this.flatWindow = undefined;
      return;
    }
    const window = new RollingWindow(rateLimit?.limit ?? 60, rateLimit?.windowInMs ?? 60_000);
    this.rateWindow = window;
    const flat = rateLimit?.flat ?? true;
    if (typeof flat !== 'boolean') throw new TypeError('rateLimit.flat must be a boolean');
    this.flatWindow = flat && window.limit > 1 ? new RollingWindow(1, window.windowInMs / window.limit) : undefined;
  }

  /** Makes one issued token, or every one, invalid (the next WSV call with it gets 401); returns how many. */
  revokeTokens(token?: string): number {
    if (token !== undefined) return this.tokens.delete(token) ? 1 : 0;
    const revoked = this.tokens.size;
    this.tokens.clear();
    return revoked;
  }

  /** The control API's base URL (`http://127.0.0.1:PORT/control`), once listening. */
  get controlUrl(): string {
    return `${this.origin}/control`;
  }

  /** The fleet's units, for tests. */
  get units(): readonly SimUnit[] {
    return this.fleet.units;
  }

  /**
   * Starts serving; resolves with the origin (`http://HOST:PORT`). `port` 0 (default) picks a free one.
   * Throws an Error when already listening.
   */
  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    if (this.server) throw new Error('the simulator is already listening');
    const server = await startTestServer(
      async (req, res) => {
        if (await this.control.handle(req, res)) return;
        await this.handle(req, res).catch((error: unknown) => {
          if (!res.headersSent) this.send(res, apimError(500, error instanceof Error ? error.message : 'Internal server error'));
          else res.destroy();
        });
      },
      { port, host },
    );
    this.server = server;
    this.origin = server.url;
    return this.origin;
  }

  /** Stops serving (connections closed); does nothing when not listening. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await server.close();
  }

  private stamp(ms: number): string {
    const iso = new Date(ms).toISOString();
    return this.opts.timestampStyle === 'dotnet' ? `${iso.slice(0, -1)}0000+00:00` : iso;
  }

  private send(res: ServerResponse, reply: HttpReply): void {
    const headers: Record<string, string> = { ...reply.headers };
    let payload: Buffer;
    if (Buffer.isBuffer(reply.body)) {
      payload = reply.body;
      headers['content-type'] ??= 'application/octet-stream';
    } else if (reply.body === undefined) {
      payload = Buffer.alloc(0);
    } else if (typeof reply.body === 'string' && headers['content-type']?.startsWith('text/')) {
      payload = Buffer.from(reply.body, 'utf8');
    } else {
      payload = Buffer.from(JSON.stringify(reply.body), 'utf8');
      headers['content-type'] = 'application/json; charset=utf-8';
    }
    headers['content-length'] = String(payload.length);
    headers['request-context'] = 'appId=cid-v1:simulator';
    res.writeHead(reply.status, headers);
    const rate = this.opts.downloadBytesPerSecond;
    if (rate > 0 && Buffer.isBuffer(reply.body)) this.trickle(res, payload, rate);
    else res.end(payload);
  }

  /** Sends a file body at `bytesPerSecond` (a slow link), in 10 chunks a second; stops when the client goes. */
  private trickle(res: ServerResponse, payload: Buffer, bytesPerSecond: number): void {
    const chunk = Math.max(1, Math.floor(bytesPerSecond / 10));
    let sent = 0;
    const next = (): void => {
      if (res.destroyed) return;
      const end = Math.min(payload.length, sent + chunk);
      const last = end === payload.length;
      const part = payload.subarray(sent, end);
      sent = end;
      if (last) res.end(part);
      else {
        res.write(part);
        setTimeout(next, 100);
      }
    };
    next();
  }

  /** Logs a request (never a key or a secret). */
  private record(req: IncomingMessage, path: string, params: URLSearchParams): SimRequest {
    const rawUrl = req.url ?? '/';
    const query: Record<string, string> = {};
    // The request log never keeps the key, even when it came as the `comap-key` query parameter.
    for (const [k, v] of params) query[k] = k.toLowerCase() === 'comap-key' ? '[REDACTED]' : v;
    const record: SimRequest = {
      method: req.method ?? 'GET',
      url: rawUrl.replace(/([?&]comap-key=)[^&#]*/gi, '$1[REDACTED]'),
      path,
      query,
      hasKey: req.headers['comap-key'] !== undefined || params.has('comap-key'),
      hasBearer: typeof req.headers.authorization === 'string' && /^bearer\s/i.test(req.headers.authorization),
      contentType: req.headers['content-type'],
      body: undefined,
      status: 0,
      at: this.now(),
    };
    this.stats.requests += 1;
    this.requests.push(record);
    if (this.requests.length > this.opts.requestLogLimit) this.requests.splice(0, this.requests.length - this.opts.requestLogLimit);
    return record;
  }

  /**
   * Applies the next matching fault of the plan: a reply in ComAp's error shape, a dropped
   * connection (`'dropped'`), or nothing (no fault, or after a stall).
   */
  private async fault(req: IncomingMessage, res: ServerResponse, path: string): Promise<HttpReply | 'dropped' | undefined> {
    const fault = this.control.faults.take(req.method ?? 'GET', path);
    switch (fault?.kind) {
      case undefined:
        return undefined;
      case 'drop':
        req.socket.destroy();
        return 'dropped';
      case 'stall':
        await waitUnlessClosed(fault.stallInMs, res);
        return res.destroyed ? 'dropped' : undefined;
      case 'status': {
        const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
        if (fault.status === 429) this.stats.rateLimited += 1;
        if (fault.body !== undefined) return new HttpReply(fault.status, fault.body, headers);
        return fault.status === 429
          ? apimError(429, `Rate limit exceeded. Retry after ${fault.retryAfterSeconds ?? 1} second/s.`, headers)
          : apimError(fault.status, fault.status === 503 ? 'Service Unavailable' : 'Internal server error', headers);
      }
    }
  }

  /** Reads a POST/PUT body into the record (a token request's `secret` masked there). */
  private async readRequestBody(req: IncomingMessage, record: SimRequest): Promise<{ body: unknown; text: string } | HttpReply> {
    if (record.method !== 'POST' && record.method !== 'PUT') return { body: undefined, text: '' };
    let text: string;
    try {
      text = await readBody(req);
    } catch {
      return errorMessage(413, 'Request body too large');
    }
    let body: unknown = undefined;
    if (text !== '') {
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        body = text;
      }
    }
    record.body = typeof body === 'object' && body !== null && 'secret' in body ? { ...body, secret: '[REDACTED]' } : body;
    return { body, text };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawUrl = req.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const path = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
    const params = new URLSearchParams(queryAt === -1 ? '' : rawUrl.slice(queryAt + 1));
    const record = this.record(req, path, params);
    const fault = await this.fault(req, res, path);
    if (fault === 'dropped') {
      record.status = -1;
      return;
    }
    let reply = fault;
    if (reply === undefined) {
      const read = await this.readRequestBody(req, record);
      reply = read instanceof HttpReply ? read : (this.takeCanned(path) ?? this.route(record.method, path, params, req, read.body, read.text));
    }
    if (this.lostAnswers > 0 && reply.status === 200 && record.method === 'POST' && path.endsWith('/command')) {
      // Executed, then the answer lost: no answer for `lostAnswerStallInMs` (the client times out), then the connection drops.
      this.lostAnswers -= 1;
      record.status = -1;
      if (this.lostAnswerStallInMs > 0) await waitUnlessClosed(this.lostAnswerStallInMs, res);
      req.socket.destroy();
      return;
    }
    record.status = reply.status;
    this.send(res, reply);
  }

  /**
   * The next `count` commands the API accepts are executed (their effect applies as usual) but
   * their answer is lost: the connection drops instead of the 200 (after `stallInMs` without an
   * answer, so a client with a shorter timeout times out first), as when a timeout hits after the
   * unit acted. Control API: `POST /control/push { "loseCommandAnswers": n, "stallInMs"?: ms }`.
   */
  loseCommandAnswers(count = 1, stallInMs = 0): void {
    if (!Number.isInteger(count) || count < 0) throw new RangeError('count must be a non-negative integer');
    if (typeof stallInMs !== 'number' || !Number.isFinite(stallInMs) || stallInMs < 0) throw new RangeError('stallInMs must be a finite number >= 0');
    this.lostAnswers = count;
    this.lostAnswerStallInMs = stallInMs;
  }

  /**
   * Answers the next `count` requests whose path ends with `pathSuffix` with 200 and `body`
   * instead of the fleet's data (no key or token check): malformed items (`timeStamp: null`,
   * `name: null`) for tests of lenient parsing.
   */
  answerWith(pathSuffix: string, body: unknown, count = 1): void {
    if (typeof pathSuffix !== 'string' || pathSuffix === '') throw new TypeError('pathSuffix must be a non-empty string');
    if (!Number.isInteger(count) || count < 1) throw new RangeError('count must be a positive integer');
    this.canned.push({ pathSuffix, body, count });
  }

  /**
   * Raises (or with `raise: false` clears) an alarm on a unit, as its controller would: the
   * `alarm_list`/`alarm_list_ext` values, unit state and history change. Returns the unit's alarms.
   */
  setAlarm(unitGuid: string, text: string, raise = true): string[] {
    const unit = this.fleet.units.find((u) => u.unitGuid === unitGuid);
    if (!unit) throw new RangeError(`no unit ${unitGuid}`);
    if (typeof text !== 'string' || text.trim() === '') throw new TypeError('alarm must be a non-empty string');
    const has = unit.state.alarms.includes(text);
    if (raise && !has) unit.state.alarms.push(text);
    if (!raise && has) unit.state.alarms = unit.state.alarms.filter((a) => a !== text);
    this.fleet.recordChanges(unit, this.now());
    return [...unit.state.alarms];
  }

  /**
   * Adds a file to a unit's list (served by `download`): `content`, or `bytes` of filler (a large
   * file for download tests and benchmarks). Returns the file.
   */
  addFile(unitGuid: string, file: { fileName: string; fileType?: string; generated?: Date; content?: Buffer; bytes?: number }): SimFile {
    const unit = this.fleet.units.find((u) => u.unitGuid === unitGuid);
    if (!unit) throw new RangeError(`no unit ${unitGuid}`);
    if (typeof file?.fileName !== 'string' || file.fileName === '') throw new TypeError('file.fileName must be a non-empty string');
    if (file.content === undefined && (!Number.isSafeInteger(file.bytes) || (file.bytes as number) < 0)) throw new RangeError('file.bytes must be an integer >= 0 when there is no content');
    const added: SimFile = {
      fileName: file.fileName,
      fileType: file.fileType ?? 'unitHistory',
      generated: file.generated ?? new Date(this.now()),
      content: file.content ?? Buffer.alloc(file.bytes as number, 'genset;'),
    };
    unit.files = unit.files.filter((f) => f.fileName !== added.fileName);
    unit.files.push(added);
    return added;
  }

  /**
   * Takes a unit off the air (`online: false`) or brings it back: while offline its values stop
   * (timestamps stay at the moment it went, `comm_state` reads `Lost`), as the cloud serves the
   * last values it received from a controller it no longer hears.
   */
  setOnline(unitGuid: string, online: boolean): void {
    const unit = this.fleet.units.find((u) => u.unitGuid === unitGuid);
    if (!unit) throw new RangeError(`no unit ${unitGuid}`);
    if (typeof online !== 'boolean') throw new TypeError('online must be a boolean');
    if (online) delete unit.state.offlineSince;
    else unit.state.offlineSince ??= this.now();
  }

  private pushAlarm(body: unknown): unknown {
    const b = (typeof body === 'object' && body !== null ? body : {}) as { unitGuid?: unknown; alarm?: unknown; raise?: unknown; online?: unknown; loseCommandAnswers?: unknown; stallInMs?: unknown };
    if (b.loseCommandAnswers !== undefined) {
      this.loseCommandAnswers(b.loseCommandAnswers as number, (b.stallInMs ?? 0) as number);
      return { loseCommandAnswers: b.loseCommandAnswers };
    }
    // `{ unitGuid, online: false }` takes a unit off the air, `online: true` brings it back.
    if (typeof b.unitGuid === 'string' && typeof b.online === 'boolean' && b.alarm === undefined) {
      this.setOnline(b.unitGuid, b.online);
      return { online: b.online };
    }
    if (typeof b.unitGuid !== 'string' || typeof b.alarm !== 'string') throw new TypeError('push body must be { unitGuid, alarm, raise? }');
    return { alarms: this.setAlarm(b.unitGuid, b.alarm, b.raise !== false) };
  }

  private takeCanned(path: string): HttpReply | undefined {
    const i = this.canned.findIndex((c) => path.endsWith(c.pathSuffix));
    const canned = this.canned[i];
    if (canned === undefined) return undefined;
    canned.count -= 1;
    if (canned.count === 0) this.canned.splice(i, 1);
    return new HttpReply(200, canned.body);
  }

  private keyReply(req: IncomingMessage, params: URLSearchParams): HttpReply | undefined {
    const header = req.headers['comap-key'];
    const key = typeof header === 'string' ? header : params.get('comap-key');
    if (key === null || key === undefined || key === '') return apimError(401, APIM_MISSING_KEY);
    if (!timingSafeEqualString(key, this.key)) return apimError(401, APIM_INVALID_KEY);
    return undefined;
  }

  private route(method: string, path: string, params: URLSearchParams, req: IncomingMessage, body: unknown, text: string): HttpReply {
    if (path === '/identity/application/authenticate') {
      return this.keyReply(req, params) ?? (method === 'POST' ? this.authenticate(body, text) : apimError(404, 'Resource not found'));
    }
    const m = /^\/v1\.1\/([^/]+)\/(.*)$/.exec(path);
    if (!m) return apimError(404, 'Resource not found');
    const keyFailure = this.keyReply(req, params);
    if (keyFailure) return keyFailure;
    const now = this.now();
    let rateHeaders: Record<string, string> = {};
    const window = this.rateWindow;
    if (window) {
      const wait = Math.max(window.waitInMs(now), this.flatWindow?.waitInMs(now) ?? 0);
      if (wait > 0) {
        this.stats.rateLimited += 1;
        const seconds = Math.max(1, Math.ceil(wait / 1000));
        return apimError(429, `Rate limit exceeded. Retry after ${seconds} second/s.`, {
          'retry-after': String(seconds),
          'x-ratelimit-limit': String(window.limit),
          'x-ratelimit-remaining': String(window.remaining(now)),
        });
      }
      window.add(now);
      this.flatWindow?.add(now);
      rateHeaders = { 'x-ratelimit-limit': String(window.limit), 'x-ratelimit-remaining': String(window.remaining(now)) };
    }
    const reply = this.wsv(method, decodeURIComponentSafe(m[1] as string), m[2] as string, params, req, body, now);
    return new HttpReply(reply.status, reply.body, { ...reply.headers, ...rateHeaders });
  }

  private authenticate(body: unknown, text: string): HttpReply {
    const now = this.now();
    this.stats.tokenRequests += 1;
    const { clientId, secret } = (typeof body === 'object' && body !== null ? body : {}) as { clientId?: unknown; secret?: unknown };
    const app = typeof clientId === 'string' ? clientId.toLowerCase() : '';
    if (this.tokenLimit) {
      // The Identity API counts token requests per key + client id: another application has its own 5.
      let window = this.tokenWindows.get(app);
      if (!window) {
        window = new RollingWindow(this.tokenLimit.limit, this.tokenLimit.windowInMs);
        this.tokenWindows.set(app, window);
      }
      const hit = window.hit(now);
      if (!hit.allowed) {
        const seconds = Math.max(1, Math.ceil(hit.retryAfterInMs / 1000));
        return apimError(429, `Rate limit is exceeded. Try again in ${seconds} seconds.`, { 'retry-after': String(seconds) });
      }
    }
    if (text === '' || typeof clientId !== 'string' || typeof secret !== 'string') return errorMessage(400, GENERIC_400);
    const expected = this.applications.get(app);
    if (expected === undefined || !timingSafeEqualString(secret, expected)) return errorMessage(400, GENERIC_400);
    const token = `sim.${randomBytes(24).toString('base64url')}`;
    const lifetime = this.opts.tokenLifetimeInSeconds;
    this.tokens.set(token, { expiresAt: now + lifetime * 1000 });
    this.stats.tokensIssued += 1;
    return new HttpReply(200, { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: token });
  }

  private wsv(method: string, loginId: string, rest: string, params: URLSearchParams, req: IncomingMessage, body: unknown, now: number): HttpReply {
    this.settle(now);
    const auth = req.headers.authorization;
    const bearer = typeof auth === 'string' ? /^Bearer (.+)$/i.exec(auth)?.[1] : undefined;
    if (bearer === undefined) return apimError(401, 'Unauthorized. Access token is missing or invalid.');
    const token = this.tokens.get(bearer);
    if (!token) return apimError(401, 'Unauthorized. Access token is missing or invalid.');
    if (now >= token.expiresAt) return apimError(401, 'Unauthorized. Access token has expired.');
    if (!this.loginIds.has(loginId.toLowerCase())) return errorMessage(403, `Login ${loginId.slice(0, 64)} is not accessible with this token.`);

    if (rest === 'units') return method === 'GET' ? this.unitsReply() : apimError(404, 'Resource not found');
    const unitRoute = /^units\/([^/]+)\/(values|info|permissions|history|comments|files|command)$/.exec(rest);
    const downloadRoute = /^unit\/([^/]+)\/download\/(.+)$/.exec(rest);
    if (unitRoute) {
      const op = unitRoute[2] as string;
      if ((op === 'command') !== (method === 'POST') || (method !== 'GET' && method !== 'POST')) return apimError(404, 'Resource not found');
      const unit = this.fleet.unit(decodeURIComponentSafe(unitRoute[1] as string));
      if (!unit) return errorMessage(400, 'Incorrect unitGuid.');
      switch (op) {
        case 'values':
          return this.valuesReply(unit, params, now);
        case 'info':
          return this.infoReply(unit);
        case 'permissions':
          return new HttpReply(200, { name: unit.name, unitGuid: unit.unitGuid, permissions: unit.permissions });
        case 'history':
          return this.historyReply(unit, params, now);
        case 'comments':
          return this.commentsReply(unit);
        case 'files':
          return new HttpReply(200, { unitGuid: unit.unitGuid, files: unit.files.map((f) => ({ fileName: f.fileName, fileType: f.fileType, generated: this.stamp(f.generated.getTime()) })) });
        default:
          return this.commandReply(unit, body, now, loginId);
      }
    }
    if (downloadRoute && method === 'GET') {
      const unit = this.fleet.unit(decodeURIComponentSafe(downloadRoute[1] as string));
      if (!unit) return errorMessage(400, 'Incorrect unitGuid.');
      const name = decodeURIComponentSafe(downloadRoute[2] as string);
      const file = unit.files.find((f) => f.fileName === name);
      if (!file) return errorMessage(404, 'File not found.');
      return new HttpReply(200, file.content, {
        'content-type': file.fileName.endsWith('.csv') ? 'text/csv' : 'application/octet-stream',
        'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
      });
    }
    return apimError(404, 'Resource not found');
  }

  private unitsReply(): HttpReply {
    const units = this.fleet.units.map((u) => ({ name: u.name, unitGuid: u.unitGuid, url: `${this.origin}/wsv/units/${u.unitGuid}` }));
    return new HttpReply(200, { count: units.length, units });
  }

  private valuesReply(unit: SimUnit, params: URLSearchParams, now: number): HttpReply {
    const wanted = params.get('valueGuids');
    // Like the live API: split on commas and match exactly; " guid" (with a space) matches nothing.
    const guids = wanted ? new Set(wanted.split(',').map((g) => g.toLowerCase())) : undefined;
    const values = VALUE_DEFS.filter((d) => !guids || guids.has(VALUE_GUID[d.key].toLowerCase())).map((d) => ({
      name: d.name,
      valueGuid: VALUE_GUID[d.key],
      value: this.fleet.read(unit, d, now),
      unit: d.unit,
      highLimit: d.highLimit,
      lowLimit: d.lowLimit,
      decimalPlaces: d.decimalPlaces,
      timeStamp: this.stamp(unit.state.offlineSince ?? now),
    }));
    return new HttpReply(200, { name: unit.name, unitGuid: unit.unitGuid, values });
  }

  private infoReply(unit: SimUnit): HttpReply {
    return new HttpReply(200, {
      name: unit.name,
      unitGuid: unit.unitGuid,
      ownerLoginId: this.loginId,
      applicationType: 'Gen-set',
      timezone: unit.timezone,
      connection: { enabled: true, airGateId: unit.airGateId, ipAddress: '', port: 0, controllerAddress: 1 },
      position: { positionType: 'Static', latitude: unit.latitude, longitude: unit.longitude },
    });
  }

  private commentsReply(unit: SimUnit): HttpReply {
    const key = this.opts.commentAuthorKey;
    return new HttpReply(200, {
      unitGuid: unit.unitGuid,
      comments: unit.comments.map((c) => ({ id: c.id, [key]: c.author, date: this.stamp(Date.parse(c.date)), text: c.text, active: c.active })),
    });
  }

  private historyReply(unit: SimUnit, params: URLSearchParams, now: number): HttpReply {
    const today = Math.floor(now / DAY);
    const firstOfMonth = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), 1) / DAY;
    let from: number;
    let to: number;
    try {
      const f = params.get('from');
      const t = params.get('to');
      from = f === null || f === '' ? firstOfMonth : toDayNumber(f, 'from');
      to = t === null || t === '' ? today : toDayNumber(t, 'to');
    } catch {
      return errorMessage(400, 'Invalid date format. Use MM/DD/YYYY.');
    }
    if (to < from) return errorMessage(400, 'The requested period is invalid.');
    if (inclusiveDays(from, to) > MAX_HISTORY_WINDOW_DAYS) return errorMessage(400, WINDOW_400);
    const offsetText = params.get('offset');
    const offset = offsetText === null || offsetText === '' ? 0 : Number(offsetText);
    if (!Number.isSafeInteger(offset) || offset < 0) return errorMessage(400, GENERIC_400);
    const wanted = params.get('valueGuids');
    const guids = wanted ? wanted.split(',').map((g) => g.toLowerCase()) : undefined;
    const defs = HISTORY_DEFS.filter((d) => !guids || guids.includes(VALUE_GUID[d.key].toLowerCase()));
    const fromMs = from * DAY;
    const toMs = (to + 1) * DAY;
    const pageSize = this.opts.historyPageSize;
    const end = offset + pageSize;
    const values: Record<string, unknown>[] = [];
    let seen = 0;
    for (const d of defs) {
      const entries = this.fleet.history(unit, d, fromMs, toMs, now);
      const start = Math.max(0, offset - seen);
      const stop = Math.min(entries.length, end - seen);
      if (start < stop) {
        values.push({
          name: d.name,
          valueGuid: VALUE_GUID[d.key],
          unit: d.unit,
          decimalPlaces: d.decimalPlaces,
          history: entries.slice(start, stop).map((e) =>
            this.opts.historyValidFrom ? { value: e.value, validFrom: this.stamp(e.validFrom), validTo: this.stamp(e.validTo) } : { value: e.value, validTo: this.stamp(e.validTo) },
          ),
        });
      }
      seen += entries.length;
    }
    return new HttpReply(200, { name: unit.name, unitGuid: unit.unitGuid, nextOffset: seen > end ? end : null, values });
  }

  private commandReply(unit: SimUnit, body: unknown, now: number, loginId: string): HttpReply {
    let command: Record<string, unknown>;
    try {
      command = validateCommand(body);
    } catch (error) {
      return errorMessage(400, error instanceof Error ? error.message : GENERIC_400);
    }
    const permission = unit.permissions.find((p) => p.loginId.toLowerCase() === loginId.toLowerCase());
    if (!permission?.control) return errorMessage(403, 'Control of this unit is not permitted.');
    const effect = this.commandEffect(unit, command);
    if (effect instanceof HttpReply) return effect;
    unit.commands.push({ at: now, body: command });
    this.stats.commands += 1;
    const delay = this.opts.commandEffectDelayInMs;
    if (delay > 0) this.pendingEffects.push({ at: now + delay, unit, apply: effect });
    else {
      effect();
      this.fleet.recordChanges(unit, now);
    }
    switch (this.opts.commandResponse) {
      case 'empty':
        return new HttpReply(200, undefined);
      case 'text':
        return new HttpReply(200, 'Command was successfully sent.', { 'content-type': 'text/plain; charset=utf-8' });
      case 'json':
        return new HttpReply(200, { message: 'Command was successfully sent.' });
    }
  }

  /** What an accepted command does to the unit (applied now, or after `commandEffectDelayInMs`), or the 400 refusing it. */
  private commandEffect(unit: SimUnit, command: Record<string, unknown>): (() => void) | HttpReply {
    const s = unit.state;
    switch (command.command) {
      case 'start':
        return () => {
          if (!s.running) s.starts += 1;
          s.running = true;
        };
      case 'stop':
        return () => {
          s.running = false;
          s.gcbClosed = false;
        };
      case 'faultReset':
        return () => {
          s.alarms = [];
        };
      case 'changeMcb':
        return () => {
          s.mcbClosed = !s.mcbClosed;
        };
      case 'changeGcb':
        return () => {
          if (s.running) s.gcbClosed = !s.gcbClosed;
        };
      case 'changeMode': {
        const mode = MODES_AVAILABLE.find((m) => m.toLowerCase() === String(command.mode).toLowerCase());
        if (!mode) return errorMessage(400, `Mode ${String(command.mode).slice(0, 20)} is not available on this unit.`);
        return () => {
          s.mode = mode;
        };
      }
      case 'changeSetpoint': {
        const guid = String(command.guid).toLowerCase();
        if (!VALUE_DEFS.some((d) => VALUE_GUID[d.key].toLowerCase() === guid)) return errorMessage(400, 'Unknown setpoint.');
        return () => {
          s.setpoints.set(guid, command.value as string | number);
          if (guid === VALUE_GUID.genset_name.toLowerCase()) unit.name = String(command.value);
        };
      }
      default:
        return () => {
          s.controls.set(`${String(command.command)}:${typeof command.index === 'number' ? command.index : ''}`, command.action ?? command.value ?? true);
        };
    }
  }

  /** Applies the delayed command effects that are due (a controller acting a while after the API accepted). */
  private settle(now: number): void {
    while (this.pendingEffects.length > 0 && (this.pendingEffects[0] as PendingEffect).at <= now) {
      const due = this.pendingEffects.shift() as PendingEffect;
      due.apply();
      this.fleet.recordChanges(due.unit, due.at);
    }
  }
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Starts a simulator on loopback (port 0 by default). */
export async function startComapSimulator(options: ComapSimulatorOptions = {}): Promise<ComapSimulator> {
  const sim = new ComapSimulator(options);
  await sim.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return sim;
}
