/**
 * `@vmd/client`: the typed client of vmd, a multi-tenant JavaScript execution service.
 *
 * {@link VmdClient} runs code (streamed output, typed outcome), checks health, and exposes the
 * generated gRPC clients of every service under `client.raw`. Platform failures are
 * {@link VmdClientError}s with a stable string `code`; failures of the tenant's code are
 * values (`{ ok: false, failure }`). Wire types live in `@vmd/client/wire`.
 *
 * @example
 * ```ts
 * import { VmdClient, VmdClientError } from '@vmd/client';
 *
 * const client = VmdClient.fromEnv(); // VMD_ADDR, VMD_API_KEY, VMD_TENANT; else 127.0.0.1:50051
 * try {
 *   const execution = client.execute('console.log("adding"); input.a + input.b', {
 *     tenant: 'acme',
 *     input: { a: 1, b: 2 },
 *     timeoutMs: 1000,
 *   });
 *   for await (const event of execution) console.log(`[${event.stream}] ${event.text}`);
 *   const outcome = await execution.outcome;
 *   console.log(outcome.ok ? outcome.value.value : `${outcome.failure.kind}: ${outcome.failure.message}`);
 * } catch (error) {
 *   if (error instanceof VmdClientError) console.error(error.code, error.message);
 *   else throw error;
 * } finally {
 *   client.close();
 * }
 * ```
 *
 * @module
 */
export { VmdClient } from './vmd-client.js';
export type { HealthOptions, RawClients } from './vmd-client.js';
export { DEFAULT_ADDRESS, resolveVmdClientOptions } from './client-options.js';
export type {
  ResolvedVmdClientOptions,
  VmdClientOptions,
  VmdKeepaliveOptions,
  VmdTlsOptions,
} from './client-options.js';
export { Execution } from './execution.js';
export { DEADLINE_GRACE_MS, FailureKind } from './execution-types.js';
export type {
  ExecuteOptions,
  ExecutionEvent,
  ExecutionFailed,
  ExecutionFailure,
  ExecutionMetrics,
  ExecutionOutcome,
  ExecutionOutputEvent,
  ExecutionSuccess,
  ExecutionValue,
  OutputStreamName,
  RunOutcome,
} from './execution-types.js';
export type { CallScopeOptions } from './call-options.js';
export {
  ERROR_TRAILERS,
  connectFailureReason,
  connectionProblem,
  VMD_ERROR_CODES,
  VmdClientError,
  VmdErrorCode,
  isVmdErrorCode,
  toVmdClientError,
} from './errors.js';
export type { ErrorContext, VmdClientErrorInit } from './errors.js';
export { DEFAULT_PORT, parseAddress } from './connection.js';
export type { ParsedAddress } from './connection.js';
export { CLIENT_ENV, describeSource, loadClientConfig } from './client-config.js';
export type {
  ClientConfigOverrides,
  ConfigSource,
  LoadClientConfigOptions,
  LoadedClientConfig,
} from './client-config.js';
export type { HealthStatus } from './health.js';
export { readableToAsyncIterable } from './streams.js';
export type { ReadableIterableOptions } from './streams.js';
export { TenantAdmin } from './tenants.js';
export { ReplSessionClient } from './repl.js';
export { FunctionAdmin } from './functions.js';
export type {
  DeployOptions,
  FunctionInfo,
  FunctionVersionInfo,
  InvokeOptions,
  InvokeResult,
} from './functions.js';
export { Monitor } from './monitor.js';
export type {
  DaemonStats,
  StatsOptions,
  StatsSnapshot,
  TenantStats,
  WatchStatsOptions,
  WorkerStats,
} from './monitor.js';
export type { ReplEnded, ReplEvalResult, ReplOptions } from './repl.js';
export type {
  ApiKeyInfo,
  AuditEventInfo,
  AuditOutcome,
  AuditQuery,
  ListPage,
  PageOptions,
  RevokedApiKeyInfo,
  TenantFields,
  TenantInfo,
  TenantQuotas,
  TenantUsage,
  UsageWindow,
} from './tenants.js';
