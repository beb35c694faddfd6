// `fleet start` and `fleet demo`: run the service until SIGINT/SIGTERM, then stop it cleanly (exit 0).
import { defineCommand, type CommandContext } from '@x/http-core/cli';
import { startFleet, type FleetApp, type StartFleetOptions } from '../app.js';
import { hasVendors } from '../config.js';
import { createLogger } from '../log.js';
import { DataDirLockedError } from '../storage/data-lock.js';
import { CONFIG_OPTION, DATA_DIR_OPTION, configFor, lockedExit, type ProgramHooks } from './shared.js';

const SERVE_OPTIONS = {
  ...CONFIG_OPTION,
  host: { type: 'string', description: 'bind address (default 127.0.0.1; other addresses need an access token)' },
  port: { type: 'integer', min: 0, max: 65535, description: 'port (default 8080; 0 = any free port)' },
  ...DATA_DIR_OPTION,
} as const;

type ServeContext = Pick<CommandContext, 'env' | 'stdout' | 'stderr' | 'signal'> & {
  options: { config: string | undefined; host: string | undefined; port: number | undefined; 'data-dir': string | undefined };
};

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

async function serve(ctx: ServeContext, hooks: ProgramHooks, demo: boolean): Promise<number> {
  const config = await configFor(ctx.options.config, ctx.env, hooks);
  const runDemo = demo || !hasVendors(config);
  if (!demo && runDemo) ctx.stderr.line('fleet: no vendor configured (fleet.config.json or environment): running on the built-in simulators');
  const options: StartFleetOptions = {
    demo: runDemo,
    config,
    logger: createLogger(config.logLevel, (line) => ctx.stderr.write(line)),
  };
  if (ctx.options.host !== undefined) options.host = ctx.options.host;
  if (ctx.options.port !== undefined) options.port = ctx.options.port;
  if (ctx.options['data-dir'] !== undefined) options.dataDir = ctx.options['data-dir'];
  let app: FleetApp;
  try {
    app = await startFleet(options);
  } catch (err) {
    if (!(err instanceof DataDirLockedError)) throw err;
    return lockedExit(ctx.stderr, err);
  }
  ctx.stdout.line(`fleet: listening on ${app.url}`);
  if (runDemo) ctx.stderr.line(`fleet: demo on the built-in simulators; open ${app.url} in a browser (Ctrl+C to stop)`);
  hooks.onStarted?.(app);
  await untilAborted(ctx.signal);
  ctx.stderr.line('fleet: stopping');
  await app.stop();
  // A requested stop is the service's normal end: 0, so supervisors do not count it as a crash.
  return 0;
}

export function serveCommands(hooks: ProgramHooks): ReturnType<typeof defineCommand>[] {
  return [
    defineCommand({
      name: 'start',
      summary: 'Run the fleet service with fleet.config.json / environment variables.',
      description: 'With no vendor configured it runs on the built-in simulators, like demo. SIGINT/SIGTERM stop it cleanly (exit 0).',
      options: SERVE_OPTIONS,
      run: (ctx) => serve(ctx, hooks, false),
    }),
    defineCommand({
      name: 'demo',
      summary: 'Run on the four built-in simulators (no account needed).',
      description: 'SIGINT/SIGTERM stop it cleanly (exit 0).',
      options: SERVE_OPTIONS,
      examples: ['fleet demo --port 0'],
      run: (ctx) => serve(ctx, hooks, true),
    }),
  ];
}
