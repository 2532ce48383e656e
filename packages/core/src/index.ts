/** @vmd/core: the execution engine (isolates, limits, sandbox globals, worker process). No gRPC. */
export { Engine, resolveEngineOptions } from './engine/engine.js';
export type {
  EngineOptions,
  ResolvedEngineOptions,
  EngineStats,
  InvokeOutcome,
  InvokeRequest,
  OpenReplSessionOptions,
  RunHooks,
} from './engine/engine.js';
export type {
  ConsoleLevel,
  RunPhase,
  ExecutionMetrics,
  ExecutionOutcome,
  ExecutionRequest,
  OutputEvent,
  SourceType,
} from './engine/types.js';
export { tenantUrl } from './engine/compile.js';
export { ErrorCode, RETIRED_ERROR_CODES, isErrorCode } from './errors/codes.js';
export {
  VmdError,
  InvalidArgumentError,
  NotFoundError,
  ResourceExhaustedError,
  UnavailableError,
  InternalError,
  errorFromWire,
} from './errors/vmd-error.js';
export type { VmdErrorDetails, VmdErrorWire } from './errors/vmd-error.js';
export { FailureKind } from './errors/execution-failure.js';
export type { ExecutionFailure } from './errors/execution-failure.js';
export { trimStack, tenantLocation, TENANT_URL_PREFIX } from './errors/trim-stack.js';
export { DEFAULT_LIMITS, LIMIT_BOUNDS, clampToQuota } from './limits/limits.js';
export type { Limits } from './limits/limits.js';
export { noRunMetrics } from './engine/execution-metrics.js';
export { NOOP_LOGGER } from './logging/logger.js';
export type { Logger, LogFields } from './logging/logger.js';
export { isParentMessage, isWorkerMessage } from './worker/protocol.js';
export type {
  ParentMessage,
  ReplReply,
  WorkerMessage,
  WorkerStats,
  TraceCarrier,
  InvokeMessageRequest,
} from './worker/protocol.js';
export { resolveWorkerSpawn } from './worker/spawn-options.js';
export type { WorkerSpawnOptions, ResolvedWorkerSpawn } from './worker/spawn-options.js';
export { MAX_JSON_DEPTH, MAX_PREVIEW_CHARS } from './sandbox/in-isolate/serialize.js';
export { DrrScheduler } from './scheduler/drr-scheduler.js';
export type {
  DequeuedItem,
  DrrEnqueueOptions,
  DrrSchedulerOptions,
  DrrTenantConfig,
  EnqueueResult,
} from './scheduler/drr-scheduler.js';
export { TokenBucket } from './scheduler/token-bucket.js';
export { ReplSession } from './repl/session.js';
export { analyzeFile, checkBundle, normalizeBundlePath, resolveInBundle } from './functions/bundle.js';
export type { BundleFile, BundleProblem, ModuleKind } from './functions/bundle.js';
export { colorizePreview } from './repl/colorize.js';
export type { ReplEvalHooks, ReplEvalOutcome } from './repl/session.js';
export { prepareReplInput, type PreparedInput } from './repl/prepare-input.js';
export { parseCompletionTarget, type CompletionTarget } from './repl/complete.js';
export type { TakeResult, TokenBucketConfig, TokenBucketOptions } from './scheduler/token-bucket.js';
