/** The control API on its own loopback server, and the way to mount it in front of a simulator's handler. */
import { isLoopbackHost } from '../listen.js';
import { type TestHandler, type TestServer, startTestServer } from '../server.js';
import { type Control, type ControlOptions, createControl } from './control-api.js';

/** A running control server made by {@link startControlServer}. */
export interface ControlServer {
  readonly control: Control;
  /** `http://127.0.0.1:PORT/control`: the `control` field of the `simulate` line. */
  readonly url: string;
  readonly server: TestServer;
  /** Stops the server and closes its connections. */
  close(): Promise<void>;
}

/** Options of {@link startControlServer}: the control endpoints plus where to listen. */
export interface ControlServerOptions extends ControlOptions {
  /** Loopback only (`127.0.0.1` default, `::1`, `localhost`): the API can revoke tokens and drop traffic. */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
}

/** Serves the control API alone (for simulators whose main port is TLS, MQTT or raw TCP). */
export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || !isLoopbackHost(host)) throw new RangeError(`host must be a loopback address (127.0.0.1, ::1, localhost), got ${String(host)}`);
  const control = createControl(options);
  const server = await startTestServer(
    async (req, res) => {
      if (await control.handle(req, res)) return;
      req.resume();
      res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ error: 'not_found', message: 'the control API lives under /control' }));
    },
    { host, ...(options.port === undefined ? {} : { port: options.port }) },
  );
  return { control, url: `${server.url}/control`, server, close: () => server.close() };
}

/**
 * One handler for a simulator's HTTP server: `/control/...` first, then the faults, then the
 * simulator's own `handler`. The control URL is then `<simulator url>/control`.
 */
export function withControl(control: Control, handler: TestHandler): TestHandler {
  if (typeof handler !== 'function') throw new TypeError('handler must be a function');
  const faulty = control.faults.wrap(handler);
  return async (req, res) => {
    if (!(await control.handle(req, res))) await faulty(req, res);
  };
}
