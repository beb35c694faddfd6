/** `create`, `list` and `delete`: the /ws/Monitor REST API from the command line. */
import { UsageError, defineCommand } from '@x/http-core/cli';
import { clientFromEnv } from './client-from-env.js';
import { MONITOR_FLAGS, monitorOptionsOf, topicsOf } from './monitor-flags.js';

export const createCommand = defineCommand({
  name: 'create',
  summary: 'Create a TCP, HTTP or polling monitor; prints {"id": N}.',
  options: {
    ...MONITOR_FLAGS,
    transport: { type: 'string', description: 'monitor transport', choices: ['tcp', 'http', 'polling'], default: 'tcp' },
    url: { type: 'string', description: 'HTTP monitors: the delivery URL' },
    token: { type: 'string', description: 'HTTP monitors: transport token user:pass', secret: true },
    method: { type: 'string', description: 'HTTP monitors: delivery method', choices: ['PUT', 'POST'] },
    ack: { type: 'string', description: 'TCP monitors: acknowledgements', choices: ['off', 'explicit'] },
    replay: { type: 'boolean', description: 'replay missed events on connect' },
    description: { type: 'string', description: 'monitor description' },
  },
  examples: ['devicecloud-monitor create --topics DataPoint --compression zlib --ack explicit --replay'],
  async run({ options, env, stdout, signal }) {
    const topics = topicsOf(options.topics);
    const shared = {
      ...monitorOptionsOf(options),
      ...(options.replay ? { autoReplayOnConnect: true } : {}),
      ...(options.description !== undefined ? { description: options.description } : {}),
    };
    const client = clientFromEnv(env);
    try {
      let id: number;
      if (options.transport === 'http') {
        if (!options.url) throw new UsageError('--url is required for --transport http');
        id = await client.createHttpMonitor(topics, options.url, {
          ...shared,
          ...(options.token !== undefined ? { transportToken: options.token } : {}),
          ...(options.method !== undefined ? { method: options.method as 'PUT' | 'POST' } : {}),
        }, { signal });
      } else if (options.transport === 'polling') {
        id = await client.createPollingMonitor(topics, { ...(options.format !== undefined ? { format: options.format as 'json' | 'xml' } : {}), ...(options.description !== undefined ? { description: options.description } : {}) }, { signal });
      } else {
        id = await client.createTcpMonitor(topics, { ...shared, ...(options.ack !== undefined ? { ackOption: options.ack as 'off' | 'explicit' } : {}) }, { signal });
      }
      stdout.json({ id });
    } finally {
      await client.close();
    }
  },
});

export const listCommand = defineCommand({
  name: 'list',
  summary: 'List monitors as JSON lines.',
  options: { condition: { type: 'string', description: "monitor condition, e.g. \"monTransportType='tcp'\"" } },
  async run({ options, env, stdout, signal }) {
    const client = clientFromEnv(env);
    try {
      for await (const m of client.listMonitors(options.condition, { signal })) {
        const { raw: _raw, ...typed } = m;
        stdout.json(typed);
      }
    } finally {
      await client.close();
    }
  },
});

export const deleteCommand = defineCommand({
  name: 'delete',
  summary: 'Delete a monitor; prints {"deleted": N}.',
  args: [{ name: 'monitor-id', description: 'the monitor id' }],
  async run({ args, env, stdout, signal }) {
    const text = args['monitor-id'];
    if (!/^\d+$/.test(text)) throw new UsageError(`<monitor-id> must be a non-negative integer, got "${text}"`);
    const id = Number(text);
    const client = clientFromEnv(env);
    try {
      await client.deleteMonitor(id, { signal });
      stdout.json({ deleted: id });
    } finally {
      await client.close();
    }
  },
});
