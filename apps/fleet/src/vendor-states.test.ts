// Staleness per vendor: a connected vendor with devices whose readings stopped arriving for longer
// than its limit shows as degraded with the reason, published once, and recovers with the next
// reading. A fake clock, no timers.
import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.js';
import { EventBus } from './events.js';
import type { VendorStatus } from './model.js';
import { DEFAULT_STALE_AFTER, staleCheckInterval, staleLimits } from './staleness.js';
import { VendorStates } from './vendor-states.js';

const T0 = Date.UTC(2026, 0, 1);

function setup(staleAfter = { comap: 60_000, devicecloud: 0 }) {
  let now = T0;
  const bus = new EventBus();
  const published: VendorStatus[] = [];
  bus.on('vendor', (s) => published.push(s));
  const states = new VendorStates(bus, T0, (t) => t, { staleAfter, now: () => now });
  const clock = { advance: (ms: number) => (now += ms) };
  const enable = (vendor: 'comap' | 'devicecloud' | 'thinq') => {
    const entry = states.entry(vendor, () => now);
    states.enable(vendor, entry);
    entry.tracker.ok();
    states.setDevices(vendor, 2);
    return entry;
  };
  return { states, published, clock, enable };
}

describe('vendor staleness', () => {
  it('shows a connected vendor as degraded once its readings stopped for longer than its limit, and recovers with the next reading', () => {
    const { states, published, clock, enable } = setup();
    enable('comap');
    clock.advance(59_999);
    states.checkStaleness();
    expect(states.status('comap').state).toBe('connected');
    const before = published.length;
    clock.advance(1);
    states.checkStaleness();
    states.checkStaleness();
    expect(states.status('comap')).toMatchObject({
      state: 'degraded',
      reason: `no readings for 1 min (since ${new Date(T0).toISOString()}) although connected: the vendor stopped sending`,
      since: new Date(T0 + 60_000).toISOString(),
      devices: 2,
    });
    // Published once, when it turned stale.
    expect(published.slice(before).map((s) => [s.vendor, s.state])).toEqual([['comap', 'degraded']]);
    clock.advance(5 * 60_000);
    expect(states.status('comap').reason).toMatch(/^no readings for 6 min /);
    states.touch('comap');
    expect(states.status('comap')).toMatchObject({ state: 'connected', reason: null });
    expect(published.at(-1)).toMatchObject({ vendor: 'comap', state: 'connected' });
  });

  it('never marks stale: a vendor without a limit, without devices, or already failing (its own reason stays)', () => {
    const { states, clock, enable } = setup();
    enable('devicecloud');
    const comap = enable('comap');
    states.setDevices('comap', 0);
    clock.advance(10 * 60_000);
    states.checkStaleness();
    expect([states.status('devicecloud').state, states.status('comap').state]).toEqual(['connected', 'connected']);
    states.setDevices('comap', 1);
    comap.tracker.set('degraded', 'HTTP 503 (retrying in 4 s)');
    expect(states.status('comap')).toMatchObject({ state: 'degraded', reason: 'HTTP 503 (retrying in 4 s)' });
    expect(states.status('thinq').state).toBe('disabled');
    states.touch('thinq');
  });

  it('reads staleAfterInMs per vendor over the defaults, and checks at a quarter of the shortest limit', () => {
    expect(staleLimits(parseConfig({ staleAfterInMs: { devicecloud: 120_000, thinq: 0 } }).staleAfterInMs)).toEqual({ ...DEFAULT_STALE_AFTER, devicecloud: 120_000, thinq: 0 });
    expect(parseConfig({}).staleAfterInMs).toBeUndefined();
    expect(() => parseConfig({ staleAfterInMs: { comap: -1, sepl: 5 } })).toThrow(
      'invalid configuration (fleet.config.json):\n' +
        '  - staleAfterInMs.sepl: unknown setting (known: comap, devicecloud, thinq)\n' +
        '  - staleAfterInMs.comap: expected an integer from 0 to 604800000, got -1',
    );
    expect([staleCheckInterval({ comap: 60_000 }), staleCheckInterval({ comap: 100 }), staleCheckInterval({ thinq: 0 }), staleCheckInterval(DEFAULT_STALE_AFTER)]).toEqual([15_000, 1000, 60_000, 60_000]);
  });
});
