// The SEPL demo runs G2 by default and G3 (today's SENERGY) when selected: its configuration
// passes the sepl section's validation and starts a SeplConnector against the G3 simulator, whose
// commands the demo sends and whose outage and credential faults it injects and clears.
import { SeplConnector, type SeplCommand } from '@x/sepl-connector';
import type { SeplG3Simulator } from '@x/sepl-connector/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../config.js';
import { seplDemoProtocol, startSeplDemo } from './sepl.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

describe('SEPL demo', () => {
  it('G2 unless FLEET_DEMO_SEPL_PROTOCOL (or the option) says g3', () => {
    expect(seplDemoProtocol(undefined)).toBe('g2');
    expect(seplDemoProtocol('')).toBe('g2');
    expect(seplDemoProtocol('g3')).toBe('g3');
    expect(() => seplDemoProtocol('G3')).toThrow(new RangeError('FLEET_DEMO_SEPL_PROTOCOL must be g2 or g3, got "G3"'));
  });

  it('G3: a valid sepl section; a connector answers the demo command; outage and unauthorised faults come and go', async () => {
    const { config, demo } = await startSeplDemo({ protocol: 'g3' });
    cleanup.push(() => demo.stop());
    const sim = demo.simulator as SeplG3Simulator;
    expect(parseConfig({ sepl: config }).sepl).toEqual({ ...config, url: undefined, lookupUrl: undefined });
    const connector = new SeplConnector({ protocol: 'g3', g3: config.g3, user: config.user, password: config.password, reconnect: { initialDelayInMs: 10, maxDelayInMs: 50 } });
    cleanup.push(() => connector.close());
    await connector.add({ id: 'genset-1', name: 'Genset 1', type: 'iot#fleet-genset' });
    const ready = new Promise((resolve) => connector.once('ready', resolve));
    await connector.start();
    await ready;
    connector.on('command', (command: SeplCommand) => void connector.respond(command, { metadata: '', data: JSON.stringify({ ok: true, service: command.service_url }) }));
    await expect(demo.command('genset-1', 'start', { mode: 'auto' })).resolves.toEqual({ ok: true, service: 'start' });

    await demo.fault('outage');
    expect(sim.broker.down).toBe(true);
    await demo.fault('none');
    expect(sim.broker.down).toBe(false);
    await expect.poll(() => connector.state).toBe('ready');

    connector.on('error', () => undefined);
    await demo.fault('unauthorised');
    await expect(connector.done).rejects.toMatchObject({ name: 'SeplAuthError' });
    await demo.fault('none');
    expect(sim.rest.rejectCredentials).toBe(false);
  });
});
