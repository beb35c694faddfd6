import { isHttpError, validateCallOptions, type CallOptions, type HttpClient } from '@x/http-core';
import { SeplProtocolError, SeplRequestError } from './errors.js';
import { g3HubHash } from './g3-hash.js';

/** A device as the G3 device REST knows it. */
export interface G3Device {
  /** Local id (`local_id` on the platform). */
  id: string;
  name: string;
  /** Platform device type id (`device_type_id`), e.g. `urn:infai:ses:device-type:…`. */
  type: string;
}

/** A hub as `GET /hubs/{id}` answers it. */
export interface G3Hub {
  id: string;
  name: string;
  hash: string | null;
  device_local_ids: string[];
}

/** The platform's device-manager REST endpoints. */
export interface G3PlatformEndpoints {
  /** `hub_endpt`, e.g. `https://api.example/device-manager/hubs`. */
  hubUrl: string;
  /** `device_endpt`, e.g. `https://api.example/device-manager/local-devices`. */
  deviceUrl: string;
}

function join(base: string, id: string): string {
  return `${base}/${encodeURIComponent(id)}`;
}

function call(options: CallOptions): Partial<CallOptions> {
  const out: Partial<CallOptions> = {};
  if (options.signal) out.signal = options.signal;
  if (options.timeoutInMs !== undefined) out.timeoutInMs = options.timeoutInMs;
  if (options.deadlineInMs !== undefined) out.deadlineInMs = options.deadlineInMs;
  return out;
}

function nonEmpty(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${name} must be a non-empty string`);
  return value;
}

function parseHub(body: unknown): G3Hub {
  const b = body as Record<string, unknown> | null;
  if (typeof b !== 'object' || b === null || typeof b['id'] !== 'string' || typeof b['name'] !== 'string') {
    throw new SeplProtocolError('hub answer without id and name', body);
  }
  const hash = b['hash'];
  if (hash !== null && hash !== undefined && typeof hash !== 'string') throw new SeplProtocolError('hub hash is not a string', body);
  const ids = Array.isArray(b['device_local_ids']) ? b['device_local_ids'].filter((x): x is string => typeof x === 'string') : [];
  return { id: b['id'], name: b['name'], hash: hash ?? null, device_local_ids: ids };
}

/**
 * The SENERGY hub and device REST, called as the reference client (cc_lib) calls it, with the
 * bearer auth of the given http-core client. Non-2xx answers are http-core `HttpError`s except where
 * the reference client gives a status a meaning (404: absent).
 */
export class G3PlatformClient {
  readonly #http: HttpClient;
  readonly #endpoints: G3PlatformEndpoints;

  constructor(http: HttpClient, endpoints: G3PlatformEndpoints) {
    nonEmpty(endpoints.hubUrl, 'endpoints.hubUrl');
    nonEmpty(endpoints.deviceUrl, 'endpoints.deviceUrl');
    this.#http = http;
    // the reference client joins `{endpt}/{id}`; a configured trailing slash must not double it
    this.#endpoints = { hubUrl: endpoints.hubUrl.replace(/\/+$/, ''), deviceUrl: endpoints.deviceUrl.replace(/\/+$/, '') };
  }

  /** `POST hub_endpt {id: null, name, hash: null, device_local_ids: []}`; resolves with the new hub id. */
  async createHub(name: string, options: CallOptions = {}): Promise<string> {
    nonEmpty(name, 'name');
    validateCallOptions(options, 'createHub() options');
    const res = await this.#http.request<unknown>({
      method: 'POST',
      path: this.#endpoints.hubUrl,
      json: { id: null, name, hash: null, device_local_ids: [] },
      ...call(options),
    });
    return parseHub({ name, ...(res.body as object) }).id;
  }

  /** `HEAD hub_endpt/{id}`: true on 200, false on 404. */
  async hubExists(hubId: string, options: CallOptions = {}): Promise<boolean> {
    nonEmpty(hubId, 'hubId');
    validateCallOptions(options, 'hubExists() options');
    const res = await this.#http.request<unknown>({
      method: 'HEAD',
      path: join(this.#endpoints.hubUrl, hubId),
      responseType: 'text',
      okStatus: (status) => status === 200 || status === 404,
      ...call(options),
    });
    return res.status === 200;
  }

  /** `GET hub_endpt/{id}`; undefined on 404. */
  async getHub(hubId: string, options: CallOptions = {}): Promise<G3Hub | undefined> {
    nonEmpty(hubId, 'hubId');
    validateCallOptions(options, 'getHub() options');
    try {
      const res = await this.#http.request<unknown>({ method: 'GET', path: join(this.#endpoints.hubUrl, hubId), ...call(options) });
      return parseHub(res.body);
    } catch (err) {
      if (isHttpError(err) && err.status === 404) return undefined;
      throw err;
    }
  }

  /**
   * Brings the hub's hash and device ids in line with `devices` as the reference client does: read
   * the hub, and only if its hash differs `PUT {id, name, hash, device_local_ids}`. Resolves with
   * whether it wrote; a missing hub is a `not-found` SeplRequestError.
   */
  async syncHub(hubId: string, devices: readonly G3Device[], options: CallOptions = {}): Promise<{ hash: string; written: boolean }> {
    validateCallOptions(options, 'syncHub() options');
    const hub = await this.getHub(hubId, options);
    if (hub === undefined) throw new SeplRequestError('hub', hubId, 404, 'hub not found on the platform');
    const hash = g3HubHash(devices);
    if (hub.hash === hash) return { hash, written: false };
    await this.#http.request<unknown>({
      method: 'PUT',
      path: join(this.#endpoints.hubUrl, hubId),
      json: { id: hubId, name: hub.name, hash, device_local_ids: devices.map((d) => d.id) },
      ...call(options),
    });
    return { hash, written: true };
  }

  /** `GET device_endpt/{local id}`: the platform's id of the device, undefined on 404. */
  async getDevice(localId: string, options: CallOptions = {}): Promise<{ id: string } | undefined> {
    nonEmpty(localId, 'localId');
    validateCallOptions(options, 'getDevice() options');
    try {
      const res = await this.#http.request<unknown>({ method: 'GET', path: join(this.#endpoints.deviceUrl, localId), ...call(options) });
      const id = (res.body as { id?: unknown } | null)?.id;
      if (typeof id !== 'string') throw new SeplProtocolError('device answer without id', res.body);
      return { id };
    } catch (err) {
      if (isHttpError(err) && err.status === 404) return undefined;
      throw err;
    }
  }

  /**
   * Creates the device (`POST {name, device_type_id, local_id}`) or, when the platform knows the
   * local id already, updates it (`PUT device_endpt/{local id}`). Resolves with the platform id.
   */
  async putDevice(device: G3Device, options: CallOptions = {}): Promise<{ id: string; created: boolean }> {
    nonEmpty(device?.id, 'device.id');
    nonEmpty(device.name, 'device.name');
    nonEmpty(device.type, 'device.type');
    validateCallOptions(options, 'putDevice() options');
    const known = await this.getDevice(device.id, options);
    const body = { name: device.name, device_type_id: device.type, local_id: device.id };
    if (known === undefined) {
      const res = await this.#http.request<unknown>({ method: 'POST', path: this.#endpoints.deviceUrl, json: body, ...call(options) });
      const id = (res.body as { id?: unknown } | null)?.id;
      if (typeof id !== 'string') throw new SeplProtocolError('device answer without id', res.body);
      return { id, created: true };
    }
    await this.#http.request<unknown>({ method: 'PUT', path: join(this.#endpoints.deviceUrl, device.id), json: { id: known.id, ...body }, ...call(options) });
    return { id: known.id, created: false };
  }

  /** `DELETE device_endpt/{local id}`; resolves false when the platform did not know it (404). */
  async deleteDevice(localId: string, options: CallOptions = {}): Promise<boolean> {
    nonEmpty(localId, 'localId');
    validateCallOptions(options, 'deleteDevice() options');
    const res = await this.#http.request<unknown>({
      method: 'DELETE',
      path: join(this.#endpoints.deviceUrl, localId),
      responseType: 'text',
      okStatus: (status) => (status >= 200 && status < 300) || status === 404,
      ...call(options),
    });
    return res.status !== 404;
  }
}
