/** Calls a simulator's control API from tests and scripts (plain fetch: nothing to configure). */
import type { ActiveFault, FaultRuleInput } from './fault-plan.js';

/** A control request the simulator refused; `status` and the server's `message`. */
export class ControlError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = 'ControlError';
    this.status = status;
  }
}

/**
 * Drives a simulator's control API over HTTP (see SIMULATOR-CONTROL.md). Every method rejects
 * with a {@link ControlError} when the simulator refuses (501 for an endpoint it does not support).
 */
export class ControlClient {
  readonly url: string;

  /** `url`: the `control` field of the `simulate` line (`http://127.0.0.1:PORT/control`). */
  constructor(url: string) {
    if (typeof url !== 'string' || !/^https?:\/\/[^/]+\/control\/?$/.test(url)) throw new TypeError(`url must be a control URL (http://host:port/control), got ${String(url)}`);
    this.url = url.replace(/\/$/, '');
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    const text = await response.text();
    const parsed = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
    if (!response.ok) throw new ControlError(response.status, `${method} /control${path}: ${response.status} ${typeof parsed.message === 'string' ? parsed.message : text}`);
    return parsed as T;
  }

  /** The simulator's name and the endpoints it supports. */
  info(): Promise<{ name: string; endpoints: string[] }> {
    return this.call('GET', '');
  }

  /** Adds a fault rule; resolves to the rule as the simulator stored it. */
  async addFault(fault: FaultRuleInput): Promise<ActiveFault> {
    return (await this.call<{ fault: ActiveFault }>('POST', '/faults', fault)).fault;
  }

  /** The fault rules still pending. */
  async faults(): Promise<ActiveFault[]> {
    return (await this.call<{ faults: ActiveFault[] }>('GET', '/faults')).faults;
  }

  /** Removes every fault; resolves to how many were still pending. */
  async clearFaults(): Promise<number> {
    return (await this.call<{ cleared: number }>('DELETE', '/faults')).cleared;
  }

  /** Revokes `token`, or every token when none is given; resolves to how many were revoked. */
  async revokeTokens(token?: string): Promise<number> {
    return (await this.call<{ revoked: number }>('POST', '/tokens/revoke', token === undefined ? {} : { token })).revoked;
  }

  /** Drops the simulator's open long-lived connections; resolves to how many. */
  async dropConnections(): Promise<number> {
    return (await this.call<{ dropped: number }>('POST', '/connections/drop', {})).dropped;
  }

  /** Pushes a vendor command or event; resolves to the simulator's answer. */
  async push(body: Record<string, unknown>): Promise<unknown> {
    return (await this.call<{ result: unknown }>('POST', '/push', body)).result;
  }

  /**
   * What the simulator received, oldest first: up to `limit` (default 1000) records from index
   * `since` (default 0), with `total` the count of all records.
   */
  received(options: { since?: number; limit?: number } = {}): Promise<{ total: number; since: number; records: unknown[] }> {
    const query = new URLSearchParams();
    if (options.since !== undefined) query.set('since', String(options.since));
    if (options.limit !== undefined) query.set('limit', String(options.limit));
    const qs = query.toString();
    return this.call('GET', `/received${qs === '' ? '' : `?${qs}`}`);
  }

  /** Forgets what the simulator received so far. */
  async clearReceived(): Promise<void> {
    await this.call('DELETE', '/received');
  }

  /** TLS simulators: the CA PEM to trust and the file it was written to. */
  ca(): Promise<{ pem: string; path: string }> {
    return this.call('GET', '/ca');
  }
}
