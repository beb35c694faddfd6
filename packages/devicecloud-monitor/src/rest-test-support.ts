// The REST tests' shared set-up: a simulator (without push listeners unless asked) and a client of
// it with retries off, so a test sees each answer as the server gave it; and reading a listing whole.
import { vi } from 'vitest';
import { DeviceCloudClient } from './client.js';
import { DeviceCloudSimulator, type SimulatorOptions } from './testing/index.js';

export interface RestFixture {
  sim: DeviceCloudSimulator;
  client: DeviceCloudClient;
}

/** Starts a simulator (10 ms simulated seconds, no push ports unless `options` say) and a client of it. */
export async function startRestFixture(options: SimulatorOptions = {}): Promise<RestFixture> {
  const sim = await DeviceCloudSimulator.start({ secondInMs: 10, pushPort: false, tlsPort: false, ...options });
  const client = new DeviceCloudClient({ baseUrl: sim.url, username: sim.username, password: sim.password, retry: false });
  return { sim, client };
}

/** As startRestFixture, with `Date` faked and set to `epochMs` (the other timers stay real). */
export function startRestFixtureAt(epochMs: number, options: SimulatorOptions = {}): Promise<RestFixture> {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(epochMs);
  return startRestFixture(options);
}

/** Closes the client, then the simulator; `Date` is real again (after startRestFixtureAt). */
export async function closeRestFixture(fixture: RestFixture): Promise<void> {
  await fixture.client.close();
  await fixture.sim.close();
  vi.useRealTimers();
}

/** Every item of an async listing, in order. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
