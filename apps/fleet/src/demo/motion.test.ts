import { VALUE_GUID } from '@x/comap';
import { Fleet } from '@x/comap/testing';
import { seededRandom } from '@x/http-core/testing';
import { describe, expect, it } from 'vitest';
import { newWasherCycle, stepRoom, stepWasher } from './appliance-motion.js';
import { newGatewaySensors, stepGateway } from './gateway-motion.js';
import { newGensetMotion, stepGenset } from './genset-motion.js';

const T0 = Date.UTC(2026, 11, 5, 6);
const POWER = VALUE_GUID.actual_power.toLowerCase();
const ENERGY = VALUE_GUID.import_kWh.toLowerCase();

function unit(mode: string) {
  const fleet = new Fleet({ units: 1, seed: 7, now: T0, loginId: 'demo', historyDays: 1, fileRows: 1 });
  const u = fleet.units[0];
  if (!u) throw new Error('no unit');
  Object.assign(u.state, { mode, running: false, gcbClosed: false, fuelLevel: 80 });
  return u;
}

describe('demo gensets', () => {
  it('in AUT mode start, warm up, take a wandering load, and stop again; fuel, hours and kWh follow', () => {
    const u = unit('AUT');
    const random = seededRandom(1);
    const motion = newGensetMotion(u, T0, random);
    const starts = u.state.starts;
    const hours = u.state.runHours;
    const power: number[] = [];
    const energy: number[] = [];
    const phases = new Set<string>();
    for (let t = 0; t < 30 * 60; t++) {
      stepGenset(u, motion, T0 + t * 1000, 1000, random);
      power.push(Number(u.state.setpoints.get(POWER)));
      energy.push(Number(u.state.setpoints.get(ENERGY)));
      phases.add(`${u.state.running}/${u.state.gcbClosed}`);
    }
    // Ready, running unloaded (warm-up and cool-down), loaded.
    expect([...phases].sort()).toEqual(['false/false', 'true/false', 'true/true']);
    expect(u.state.starts).toBeGreaterThan(starts);
    expect(motion.runHours).toBeGreaterThan(hours);
    const loaded = power.filter((p) => p > 0);
    expect(Math.min(...loaded)).toBeGreaterThanOrEqual(Math.round(u.nominalKw * 0.25));
    expect(Math.max(...loaded)).toBeLessThanOrEqual(Math.round(u.nominalKw * 0.95));
    // The load wanders: many different values, not one.
    expect(new Set(loaded).size).toBeGreaterThan(10);
    expect(energy.every((e, i) => i === 0 || e >= (energy[i - 1] ?? 0))).toBe(true);
    expect(energy.at(-1)).toBeGreaterThan(energy[0] ?? 0);
    expect(u.state.fuelLevel).toBeLessThan(80);
    // Reported whole, like the controller does.
    expect(Number.isInteger(u.state.fuelLevel) && Number.isInteger(u.state.runHours)).toBe(true);
    expect(u.state.runHours).toBe(Math.floor(motion.runHours));
  });

  it('in MAN mode only follow commands: a stopped genset stays stopped, a started one takes load only with its breaker closed', () => {
    const u = unit('MAN');
    const random = seededRandom(2);
    const motion = newGensetMotion(u, T0, random);
    for (let t = 0; t < 600; t++) stepGenset(u, motion, T0 + t * 1000, 1000, random);
    expect(u.state.running).toBe(false);
    expect(u.state.setpoints.get(POWER)).toBe(0);
    u.state.running = true;
    stepGenset(u, motion, T0 + 601_000, 1000, random);
    expect(u.state.setpoints.get(POWER)).toBe(0);
    u.state.gcbClosed = true;
    stepGenset(u, motion, T0 + 602_000, 1000, random);
    expect(u.state.setpoints.get(POWER)).toBeGreaterThan(0);
  });
});

describe('demo gateways', () => {
  it('drift around their own level, and the pump station meters rising energy', () => {
    const random = seededRandom(3);
    const cold = newGatewaySensors(3, 85, false, random);
    const pump = newGatewaySensors(24, 60, true, random);
    const temperatures: number[] = [];
    const energy: number[] = [];
    for (let t = 0; t < 2000; t++) {
      const now = T0 + t * 2000;
      const c = stepGateway(cold, now, 2000, random);
      expect(c.map((v) => v.stream)).toEqual(['temperature', 'humidity', 'rssi']);
      temperatures.push(c[0]?.value ?? NaN);
      const p = stepGateway(pump, now, 2000, random);
      expect(p.map((v) => [v.stream, v.unit])).toEqual([['temperature', 'C'], ['humidity', '%'], ['rssi', 'dBm'], ['energy', 'kWh']]);
      energy.push(p[3]?.value ?? NaN);
    }
    expect(Math.min(...temperatures)).toBeGreaterThan(-1);
    expect(Math.max(...temperatures)).toBeLessThan(7);
    expect(new Set(temperatures).size).toBeGreaterThan(20);
    // Neighbouring values are close: a line, not noise.
    expect(Math.max(...temperatures.slice(1).map((v, i) => Math.abs(v - (temperatures[i] ?? v))))).toBeLessThan(1);
    expect(energy.every((e, i) => i === 0 || e >= (energy[i - 1] ?? 0))).toBe(true);
    expect((energy.at(-1) ?? 0) - (energy[0] ?? 0)).toBeGreaterThan(1);
  });
});

describe('demo appliances', () => {
  it('washers run their programme in order, the minutes left counting down', () => {
    const cycle = { phase: 0, left: 1 };
    const seen: Array<{ state: string; minutes: number }> = [];
    for (let i = 0; i < 67; i++) {
      const s = stepWasher(cycle);
      seen.push({ state: s.state, minutes: s.remainHour * 60 + s.remainMinute });
    }
    const order = seen.map((s) => s.state).filter((s, i, all) => s !== all[i - 1]);
    expect(order).toEqual(['RUNNING', 'RINSING', 'SPINNING', 'END', 'INITIAL']);
    const running = seen.filter((s) => s.state === 'RUNNING' || s.state === 'RINSING' || s.state === 'SPINNING').map((s) => s.minutes);
    expect(running[0]).toBe(55);
    expect(running.every((m, i) => i === 0 || m === (running[i - 1] ?? 0) - 1)).toBe(true);
    expect(seen.at(-1)).toEqual({ state: 'INITIAL', minutes: 0 });
    const random = seededRandom(4);
    const start = newWasherCycle(random);
    expect(start.left).toBeGreaterThan(0);
  });

  it('a room cools towards the target while the AC runs, and warms back when it is off', () => {
    const random = seededRandom(5);
    const room = { ambientC: 28, temperature: 28 };
    let t = 0;
    for (let i = 0; i < 100; i++) t = stepRoom(room, true, 22, random);
    expect(t).toBeGreaterThan(21);
    expect(t).toBeLessThan(23);
    for (let i = 0; i < 100; i++) t = stepRoom(room, false, 22, random);
    expect(t).toBeGreaterThan(27);
    expect(t).toBeLessThan(29);
  });
});
