/** Simulator and test helpers of @x/devicecloud-monitor. */
export { DeviceCloudSimulator } from './simulator.js';
export type { SimulatorOptions, SimulatorFaults, PublishInput } from './simulator.js';
export type { SimEvent, DataPointInput, DeviceCoreInput, FileDataInput } from './sim-events.js';
export { renderDocument } from './sim-events.js';
export type { SimMonitor, SimBatch } from './sim-monitor.js';
export type { DeliveryAttempt } from './http-delivery.js';
export { compileCondition } from './condition-eval.js';
