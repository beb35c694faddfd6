import { randomBytes } from 'node:crypto';
import { silentLogger, systemClock, type Clock, type Logger } from '@x/http-core';
import { createControl, createRouter, simulatorLine, startTestServer, testCertificate, withControl, writeCaFile, type CaFile, type Control, type TestServer } from '@x/http-core/testing';
import { startMqttBroker, type MqttBrokerSim } from './broker.js';
import { sharedTestCa, type TestCa } from './ca.js';
import { mountConnectSimulator, type ConnectSim, type ConnectSimOptions } from './connect-sim.js';
import { checkV1SimOptions, mountV1Simulator, type V1Sim, type V1SimOptions } from './v1-sim.js';

/** Options of `startThinqSimulator`. */
export interface ThinqSimulatorOptions {
  /** HTTP port (default 0, ephemeral). */
  port?: number;
  /** Serve HTTPS with @x/http-core's `testCertificate()` (trust its `ca` in the clients). Default false. */
  tls?: boolean;
  /** Injectable clock for token expiry and subscription expiry. */
  clock?: Clock;
  v1?: V1SimOptions;
  connect?: ConnectSimOptions;
  /** Start the MQTT broker (TLS, client certificates from the simulator CA). Default true. */
  mqtt?: boolean;
  logger?: Logger;
}

/** A running simulator of LG's ThinQ v1 and ThinQ Connect clouds on loopback. */
export interface ThinqSimulator {
  /** `http://127.0.0.1:<port>` (`https` with `tls: true`) */
  readonly url: string;
  /** The v1 gateway discovery URL to use instead of LG's. */
  readonly gatewayUrl: string;
  /** Base URL of the simulated Connect API (instead of `https://api-<region>.lgthinq.com/`). */
  readonly connectUrl: string;
  /** A valid personal access token of the simulated Connect account. */
  readonly pat: string;
  /** The simulated account's country. */
  readonly country: string;
  /**
   * PEM of the CA that signed the MQTT broker's certificate and issues client certificates. The
   * simulators of one process share this CA (made once: RSA-2048 key generation is slow). With
   * `mqtt: false` it is obtained on the first certificate request, and this is '' until then.
   */
  readonly caPem: string;
  readonly v1: V1Sim;
  readonly connect: ConnectSim;
  /** The MQTT broker, when started. */
  readonly broker: MqttBrokerSim | undefined;
  /** The shared control API (faults, token revocation, dropped MQTT connections, pushed events). */
  readonly control: Control;
  /** Its URL: `<url>/control`. */
  readonly controlUrl: string;
  /** The CA file of the MQTT broker (written when the broker starts), undefined with `mqtt: false`. */
  readonly caPath: string | undefined;
  /** The `simulate` JSON line: urls, pat, country, mqttUrl, `control`, `caPath` (and `caFile`, its old name); with `tls`, `tlsCaFile` (the HTTPS server's CA). */
  line(): string;
  /** Stops the Connect simulator, the HTTP server and the MQTT broker, and removes the CA file. */
  close(): Promise<void>;
}

/**
 * `POST /control/push` bodies: `{ deviceId, pushCode }` sends a DEVICE_PUSH notification,
 * `{ deviceId, report }` changes the device's state and publishes a DEVICE_STATUS report.
 */
async function pushEvent(connect: ConnectSim, body: unknown): Promise<{ deviceId: string; type: 'notification' | 'status' }> {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (typeof b.deviceId !== 'string' || b.deviceId === '') throw new TypeError('push: deviceId must be a non-empty string');
  connect.device(b.deviceId);
  if (typeof b.pushCode === 'string' && b.pushCode !== '') {
    await connect.notify(b.deviceId, b.pushCode);
    return { deviceId: b.deviceId, type: 'notification' };
  }
  if (typeof b.report === 'object' && b.report !== null && !Array.isArray(b.report)) {
    await connect.report(b.deviceId, b.report as Record<string, unknown>);
    return { deviceId: b.deviceId, type: 'status' };
  }
  throw new TypeError('push: give pushCode (a notification) or report (a status report object)');
}

function createSimControl(v1: V1Sim, connect: ConnectSim, broker: MqttBrokerSim | undefined, ca: { pem: string; path: string } | undefined): Control {
  return createControl({
    name: 'thinq',
    revokeTokens: () => v1.revokeTokens() + (connect.revokeToken(), 1),
    ...(broker ? { dropConnections: () => broker.dropConnections() } : {}),
    push: (body) => pushEvent(connect, body),
    received: () => connect.requests.map((r) => ({ api: 'connect', method: r.method, path: r.path, body: r.body })),
    clearReceived: () => void connect.requests.splice(0),
    ...(ca ? { ca } : {}),
  });
}

/** Starts the simulator: one HTTP server for v1 and Connect, plus an MQTT broker over mutual TLS. */
export async function startThinqSimulator(options: ThinqSimulatorOptions = {}): Promise<ThinqSimulator> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const v1Options = checkV1SimOptions(options.v1);
  const router = createRouter();
  let base = '';
  const urlOf = () => base;
  let caPromise: Promise<TestCa> | undefined;
  let caPem = '';
  const getCa = (): Promise<TestCa> =>
    (caPromise ??= sharedTestCa().then((ca) => {
      caPem = ca.certPem;
      return ca;
    }));
  const broker = options.mqtt === false ? undefined : await startMqttBroker(await getCa());
  const v1 = mountV1Simulator(router, urlOf, clock, v1Options, logger);
  const pat = `thinqpat_${randomBytes(20).toString('hex')}`;
  const connect = mountConnectSimulator(router, { prefix: '/connect', pat, clock, ca: getCa, broker, ...(options.connect ?? {}) });
  let server: TestServer;
  let caFile: CaFile | undefined;
  /** With `tls`: the HTTPS server's CA, for the `simulate` line's `tlsCaFile`. */
  let tlsCaFile: CaFile | undefined;
  let control: Control;
  try {
    caFile = broker ? await writeCaFile(caPem) : undefined;
    tlsCaFile = options.tls === true ? await writeCaFile(testCertificate().ca) : undefined;
    control = createSimControl(v1, connect, broker, caFile ? { pem: caPem, path: caFile.path } : undefined);
    server = await startTestServer(withControl(control, router.handler), { port: options.port ?? 0, tls: options.tls === true });
  } catch (err) {
    await broker?.close();
    await caFile?.remove();
    await tlsCaFile?.remove();
    throw err;
  }
  base = server.url;
  return {
    url: server.url,
    gatewayUrl: `${server.url}/api/common/gatewayUriList`,
    connectUrl: `${server.url}/connect/`,
    pat,
    country: connect.country,
    get caPem() {
      return caPem;
    },
    v1,
    connect,
    broker,
    control,
    controlUrl: `${server.url}/control`,
    caPath: caFile?.path,
    line() {
      const fields = { url: server.url, gatewayUrl: `${server.url}/api/common/gatewayUriList`, connectUrl: `${server.url}/connect/`, pat, country: connect.country };
      const mqtt = broker ? { mqttUrl: broker.url, caFile: caFile?.path } : {};
      const tls = tlsCaFile ? { tlsCaFile: tlsCaFile.path } : {};
      return simulatorLine({ ...fields, ...mqtt, ...tls }, { control: `${server.url}/control`, ...(caFile ? { caPath: caFile.path } : {}) });
    },
    async close() {
      connect.stop();
      await server.close();
      await broker?.close();
      await caFile?.remove();
      await tlsCaFile?.remove();
    },
  };
}
