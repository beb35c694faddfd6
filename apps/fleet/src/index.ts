/** Public face of the fleet app (for tests and embedding): start it, configure it, read its data. */
export { startFleet, DEFAULT_WEB_DIR } from './app.js';
export type { FleetApp, StartFleetOptions } from './app.js';
export { ConfigError, applyEnv, hasVendors, isLoopback, loadConfig, parseConfig } from './config.js';
export type { FleetConfig, ComapConfig, DevicecloudConfig, ThinqConfig, SeplConfig, ServerConfig, StorageConfig, ShardConfig } from './config.js';
export { createFleetProgram, main } from './main.js';
export type { CliIo, ProgramHooks } from './main.js';
export { openStorage } from './storage/open.js';
export type { StorageOptions } from './storage/open.js';
export { FleetStore } from './storage/store.js';
export { MIGRATIONS, migrate } from './storage/migrations.js';
export { GRANULARITIES, parseTimeWindow } from './average.js';
export type { AverageBucket, Granularity } from './average.js';
export { SHARD_COUNT, fnv1a32, shardOf } from './shard.js';
export type { ShardsStatus } from './shards/ownership.js';
export { EventBus } from './events.js';
export type { FleetEvents, FleetEventName } from './events.js';
export type * from './model.js';
export type { DemoControls, DemoFault, FaultTarget, FleetService, FleetStatus } from './service.js';
