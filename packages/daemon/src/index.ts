/**
 * `@vmd/daemon`: the vmd daemon as a library (the `vmd` binary is `main.ts`).
 *
 * ```ts
 * import { createDaemon, loadConfig } from '@vmd/daemon';
 * const { config } = loadConfig({ flags: { listen: '127.0.0.1:0' } });
 * const daemon = createDaemon(config);
 * const address = await daemon.start();
 * // …
 * await daemon.stop();
 * ```
 * @module
 */
export {
  createDaemon,
  defaultQuotaLimits,
  type Daemon,
  type DaemonDeps,
  type StopOptions,
} from './daemon.js';
export {
  ConfigError,
  deepFreeze,
  flattenConfig,
  loadConfig,
  type ConfigSource,
  type LoadConfigOptions,
  type LoadedConfig,
} from './config/load-config.js';
export {
  CONFIG_KEYS,
  DaemonConfigSchema,
  defaultConfig,
  isLoopbackListen,
  type ConfigKeyInfo,
  type DaemonConfig,
  type LogFormat,
  type LogLevel,
} from './config/schema.js';
export { STATUS_BY_ERROR_CODE, TRAILER, toGrpcStatus, type MappedStatus } from './grpc/status-mapping.js';
export { Scheduler, type AcquireOptions, type SchedulerOptions, type Slot } from './scheduler/scheduler.js';
export { WeightedDrrPolicy, type QueuePolicy } from './scheduler/queue-policy.js';
export { WorkerPool, type WorkerInfo, type WorkerPoolOptions } from './workers/worker-pool.js';
export { createLogger, type Logger } from './telemetry/logger.js';
