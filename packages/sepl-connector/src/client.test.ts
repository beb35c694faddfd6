// The connector's runtime contract in-process: CallOptions on its methods, close() from inside a
// command listener, done/asyncDispose, the session's events, a namespaced logger.
import { errorCategory, type Logger } from '@x/http-core';
import { afterEach, describe, expect, it } from 'vitest';
import { SeplConnector } from './client.js';
import { MemoryDeviceStore } from './memory-store.js';
import { startSeplSimulator } from './testing/simulator.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup(logger?: Logger) {
  const sim = await startSeplSimulator({ users: { alice: 'secret' } });
  cleanup.push(() => sim.close());
  const connector = new SeplConnector({
    url: sim.websocketUrl,
    user: 'alice',
    password: 'secret',
    store: new MemoryDeviceStore([{ id: 'lamp', type: 'iot#t', name: 'Lamp' }]),
    reconnect: { initialDelayInMs: 10, maxDelayInMs: 50 },
    ...(logger ? { logger } : {}),
  });
  cleanup.push(() => connector.close());
  return { sim, connector };
}

describe('SeplConnector on the session base', () => {
  it('emits connecting, connected, ready in order and namespaces its log lines', async () => {
    const lines: string[] = [];
    const fields: unknown[] = [];
    const logger: Logger = {
      debug: () => undefined,
      info: (m, f) => (lines.push(m), fields.push(f)),
      warn: (m) => lines.push(m),
      error: (m) => lines.push(m),
    };
    const { connector } = await setup(logger);
    const events: string[] = [];
    for (const name of ['connecting', 'connected', 'ready'] as const) connector.on(name, () => events.push(name));
    await connector.start();
    expect(events).toEqual(['connecting', 'connected', 'ready']);
    expect(connector.state).toBe('ready');
    expect(lines).toContain('ready');
    expect(fields.filter((f) => (f as { namespace?: string } | undefined)?.namespace?.startsWith('sepl-connector') === true).length).toBe(fields.length);
  });

  it('close() from inside a command listener ends the connector at once; done resolves; closed carries no error', async () => {
    const { sim, connector } = await setup();
    await connector.start();
    const closed = new Promise<{ error: Error | undefined }>((resolve) => connector.once('closed', resolve));
    let closing: Promise<void> | undefined;
    connector.on('command', () => (closing = connector.close()));
    void sim.sendCommand('lamp', 'on', null).catch(() => undefined);
    expect(await closed).toEqual({ error: undefined });
    await closing;
    await expect(connector.done).resolves.toBeUndefined();
    expect(connector.state).toBe('closed');
  });

  it('every public method takes CallOptions: an aborted signal rejects, bad options are a RangeError naming them', async () => {
    const { connector } = await setup();
    await connector.start({ timeoutInMs: 5000 });
    const aborted = AbortSignal.abort(new Error('stop'));
    await expect(connector.event('lamp', 'power', { data: '1' }, { signal: aborted })).rejects.toThrow('stop');
    await expect(connector.event('lamp', 'power', { data: '1' }, { timeoutInMs: -1 })).rejects.toThrow('event() options.timeoutInMs');
    await expect(connector.delete('lamp', { deadlineInMs: 2 ** 31 })).rejects.toThrow(RangeError);
    await connector.update({ id: 'lamp', type: 'iot#t', name: 'Lamp 2' }, { timeoutInMs: 2000 });
    await connector.event('lamp', 'power', { data: '2' }, { timeoutInMs: 2000 });
  });

  it('await using closes it; a refused password is an auth error on done', async () => {
    const { sim } = await setup();
    {
      await using connector = new SeplConnector({ url: sim.websocketUrl, user: 'alice', password: 'nope' });
      const error = await connector.start().catch((err: unknown) => err);
      expect(errorCategory(error)).toBe('auth');
      await expect(connector.done).rejects.toBe(error);
    }
  });

  it('rejects options a timer cannot hold, naming them', () => {
    expect(() => new SeplConnector({ url: 'ws://x/', user: 'u', password: 'p', stableAfterInMs: 2 ** 31 })).toThrow('options.stableAfterInMs');
    expect(() => new SeplConnector({ url: 'ws://x/', user: 'u', password: 'p', deadlineInMs: -5 })).toThrow(RangeError);
  });
});
