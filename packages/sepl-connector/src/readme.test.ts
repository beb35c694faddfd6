import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { SeplConnector } from './index.js';
import { startSeplSimulator } from './testing/index.js';

// The README's example, verbatim apart from the assertions.
it('runs the README example', async () => {
  const logs: unknown[][] = [];
  const console = { log: (...args: unknown[]) => logs.push(args), error: (...args: unknown[]) => logs.push(['error', ...args]) };

  const sim = await startSeplSimulator({ users: { alice: 'secret' } });
  const connector = new SeplConnector({ url: sim.websocketUrl, user: 'alice', password: 'secret' });
  connector.on('error', (err) => console.error(err.message));

  await connector.start(); // handshake + device sync; rejects on bad credentials
  await connector.add({ id: 'lamp-1', type: 'iot#d66ec9bc-e37f-4f35-a788-027301aad6c2', name: 'Lamp', tags: { room: 'hall' } });
  await connector.event('lamp-1', 'power', { metadata: '', data: '42' });

  // the simulator plays the platform: send a command to the device, the connector answers it
  const answered = sim.sendCommand('lamp-1', 'on', { data: '{"on":true}' });
  for await (const command of connector.commands()) {
    console.log(command.device_url, command.service_url, command.protocol_parts);
    await connector.respond(command, { metadata: '', data: '{"status":"ok"}' });
    break;
  }
  console.log((await answered).protocol_parts);
  await connector.close();
  await sim.close();

  expect(logs).toEqual([
    ['lamp-1', 'on', [{ name: 'data', value: '{"on":true}' }]],
    [
      [
        { name: 'metadata', value: '' },
        { name: 'data', value: '{"status":"ok"}' },
      ],
    ],
  ]);
});

it('keeps this test in step with the README example', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const block = /## Example[^\n]*\n+```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block).toBeDefined();
  const source = readFileSync(new URL('./readme.test.ts', import.meta.url), 'utf8');
  const lines = block!
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('import '));
  expect(lines.length).toBeGreaterThan(10);
  let from = 0;
  for (const line of lines) {
    const at = source.indexOf(line, from);
    expect(at, `README line missing from the test (or out of order): ${line}`).toBeGreaterThan(-1);
    from = at + line.length;
  }
});
