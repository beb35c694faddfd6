// The README's examples, executed: the quick start runs as written against the simulator, and the
// condition examples compile to what their comments say.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as pkg from './index.js';
import * as testing from './testing/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');

/** Runs a README block as an async function body: its imports become parameters. */
function runnable(code: string, extra: Record<string, unknown>): () => Promise<unknown> {
  const names = new Set<string>();
  const body = code.replace(/^import \{([^}]*)\} from '@x\/devicecloud-monitor(?:\/testing)?';\n/gm, (_, list: string) => {
    for (const n of list.split(',')) names.add(n.trim().replace(/^.* as /, ''));
    return '';
  });
  const scope: Record<string, unknown> = { ...pkg, ...testing, M: pkg.MonitorFields, ...extra };
  const params = [...names, ...Object.keys(extra)];
  const AsyncFunction = Object.getPrototypeOf(async function () {
    await Promise.resolve();
  }).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<unknown>;
  const fn = new AsyncFunction(...params, body);
  return () => fn(...params.map((p) => scope[p]));
}

describe('README', () => {
  it('the quick start runs against the simulator and prints the pushed DataPoint', async () => {
    const quickStart = blocks.find((b) => b.includes('DeviceCloudSimulator.start()'));
    expect(quickStart).toBeDefined();
    const logged: string[] = [];
    const warned: string[] = [];
    const consoleStub = { log: (...a: unknown[]) => logged.push(a.join(' ')), warn: (...a: unknown[]) => warned.push(a.join(' ')) };
    await runnable(quickStart!, { console: consoleStub })();
    expect(logged).toEqual(['dev1/temperature 21.5 false']);
    expect(warned).toEqual([]);
  });

  it('the condition examples compile to what their comments say', async () => {
    const conditions = blocks.find((b) => b.includes('MonitorFields as M'));
    expect(conditions).toBeDefined();
    const lines = conditions!.split('\n');
    const checks: Array<{ expr: string; expected: string }> = [];
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const inline = /^(.*\.compile\(\));\s*\/\/ → (.*)$/.exec(line);
      const next = /^\/\/ → (.*)$/.exec(lines[i + 1] ?? '');
      if (inline) checks.push({ expr: inline[1]!, expected: inline[2]! });
      else if (/\.compile\(\);$/.test(line) && next) checks.push({ expr: line.replace(/;$/, ''), expected: next[1]! });
    }
    expect(checks).toHaveLength(2);
    const header = lines.filter((l) => l.startsWith('import ')).join('\n');
    for (const { expr, expected } of checks) {
      expect(await runnable(`${header}\nreturn ${expr};`, {})()).toBe(expected);
    }
  });

  it('the catch-up example reads the history from the last handled time and stores each event once', async () => {
    const catchUp = blocks.find((b) => b.includes('client.monitorHistory('));
    expect(catchUp).toBeDefined();
    const sim = await testing.DeviceCloudSimulator.start({ pushPort: false, tlsPort: false });
    const client = new pkg.DeviceCloudClient({ baseUrl: sim.url, username: sim.username, password: sim.password });
    try {
      const monitorId = await client.createPollingMonitor(['DataPoint']);
      for (const data of [1, 2, 3]) sim.publishDataPoint({ streamId: 'dev/catch-up', data });
      const stored: unknown[] = [];
      const store = async (event: pkg.MonitorEvent) => {
        await Promise.resolve();
        stored.push(event.type === 'DataPoint' ? event.payload.data : event.type);
      };
      await runnable(catchUp!, { client, monitorId, lastHandledAt: new Date(0), store })();
      expect(stored).toEqual([1, 2, 3]);
    } finally {
      await client.close();
      await sim.close();
    }
  });
});
