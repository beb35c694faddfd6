/**
 * One MQTT connect that always settles: with the client at CONNACK, or with a typed error when the
 * broker refuses (CONNACK code), closes the connection before CONNACK (AWS IoT's answer to a refused
 * or duplicate client), stays silent past `timeoutInMs` (on the injected clock), or the signal aborts.
 * mqtt.js's own `connectAsync` waits forever in the close-before-CONNACK case.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { AbortError, NetworkError, TimeoutError, type Clock } from '@x/http-core';

export interface MqttConnectLimits {
  signal: AbortSignal;
  clock: Clock;
  /** 0 = no limit. */
  timeoutInMs: number;
  /** For error messages: `mqtts://host:port`. */
  url: string;
}

/** Whether a failed connect means the broker refused the client certificate (a new one is needed). */
export function isCertificateRefusal(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    // CONNACK 4 (bad credentials) / 5 (not authorized); TLS alerts about the certificate.
    if (code === 4 || code === 5) return true;
    if (typeof code === 'string' && /CERTIFICATE/i.test(code)) return true;
  }
  return false;
}

export function connectMqtt(options: IClientOptions, limits: MqttConnectLimits): Promise<MqttClient> {
  const { signal, clock, timeoutInMs, url } = limits;
  return new Promise<MqttClient>((resolve, reject) => {
    if (signal.aborted) {
      reject(new AbortError(signal.reason, 'MQTT connect aborted'));
      return;
    }
    const client = mqtt.connect({ ...options, reconnectPeriod: 0 });
    let lastError: Error | undefined;
    let settled = false;
    const finish = (error?: Error): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      client.removeListener('connect', onConnect);
      client.removeListener('close', onClose);
      if (error === undefined) {
        resolve(client);
        return;
      }
      client.end(true);
      reject(error);
    };
    const onConnect = (): void => finish();
    // mqtt.js closes before it emits a CONNACK refusal: the close waits a microtask to learn why.
    const onClose = (): void => queueMicrotask(closed);
    const closed = (): void =>
      finish(
        new NetworkError({
          code: 'MQTT_CLOSED',
          method: 'CONNECT',
          url,
          message: `the MQTT broker closed the connection before CONNACK${lastError ? ` (${lastError.message})` : ''}`,
          cause: lastError,
        }),
      );
    const onAbort = (): void => finish(new AbortError(signal.reason, 'MQTT connect aborted'));
    // An MQTT client without an 'error' listener throws; the error is kept for the close that follows.
    client.on('error', (err) => {
      lastError = err;
      const code = (err as { code?: unknown }).code;
      if (typeof code === 'number') {
        finish(new NetworkError({ code: 'MQTT_REFUSED', method: 'CONNECT', url, message: `the MQTT broker refused the connection: ${err.message} (${code})`, cause: err }));
      }
    });
    client.once('connect', onConnect);
    client.once('close', onClose);
    signal.addEventListener('abort', onAbort, { once: true });
    const timer =
      timeoutInMs > 0
        ? clock.setTimeout(
            () => finish(new TimeoutError({ phase: 'connect', timeoutInMs, method: 'CONNECT', url, message: `no MQTT CONNACK within ${timeoutInMs} ms` })),
            timeoutInMs,
          )
        : undefined;
  });
}
