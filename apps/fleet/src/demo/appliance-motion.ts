// How the demo's ThinQ appliances behave, so their charts draw lines: washers run cycles (standby,
// wash, rinse, spin, finished, with the minutes left counting down; one demo minute per step), an
// air conditioner's room temperature drifts towards its target while it runs and back to the room's
// own level when it is off. Each step returns the state reports to send (Connect: a
// `{resource: {property: value}}` report; v1: status fields).

type Random = () => number;

/** One washer programme phase: its Connect state, its v1 `State` code, its length in steps. */
const WASH_PHASES = [
  { connect: 'INITIAL', v1: '1', steps: 6 },
  { connect: 'RUNNING', v1: '2', steps: 30 },
  { connect: 'RINSING', v1: '3', steps: 15 },
  { connect: 'SPINNING', v1: '4', steps: 10 },
  { connect: 'END', v1: '5', steps: 6 },
] as const;

/** A washer's programme: the phase and how many steps of it are left. */
export interface WasherCycle {
  phase: number;
  left: number;
}

export function newWasherCycle(random: Random): WasherCycle {
  const phase = Math.floor(random() * WASH_PHASES.length);
  return { phase, left: 1 + Math.floor(random() * (WASH_PHASES[phase]?.steps ?? 1)) };
}

/** Minutes until the programme ends (the running phases' steps left). */
function remaining(c: WasherCycle): number {
  if (c.phase === 0 || c.phase === WASH_PHASES.length - 1) return 0;
  let minutes = c.left;
  for (let p = c.phase + 1; p < WASH_PHASES.length - 1; p++) minutes += WASH_PHASES[p]?.steps ?? 0;
  return minutes;
}

/** One step of a washer: the phase moves on when its time is up. */
export function stepWasher(c: WasherCycle): { state: string; v1State: string; remainHour: number; remainMinute: number } {
  c.left -= 1;
  if (c.left <= 0) {
    c.phase = (c.phase + 1) % WASH_PHASES.length;
    c.left = WASH_PHASES[c.phase]?.steps ?? 1;
  }
  const phase = WASH_PHASES[c.phase] ?? WASH_PHASES[0];
  const minutes = remaining(c);
  return { state: phase.connect, v1State: phase.v1, remainHour: Math.floor(minutes / 60), remainMinute: minutes % 60 };
}

/** An air conditioner's room: where it settles with the AC off, and now. */
export interface Room {
  readonly ambientC: number;
  temperature: number;
}

/** One step of a room: towards the target while the AC runs, towards the ambient otherwise, with noise; one decimal. */
export function stepRoom(room: Room, running: boolean, targetC: number, random: Random): number {
  const goal = running ? targetC : room.ambientC;
  room.temperature += 0.08 * (goal - room.temperature) + (random() - 0.5) * 0.2;
  return Math.round(room.temperature * 10) / 10;
}
