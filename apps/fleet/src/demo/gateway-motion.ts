// How the demo's Device Cloud gateways' sensors behave, so their charts draw lines: temperature and
// humidity drift around each site's own level (a mean-reverting walk with a slow daily swing),
// the signal strength wanders, and the pump station meters the energy its pump uses (kWh, rising
// while the pump runs, which it does in cycles).

type Random = () => number;

/** One DataPoint to publish: stream (after `<deviceId>/`), value, unit. */
export interface SensorValue {
  readonly stream: string;
  readonly value: number;
  readonly unit: string;
}

/** A gateway's sensors: where they settle, where they are now. */
export interface GatewaySensors {
  /** Level the temperature returns to (°C) and the humidity (%). */
  readonly baseC: number;
  readonly baseHumidity: number;
  temperature: number;
  humidity: number;
  rssi: number;
  /** kWh meter of a pump, or undefined for a gateway without one. */
  energyKwh: number | undefined;
  pumpOn: boolean;
}

const PUMP_KW = 7.5;
const DAY_MS = 86_400_000;

export function newGatewaySensors(baseC: number, baseHumidity: number, meter: boolean, random: Random): GatewaySensors {
  return {
    baseC,
    baseHumidity,
    temperature: baseC + (random() - 0.5) * 2,
    humidity: baseHumidity + (random() - 0.5) * 6,
    rssi: -55 - random() * 15,
    energyKwh: meter ? 18_000 + Math.round(random() * 2000) : undefined,
    pumpOn: false,
  };
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

/** Moves one gateway's sensors on by `dtMs` at `now`; returns what it reports. */
export function stepGateway(g: GatewaySensors, now: number, dtMs: number, random: Random): SensorValue[] {
  // A swing of ±1.5 °C over the day, the walk pulled back to it at 5% per step.
  const daily = 1.5 * Math.sin((2 * Math.PI * (now % DAY_MS)) / DAY_MS);
  g.temperature += 0.05 * (g.baseC + daily - g.temperature) + (random() - 0.5) * 0.4;
  g.humidity = Math.min(100, Math.max(0, g.humidity + 0.05 * (g.baseHumidity - daily * 2 - g.humidity) + (random() - 0.5) * 1.2));
  g.rssi = Math.min(-35, Math.max(-95, g.rssi + 0.1 * (-62 - g.rssi) + (random() - 0.5) * 4));
  const values: SensorValue[] = [
    { stream: 'temperature', value: round1(g.temperature), unit: 'C' },
    { stream: 'humidity', value: round1(g.humidity), unit: '%' },
    { stream: 'rssi', value: Math.round(g.rssi), unit: 'dBm' },
  ];
  if (g.energyKwh !== undefined) {
    // The pump switches now and then (about every few minutes at a 2 s step).
    if (random() < 0.03) g.pumpOn = !g.pumpOn;
    if (g.pumpOn) g.energyKwh += (PUMP_KW * (0.9 + random() * 0.2) * dtMs) / 3_600_000;
    values.push({ stream: 'energy', value: Math.round(g.energyKwh * 100) / 100, unit: 'kWh' });
  }
  return values;
}
