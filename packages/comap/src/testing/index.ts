/** Test helpers of @x/comap: a ComAp cloud simulator on loopback. */
export { ComapSimulator, startComapSimulator } from './simulator.js';
export type { ComapSimulatorOptions, SimRequest, SimulatorCredentials, SimulatorStats } from './simulator.js';
export { FaultInjector } from './faults.js';
export type { Fault, FaultMatch } from './faults.js';
export { Fleet, VALUE_DEFS, HISTORY_DEFS, MODES_AVAILABLE } from './fleet.js';
export type { SimUnit, SimUnitState, SimComment, SimFile, SimPermission, SimCommandRecord } from './fleet.js';
export { createJumpClock } from './clock.js';
export type { JumpClock } from './clock.js';
