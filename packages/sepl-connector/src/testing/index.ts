/** Test helpers and the simulator of @x/sepl-connector. */
export {
  SeplSimulator,
  startSeplSimulator,
  type SeplSimulatorOptions,
  type SendCommandOptions,
  type SimDevice,
  type SimEvent,
  type SimFrame,
  type SimGateway,
  type SimGeneration,
  type SimRegistration,
} from './simulator.js';
export { averageBuckets, numericValue, type AverageWireRow, type DataPoint } from './druid.js';
export { SeplG3Simulator, startSeplG3Simulator, type SeplG3SimulatorOptions } from './g3-simulator.js';
export { G3Rest, type G3RestOptions, type SimG3Device, type SimG3Request, type SimHub } from './g3-rest.js';
export { G3Broker, type SimG3Command, type SimG3Message } from './g3-broker.js';
