/**
 * `inventory [monitor-id]`: the v1 monitor inventory (GET /ws/v1/monitors/inventory[/{id}]) as JSON
 * lines. Its field names are unconfirmed by Digi's pages (README), so `--raw` prints each item as
 * the server sent it.
 */
import { UsageError, defineCommand } from '@x/http-core/cli';
import type { MonitorInventoryItem } from '../monitor-inventory.js';
import { clientFromEnv } from './client-from-env.js';

const shown = (item: MonitorInventoryItem, raw: boolean): unknown => {
  if (raw) return item.raw;
  const { raw: _raw, ...typed } = item;
  return typed;
};

export const inventoryCommand = defineCommand({
  name: 'inventory',
  summary: 'List monitors from the v1 inventory as JSON lines (or one monitor by id).',
  description:
    'Reads /ws/v1/monitors/inventory page by page (following cursor), filtered by a v1 --query, or /ws/v1/monitors/inventory/{id} for one monitor ' +
    '(exit 1 with "not found" when it does not exist). Prints the typed fields, or with --raw each item as the server sent it.',
  args: [{ name: 'monitor-id', required: false, description: 'one monitor instead of the list' }],
  options: {
    query: { type: 'string', description: "v1 query, e.g. \"type='tcp' and description like 'plant%'\"" },
    'page-size': { type: 'integer', min: 1, max: 1000, default: 1000, description: 'monitors per request' },
    raw: { type: 'boolean', default: false, description: 'print each item exactly as the server sent it' },
  },
  examples: ['devicecloud-monitor inventory', "devicecloud-monitor inventory --query \"type='http'\"", 'devicecloud-monitor inventory 178000 --raw'],
  async run({ args, options, env, stdout, signal }) {
    const text = args['monitor-id'];
    if (text !== undefined && !/^\d+$/.test(text)) throw new UsageError(`<monitor-id> must be a non-negative integer, got "${text}"`);
    if (text !== undefined && options.query !== undefined) throw new UsageError('--query lists monitors: it cannot be combined with <monitor-id>');
    const client = clientFromEnv(env);
    try {
      if (text !== undefined) {
        const item = await client.getMonitorInventory(Number(text), { signal });
        if (item === undefined) throw new Error(`monitor ${text} not found`);
        stdout.json(shown(item, options.raw));
        return;
      }
      const query = { pageSize: options['page-size'], ...(options.query !== undefined ? { query: options.query } : {}) };
      for await (const item of client.listMonitorInventory(query, { signal })) stdout.json(shown(item, options.raw));
    } finally {
      await client.close();
    }
  },
});
