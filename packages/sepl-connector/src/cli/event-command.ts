/** `sepl-connector event`: connect once, send one reading, leave. */
import { defineCommand } from '@x/http-core/cli';
import { connectorFrom, connectorOptions, parseParts } from './shared.js';

export const eventCommand = defineCommand({
  name: 'event',
  summary: 'Send one event (a reading of a device service).',
  description: 'A one-shot command: the first failed connection attempt ends it (exit 1) instead of retrying.',
  args: [
    { name: 'device', description: 'device id (as registered)' },
    { name: 'service', description: 'service URI' },
    { name: 'parts', description: 'JSON protocol parts: {"data":"42"} or [{"name":"data","value":"42"}]' },
  ],
  options: connectorOptions,
  examples: ['sepl-connector event lamp-1 power \'{"data":"42"}\' --devices devices.json'],
  async run({ args, options, env, stdout, stderr, signal }) {
    const parts = parseParts(args.parts, '<parts>') ?? [];
    const connector = await connectorFrom(options, env, stderr);
    const failed = new Promise<never>((_, reject) => {
      connector.once('reconnecting', (r) => reject(r.error ?? new Error('connection failed')));
      // a failed lookup is retried inside the connect step and reported here
      connector.once('error', reject);
    });
    failed.catch(() => undefined);
    try {
      await Promise.race([connector.start({ signal }), failed]);
      await connector.event(args.device, args.service, parts, { signal });
      stdout.json({ sent: true, device: args.device, service: args.service });
    } finally {
      await connector.close();
    }
  },
});
