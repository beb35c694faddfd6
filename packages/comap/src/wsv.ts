/** The WebSupervisor v1.1 API of one login: units, values, history, files, commands. */
import { errorCategory, getSharedRateLimiter, isAbortError, namespacedLogger, type CallOptions, type Clock, type DownloadResult, type HttpClient, type HttpResponse, type RateLimiter } from '@x/http-core';
import { comapAuth, type TokenSource } from './auth.js';
import { validateCommand, type ComapCommand, type SimpleCommandName } from './command.js';
import { classifyWsvError, ComapCommandOutcomeUnknownError, ComapResponseError } from './errors.js';
import { collectHistory, planHistory, walkHistory, type FetchHistoryPage, type HistoryQuery } from './history.js';
import { checkTimeZone } from './zoned-day.js';
import { apiUrl, buildHttp, callOptions, checkHttpOptions, checkString, keyFingerprint, type WsvOptions } from './options.js';
import { parseComments, parseFiles, parseHistoryPage, parseInfo, parsePermissions, parseUnits, parseValues, type ParseMode } from './parse.js';
import type { Comment, HistoryEntry, HistoryValue, RateLimitState, Unit, UnitFile, UnitInfo, UnitPermissions, UnitValue } from './types.js';
import { checkControl, checkMode } from './command-check.js';
import { matchUnit } from './unit-match.js';
import { VALUE_GUID } from './value-guid.js';
import { normalizeGuids } from './value-guid-list.js';

/** The documented limit: 1 request per second per key, shared by every client of that key. */
export const DEFAULT_RATE_LIMIT = Object.freeze({ requestsPerInterval: 1, intervalInMs: 1000 });

/** Options of `history()` and `historyEntries()`: the range and values (`HistoryQuery`) plus per-call options (signal, timeout). */
export interface HistoryOptions extends HistoryQuery, CallOptions {}

/** Where a download goes: a folder (file written atomically, never a partial file) or a stream. */
export type DownloadTarget = { dir: string; fileName?: string } | NodeJS.WritableStream;

export interface DownloadOptions extends CallOptions {
  /** Fail (and leave no file) beyond this many bytes. */
  maxBytes?: number;
  /** Called as the body arrives: bytes written so far and the total from `Content-Length` (undefined when not sent). */
  onProgress?: (progress: { bytesDone: number; bytesTotal: number | undefined }) => void;
}

/** Options of `files()`: per-call options and `since`. */
export interface FilesOptions extends CallOptions {
  /** Only files generated at or after this instant (the API has no such filter: applied to its list). */
  since?: Date;
}

/** A command was accepted: sent to the unit, which does not mean executed. */
export interface CommandResult {
  status: number;
  /** The response body: parsed JSON, text, or undefined when empty. */
  body: unknown;
}

function sharedLimiter(key: string, option: WsvOptions['rateLimit'], clock: Clock | undefined): RateLimiter | undefined {
  if (option === false) return undefined;
  if (typeof option === 'object' && option !== null && typeof (option as RateLimiter).acquire === 'function') return option as RateLimiter;
  if (option !== undefined && (typeof option !== 'object' || option === null)) throw new TypeError('rateLimit must be false, a RateLimiter or { requestsPerInterval, intervalInMs }');
  const custom = option as { requestsPerInterval?: number; intervalInMs?: number } | undefined;
  const tokens = custom?.requestsPerInterval ?? DEFAULT_RATE_LIMIT.requestsPerInterval;
  const interval = custom?.intervalInMs ?? DEFAULT_RATE_LIMIT.intervalInMs;
  if (typeof tokens !== 'number') throw new TypeError('rateLimit.requestsPerInterval must be a number');
  if (!Number.isInteger(tokens) || tokens < 1) throw new RangeError(`rateLimit.requestsPerInterval must be a positive integer, got ${tokens}`);
  if (typeof interval !== 'number') throw new TypeError('rateLimit.intervalInMs must be a number');
  if (!Number.isFinite(interval) || interval <= 0) throw new RangeError(`rateLimit.intervalInMs must be a number > 0, got ${interval}`);
  const fingerprint = keyFingerprint(key);
  const id = tokens === DEFAULT_RATE_LIMIT.requestsPerInterval && interval === DEFAULT_RATE_LIMIT.intervalInMs && !clock ? `comap:${fingerprint}` : `comap:${fingerprint}:${tokens}/${interval}`;
  return getSharedRateLimiter(id, { tokensPerInterval: tokens, intervalInMs: interval, ...(clock ? { clock } : {}) });
}

/**
 * A command whose answer was lost (the transport failed or timed out after it may have been sent,
 * or a gateway 502/504) becomes ComapCommandOutcomeUnknownError; any other error is the answer.
 */
function commandOutcome(error: unknown, body: unknown): unknown {
  if (isAbortError(error)) return error;
  const category = errorCategory(error);
  const status = (error as { status?: unknown } | null)?.status;
  // Refused or unresolved connections never carried the command.
  const code = (error as { code?: unknown } | null)?.code;
  const notSent = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
  const lost = !notSent && (category === 'transient' || category === 'timeout') && (status === undefined || status === 502 || status === 504);
  if (!lost) return error;
  const command = (body as { command: string }).command;
  return new ComapCommandOutcomeUnknownError(`the answer to ${command} was lost (${(error as Error).message}): the unit may have executed it; read the unit before sending it again`, error);
}

/** Lenient unless `strict`: a skipped item goes to `onInvalidItem`, else a warning on the logger. */
function parseMode(options: WsvOptions): ParseMode {
  if (options.strict !== undefined && typeof options.strict !== 'boolean') throw new TypeError('WSV options.strict must be a boolean');
  const report = options.onInvalidItem;
  if (report !== undefined && typeof report !== 'function') throw new TypeError('WSV options.onInvalidItem must be a function');
  const logger = options.logger ? namespacedLogger(options.logger, 'comap') : undefined;
  return {
    strict: options.strict === true,
    onInvalidItem: report ?? ((error) => logger?.warn(`skipped a malformed item: ${error.message}`, { path: error.path, raw: error.rawPreview })),
  };
}

function checkGuid(unitGuid: unknown): string {
  return checkString(unitGuid, 'unitGuid');
}

function isWritable(target: unknown): target is NodeJS.WritableStream {
  return typeof target === 'object' && target !== null && typeof (target as NodeJS.WritableStream).write === 'function' && typeof (target as NodeJS.WritableStream).end === 'function';
}

/**
 * `new WSV(loginId, key, token)`: every WebSupervisor v1.1 operation. `token` is a string, a
 * provider (`(signal) => Promise<string | { token, expiresInMs } | TokenResponse>`, cached and
 * refreshed 60 s before expiry, asked again once on a 401), or an AuthProvider. Prefer
 * `ComapClient`, which owns the token for you.
 */
export class WSV {
  protected readonly http: HttpClient;
  private readonly clock: Clock | undefined;
  private state: RateLimitState | undefined;
  private readonly mode: ParseMode;
  /** The WebSupervisor login whose units this client sees. */
  readonly loginId: string;

  constructor(loginId: string, key: string, token: TokenSource, options?: WsvOptions) {
    checkString(loginId, 'loginId');
    this.loginId = loginId;
    checkString(key, 'key');
    const checked = checkHttpOptions(options, 'WSV options');
    this.mode = parseMode(checked);
    this.clock = checked.clock;
    this.http = buildHttp(checked, {
      baseUrl: apiUrl(checked.baseUrl, `v1.1/${encodeURIComponent(loginId)}/`),
      auth: comapAuth(key, token, checked.clock),
      rateLimiter: sharedLimiter(key, checked.rateLimit, checked.clock),
      classify: classifyWsvError,
    });
  }

  /** The last `X-RateLimit-Limit` / `X-RateLimit-Remaining` seen (undefined before any answer carried them). */
  get rateLimit(): RateLimitState | undefined {
    return this.state;
  }

  private track(headers: Record<string, string>): void {
    const limit = headers['x-ratelimit-limit'];
    const remaining = headers['x-ratelimit-remaining'];
    if (limit === undefined && remaining === undefined) return;
    const num = (v: string | undefined) => (v !== undefined && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : null);
    this.state = { limit: num(limit), remaining: num(remaining), at: (this.clock ?? Date).now() };
  }

  private async get(path: string, call: CallOptions, query?: Record<string, string | undefined>): Promise<unknown> {
    const req = { path, ...call, ...(query ? { query } : {}) };
    let res: HttpResponse<unknown>;
    try {
      res = await this.http.request<unknown>(req);
    } catch (error) {
      const headers = (error as { headers?: unknown }).headers;
      if (typeof headers === 'object' && headers !== null) this.track(headers as Record<string, string>);
      throw error;
    }
    this.track(res.headers);
    return res.body;
  }

  private unitPath(unitGuid: string, op: string): string {
    return `units/${encodeURIComponent(checkGuid(unitGuid))}/${op}`;
  }

  /** Every unit of the login. */
  async units(options?: CallOptions): Promise<Unit[]> {
    return parseUnits(await this.get('units', callOptions(options, 'units() options')), this.mode);
  }

  /** Current values of a unit; all of them, or those named by `valueGuids` (array or "a,b"). */
  async values(unitGuid: string, valueGuids?: string | readonly string[], options?: CallOptions): Promise<UnitValue[]> {
    const path = this.unitPath(unitGuid, 'values');
    const guids = normalizeGuids(valueGuids, 'valueGuids');
    return parseValues(await this.get(path, callOptions(options, 'values() options'), { valueGuids: guids }), this.mode);
  }

  /**
   * The unit's details: owner, application type, time zone, connection and position.
   * Throws TypeError/RangeError for a missing or empty `unitGuid`, an HttpError when the request fails.
   */
  async info(unitGuid: string, options?: CallOptions): Promise<UnitInfo> {
    return parseInfo(await this.get(this.unitPath(unitGuid, 'info'), callOptions(options, 'info() options')));
  }

  /** Who may read, control and modify the unit (the Python package has no such call). */
  async permissions(unitGuid: string, options?: CallOptions): Promise<UnitPermissions> {
    return parsePermissions(await this.get(this.unitPath(unitGuid, 'permissions'), callOptions(options, 'permissions() options')), this.mode);
  }

  /**
   * The unit's comments (author and text with HTML character references decoded).
   * Throws TypeError/RangeError for a missing or empty `unitGuid`, an HttpError when the request fails.
   */
  async comments(unitGuid: string, options?: CallOptions): Promise<Comment[]> {
    return parseComments(await this.get(this.unitPath(unitGuid, 'comments'), callOptions(options, 'comments() options')), this.mode);
  }

  /**
   * The files the unit has on the server (name, type, when generated), with `since` those generated
   * at or after it; fetch one with `download()`.
   * Throws TypeError/RangeError for a missing or empty `unitGuid`, an HttpError when the request fails.
   */
  async files(unitGuid: string, options?: FilesOptions): Promise<UnitFile[]> {
    const since = options?.since;
    if (since !== undefined && (!(since instanceof Date) || Number.isNaN(since.getTime()))) throw new TypeError('files() options.since must be a valid Date');
    const files = parseFiles(await this.get(this.unitPath(unitGuid, 'files'), callOptions(options, 'files() options')), this.mode);
    return since === undefined ? files : files.filter((f) => f.generated.getTime() >= since.getTime());
  }

  private walk(unitGuid: string, options: HistoryOptions, where: string): AsyncGenerator<HistoryEntry, void, undefined> {
    const path = this.unitPath(unitGuid, 'history');
    const call = callOptions(options, where);
    const now = (this.clock ?? Date).now();
    const zone = options.timeZone === undefined || options.timeZone === 'unit' ? undefined : checkTimeZone(options.timeZone, 'timeZone');
    // Bad input throws here, before anything is sent (with the unit's zone: checked as UTC first).
    const plan = planHistory(options, now, options.timeZone === 'unit' ? 'UTC' : zone);
    const fetchPage: FetchHistoryPage = async (window, offset, valueGuids) =>
      parseHistoryPage(await this.get(path, call, { from: window.from, to: window.to, offset: String(offset), valueGuids }), this.mode);
    if (options.timeZone !== 'unit') return walkHistory(plan, fetchPage);
    return (async function* (wsv: WSV) {
      const unitZone = (await wsv.info(unitGuid, call)).timezone;
      let resolved: string;
      try {
        resolved = checkTimeZone(unitZone, 'timezone');
      } catch {
        throw new ComapResponseError(`history: the unit's timezone ${JSON.stringify(unitZone)} is not an IANA time zone name; pass timeZone yourself`, { timezone: unitZone });
      }
      yield* walkHistory(planHistory(options, now, resolved), fetchPage);
    })(this);
  }

  /**
   * The history of a unit from `from` to `to` (inclusive days; Date or `MM/DD/YYYY`), as one list
   * per value. Long ranges are fetched in 31-day windows, each paged through `nextOffset`.
   */
  async history(unitGuid: string, options: HistoryOptions = {}): Promise<HistoryValue[]> {
    return collectHistory(this.walk(unitGuid, options, 'history() options'));
  }

  /**
   * The same history as an async iterator of entries, fetched a page at a time, so a year of data
   * never sits in memory. Bad options throw here, before anything is fetched.
   */
  historyEntries(unitGuid: string, options: HistoryOptions = {}): AsyncGenerator<HistoryEntry, void, undefined> {
    return this.walk(unitGuid, options, 'historyEntries() options');
  }

  /**
   * Downloads one of the unit's files (`files()`), streamed: into `{ dir }` (atomically, under
   * `fileName` or the remote name, never outside `dir`) or into a writable stream.
   */
  async download(unitGuid: string, fileName: string, target: DownloadTarget, options: DownloadOptions = {}): Promise<DownloadResult> {
    checkGuid(unitGuid);
    checkString(fileName, 'fileName');
    const path = `unit/${encodeURIComponent(unitGuid)}/download/${encodeURIComponent(fileName)}`;
    // The rate-limit slot goes back when the headers arrive: a long body never holds up other calls of the key.
    const common = { path, releaseSlotOn: 'headers' as const, ...callOptions(options, 'download() options') };
    const extra: { maxBytes?: number; onProgress?: DownloadOptions['onProgress'] } = {};
    if (options.maxBytes !== undefined) extra.maxBytes = options.maxBytes;
    if (options.onProgress !== undefined) extra.onProgress = options.onProgress;
    if (isWritable(target)) return this.http.download({ ...common, ...extra, to: target });
    if (typeof target !== 'object' || target === null || typeof (target as { dir?: unknown }).dir !== 'string') {
      throw new TypeError('target must be { dir } or a writable stream');
    }
    const local = target.fileName ?? fileName;
    checkString(local, 'target.fileName');
    return this.http.download({ ...common, ...extra, dir: target.dir, fileName: local });
  }

  /**
   * Sends a command (validated first; see `ComapCommand`). Never retried: a genset must not
   * start twice (only a 401, refused by the gateway before the unit sees it, is sent again once
   * after re-authentication). Success means the API accepted it, not that the unit executed it; an empty or
   * non-JSON 200 body is a success.
   */
  async command(unitGuid: string, command: ComapCommand | SimpleCommandName, options?: CallOptions): Promise<CommandResult> {
    const path = this.unitPath(unitGuid, 'command');
    const body = validateCommand(command);
    const call = callOptions(options, 'command() options');
    let res: HttpResponse<string>;
    try {
      res = await this.http.request<string>({ method: 'POST', path, json: body, responseType: 'text', retry: false, idempotent: false, ...call });
    } catch (error) {
      throw commandOutcome(error, body);
    }
    this.track(res.headers);
    const text = res.body;
    let parsed: unknown = undefined;
    if (text.trim() !== '') {
      try {
        parsed = JSON.parse(text) as unknown;
      } catch {
        parsed = text;
      }
    }
    return { status: res.status, body: parsed };
  }

  /**
   * Checks a command against the unit before it is sent: for `changeMode`, the mode must be one
   * of the unit's `modes_available` and this login must have the `control` permission (two reads).
   * Throws ComapCommandRefusedError (`input` for the mode, `auth` for the permission). Returns the
   * command to send (the mode in the unit's spelling); other commands are returned unchanged.
   */
  async checkCommand(unitGuid: string, command: ComapCommand | SimpleCommandName, options?: CallOptions): Promise<ComapCommand> {
    const body = validateCommand(command) as unknown as ComapCommand;
    if (body.command !== 'changeMode') return body;
    checkControl(await this.permissions(unitGuid, options), this.loginId);
    const [modes] = await this.values(unitGuid, [VALUE_GUID.modes_available], options);
    return { command: 'changeMode', mode: checkMode(body.mode, modes?.value ?? null, unitGuid) };
  }

  /**
   * The one unit `name` names: its full name (case-insensitive), else the only name starting with
   * it. Several candidates throw ComapAmbiguousUnitError (category `input`, `candidates`), none
   * ComapNotFoundError. Use this before acting on a unit.
   */
  async findUnit(name: string, options?: CallOptions): Promise<Unit> {
    if (typeof name !== 'string') throw new TypeError('name must be a string');
    if (name.trim() === '') throw new RangeError('name must not be empty');
    return matchUnit(await this.units(options), name);
  }

  /**
   * The GUID of the first unit whose name contains `name` (case-sensitive substring, as the Python
   * package); undefined if none. It can pick the wrong one of several: prefer `findUnit()`.
   */
  async getUnitGuid(name: string, options?: CallOptions): Promise<string | undefined> {
    if (typeof name !== 'string') throw new TypeError('name must be a string');
    return (await this.units(options)).find((u) => u.name.includes(name))?.unitGuid;
  }

  /** The GUID of the unit's first value whose name contains `name` (case-sensitive substring); undefined if none. */
  async getValueGuid(unitGuid: string, name: string, options?: CallOptions): Promise<string | undefined> {
    if (typeof name !== 'string') throw new TypeError('name must be a string');
    return (await this.values(unitGuid, undefined, options)).find((v) => v.name.includes(name))?.valueGuid;
  }

  /** Closes the connections. */
  close(): Promise<void> {
    return this.http.close();
  }
}
