/**
 * HTTP monitor delivery, as the cloud does it: each batch is sent to `monTransportUrl` with
 * `monTransportMethod`, `Authorization: Basic base64(monTransportToken)` and the custom headers;
 * anything but 2xx is retried (same batch, in order) until it succeeds or the monitor changes.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { parseHeaderLines } from '../monitor-model.js';
import type { SimBatch, SimMonitor, Sink } from './sim-monitor.js';

/** One HTTP delivery attempt of a block: the status answered, or the error when there was no answer. */
export interface DeliveryAttempt {
  monitorId: number;
  blockId: number;
  status: number | undefined;
  error?: string;
}

export interface HttpDeliveryOptions {
  /** Delay before retrying a failed delivery (grows linearly with the attempt, capped at 30×). */
  retryDelayInMs: number;
  /** CA for https transport URLs with test certificates. */
  ca?: string;
  now(): Date;
  onAttempt?(attempt: DeliveryAttempt): void;
}

export class HttpDeliverySink implements Sink {
  readonly window = 1;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private abort = new AbortController();

  constructor(
    private readonly monitor: SimMonitor,
    private readonly options: HttpDeliveryOptions,
  ) {}

  send(batch: SimBatch): void {
    this.attempt(batch, 1);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.abort.abort();
  }

  private attempt(batch: SimBatch, n: number): void {
    if (this.closed) return;
    const f = this.monitor.fields;
    const url = new URL(f.monTransportUrl ?? '');
    const headers: Record<string, string> = { ...parseHeaderLines(f.monTransportHeaders ?? '') };
    headers['Content-Type'] = batch.format === 'json' ? 'application/json' : 'text/xml';
    if (batch.compression === 'zlib') headers['Content-Encoding'] = 'deflate';
    if (f.monTransportToken) headers.Authorization = `Basic ${Buffer.from(f.monTransportToken, 'utf8').toString('base64')}`;
    headers['Content-Length'] = String(batch.data.length);
    const timeout = Number(f.monResponseTimeout ?? '0') || 5000;
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
      method: f.monTransportMethod === 'POST' ? 'POST' : 'PUT',
      headers,
      timeout,
      // One connection per attempt: no race with a receiver that closes after an error answer.
      agent: false,
      signal: this.abort.signal,
      ...(url.protocol === 'https:' && this.options.ca ? { ca: this.options.ca } : {}),
    });
    let settled = false;
    const retry = (status: number | undefined, error?: string) => {
      if (settled) return;
      settled = true;
      this.options.onAttempt?.({ monitorId: this.monitor.id, blockId: batch.blockId, status, ...(error ? { error } : {}) });
      if (this.closed) return;
      this.timer = setTimeout(() => this.attempt(batch, n + 1), this.options.retryDelayInMs * Math.min(n, 30));
    };
    req.on('response', (res) => {
      res.on('error', () => retry(res.statusCode, 'response aborted'));
      res.resume();
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status < 200 || status >= 300) {
          retry(status);
          return;
        }
        if (settled) return;
        settled = true;
        this.options.onAttempt?.({ monitorId: this.monitor.id, blockId: batch.blockId, status });
        if (!this.closed) this.monitor.delivered(batch.blockId, this.options.now());
      });
    });
    req.on('timeout', () => req.destroy(new Error('response timeout')));
    req.on('error', (err) => {
      if (!this.closed) retry(undefined, err.message);
    });
    req.end(batch.data);
  }
}
