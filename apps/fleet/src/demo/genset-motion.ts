// How the demo's gensets behave, so their charts draw lines: a genset in AUT mode starts now and
// then, warms up, closes its breaker and takes a load that wanders, runs a few minutes, opens the
// breaker, cools down and stops; fuel goes down while it runs (and is refilled when low), run hours
// and the kWh counter go up with the load. MAN and OFF gensets only follow commands.
import { VALUE_GUID } from '@x/comap';
import type { SimUnit } from '@x/comap/testing';

type Random = () => number;

/** What the motion remembers of one genset between steps. */
export interface GensetMotion {
  /** When the genset in AUT mode next starts, opens its breaker or stops (simulator ms). */
  nextAt: number;
  /** Share of nominal power it carries while loaded (0..1). */
  load: number;
  /** kWh produced (the `import_kWh` counter). */
  energyKwh: number;
  /** Fuel (%) and run hours, exact; the genset reports them whole, like its controller. */
  fuel: number;
  runHours: number;
}

const WARM_UP_MS = 10_000;
const COOL_DOWN_MS = 15_000;
const GUID = {
  power: VALUE_GUID.actual_power.toLowerCase(),
  energy: VALUE_GUID.import_kWh.toLowerCase(),
};

const between = (random: Random, min: number, max: number): number => min + random() * (max - min);

/** The motion of a genset as the simulator seeded it (its kWh counter continues from the simulator's). */
export function newGensetMotion(unit: SimUnit, now: number, random: Random): GensetMotion {
  return {
    nextAt: now + between(random, 5_000, 40_000),
    load: between(random, 0.4, 0.8),
    energyKwh: 125_000 + unit.index * 311 + Math.round(unit.state.runHours * 40),
    fuel: unit.state.fuelLevel,
    runHours: unit.state.runHours,
  };
}

/** In AUT mode: start, close the breaker after warming up, open it after a run, stop after cooling down. */
function autoCycle(unit: SimUnit, motion: GensetMotion, now: number, random: Random): void {
  const s = unit.state;
  if (s.mode !== 'AUT' || now < motion.nextAt) return;
  if (!s.running) {
    s.running = true;
    s.gcbClosed = false;
    s.starts += 1;
    motion.nextAt = now + WARM_UP_MS;
  } else if (!s.gcbClosed && motion.load > 0) {
    s.gcbClosed = true;
    motion.load = between(random, 0.4, 0.8);
    motion.nextAt = now + between(random, 120_000, 300_000);
  } else if (s.gcbClosed) {
    s.gcbClosed = false;
    motion.load = 0;
    motion.nextAt = now + COOL_DOWN_MS;
  } else {
    s.running = false;
    motion.load = between(random, 0.4, 0.8);
    motion.nextAt = now + between(random, 60_000, 180_000);
  }
}

/**
 * One step of `dtMs`: the AUT cycle, then the load wanders (a mean-reverting walk between 25% and
 * 95% of nominal power), and fuel, run hours and energy follow. Writes the genset's power and kWh
 * as setpoints of the simulator (they override its fixed formulas).
 */
export function stepGenset(unit: SimUnit, motion: GensetMotion, now: number, dtMs: number, random: Random): void {
  autoCycle(unit, motion, now, random);
  const s = unit.state;
  const hours = dtMs / 3_600_000;
  if (s.running && s.gcbClosed) {
    const target = 0.6;
    motion.load = Math.min(0.95, Math.max(0.25, motion.load + 0.1 * (target - motion.load) + between(random, -0.04, 0.04)));
    const kw = Math.round(unit.nominalKw * motion.load);
    s.setpoints.set(GUID.power, kw);
    motion.energyKwh += kw * hours;
    motion.fuel = Math.max(0, motion.fuel - motion.load * hours * 150);
  } else {
    s.setpoints.set(GUID.power, 0);
  }
  if (s.running) motion.runHours += hours;
  // The fuel truck comes when the tank is low.
  if (motion.fuel < 15) motion.fuel = 100;
  // Whole numbers, as the controller reports them (and a reading only when one changes).
  s.fuelLevel = Math.round(motion.fuel);
  s.runHours = Math.floor(motion.runHours);
  s.setpoints.set(GUID.energy, Math.round(motion.energyKwh));
}
