/** Test helpers and the simulator of @x/sepl-connector. */
export { averageBuckets, numericValue, type AverageWireRow, type DataPoint } from './druid.js';
