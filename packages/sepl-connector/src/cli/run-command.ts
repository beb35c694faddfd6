/** `sepl-connector run`: the gateway as a long-running process (exits only on a signal or a fatal error). */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError, defineCommand } from '@x/http-core/cli';
import type { ProtocolPartsInput, SeplCommand } from '../command.js';
import { connectorFrom, connectorOptions, parseParts } from './shared.js';

type Handler = (command: SeplCommand) => ProtocolPartsInput | null | Promise<ProtocolPartsInput | null>;

async function loadHandler(path: string): Promise<Handler> {
  const url = pathToFileURL(isAbsolute(path) ? path : resolve(path)).href;
  const mod = (await import(url)) as { default?: unknown; handle?: unknown };
  const fn = typeof mod.default === 'function' ? mod.default : mod.handle;
  if (typeof fn !== 'function') throw new UsageError(`--handler ${path} must export a default function (command) => parts`);
  return fn as Handler;
}

export const runCommand = defineCommand({
  name: 'run',
  summary: 'Connect, register the devices, print each command as a JSON line and answer it.',
  description:
    'Runs until SIGINT/SIGTERM (exit 130/143) or refused credentials (exit 1). A lost connection is reconnected with backoff; ' +
    'lifecycle events go to stderr as JSON lines ({"ready":…}, {"reconnecting":…}, {"disconnected":…}).',
  options: {
    ...connectorOptions,
    handler: { type: 'string', valueName: './handler.mjs', description: 'module whose default export answers a command: (command) => parts' },
    reply: { type: 'string', valueName: 'json', description: 'fixed answer parts for every command, e.g. \'{"data":"ok"}\'' },
    'reconnect-delay': { type: 'duration', default: 30_000, min: 1, max: 2 ** 31 - 1, description: 'first wait before a reconnect; doubles while connections keep failing' },
    'max-reconnect-delay': { type: 'duration', default: 300_000, min: 1, max: 2 ** 31 - 1, description: 'longest wait between reconnects' },
  },
  examples: ['sepl-connector run --devices devices.json --reply \'{"data":"ok"}\''],
  async run({ options, env, stdout, stderr, signal }) {
    if (options.devices === undefined && options.store === undefined) throw new UsageError('run needs --devices devices.json (or --store file.json)');
    if (options.handler !== undefined && options.reply !== undefined) throw new UsageError('use either --handler or --reply');
    const fixed = options.reply === undefined ? null : parseParts(options.reply, '--reply');
    const handler: Handler = options.handler === undefined ? () => fixed : await loadHandler(options.handler);
    if (options['max-reconnect-delay'] < options['reconnect-delay']) throw new UsageError('--max-reconnect-delay must be at least --reconnect-delay');
    const reconnect = { initialDelayInMs: options['reconnect-delay'], maxDelayInMs: options['max-reconnect-delay'] };
    const connector = await connectorFrom(options, env, stderr, { reconnect });
    connector.on('error', (err) => stderr.json({ error: err.name, message: err.message }));
    connector.on('ready', (info) => stderr.json({ ready: true, protocol: info.protocol, gatewayId: info.gatewayId, resynced: info.resynced }));
    connector.on('disconnected', (e) => stderr.json({ disconnected: e.connection, reason: e.reason, code: e.code }));
    connector.on('reconnecting', (r) => stderr.json({ reconnecting: r.attempt, delayInMs: r.delayInMs }));
    const stop = (): void => void connector.close();
    signal.addEventListener('abort', stop, { once: true });
    try {
      const commands = connector.commands();
      await connector.start();
      for await (const command of commands) {
        stdout.json(command);
        try {
          await connector.respond(command, await handler(command));
        } catch (err) {
          stderr.json({ error: (err as Error).name, message: (err as Error).message, task_id: command.task_id });
        }
      }
      // the iterator ends on close(); a fatal error was thrown by it instead
      await connector.done;
    } catch (err) {
      if (!signal.aborted) throw err;
    } finally {
      signal.removeEventListener('abort', stop);
      await connector.close();
    }
  },
});
