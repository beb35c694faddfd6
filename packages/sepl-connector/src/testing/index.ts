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
