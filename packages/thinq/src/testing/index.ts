/** Simulator of LG's ThinQ v1 and ThinQ Connect clouds, for tests and offline development. */
export { startThinqSimulator } from './simulator.js';
export type { ThinqSimulator, ThinqSimulatorOptions } from './simulator.js';
export type { V1Sim, V1SimOptions, SimV1Device } from './v1-sim.js';
export type { SimMonitorType } from './v1-models.js';
export type { ConnectSim, ConnectSimOptions, SimConnectDevice } from './connect-sim.js';
export { startMqttBroker } from './broker.js';
export type { MqttBrokerSim } from './broker.js';
export { createTestCa, InvalidCsrError } from './ca.js';
export type { TestCa } from './ca.js';
export { SIM_AC_MODEL, SIM_DRYER_MODEL, SIM_FRIDGE_MODEL, SIM_WASHER_MODEL } from './v1-models.js';
