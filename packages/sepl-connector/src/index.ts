/** Public face of @x/sepl-connector. */
export { configFromEnv, type SeplEnvConfig, type SeplLogLevel } from './config.js';
export { deviceHash, gatewayHash, tagStrings, validateDevice, type SeplDevice, type SeplTags } from './device.js';
export type { DeviceStore } from './store.js';
export { MemoryDeviceStore } from './memory-store.js';
export { GRANULARITIES, bucketStart, checkGranularity, isGranularity, timeWindowToMs, type Granularity, type TimeWindow } from './granularity.js';
