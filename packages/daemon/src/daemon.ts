import { readFileSync } from 'node:fs';
import { ErrorCode, UnavailableError } from '@vmd/core';
import type { Limits } from '@vmd/core';
import {
  ExecutionServiceService,
  FunctionServiceService,
  MonitorServiceService,
  ReplServiceService,
  TenantServiceService,
} from '@vmd/client/wire';
import type { Server } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { resolveAdminToken } from './config/admin-token.js';
import type { DaemonConfig } from './config/schema.js';
import {
  adaptBidiStreaming,
  adaptServerStreaming,
  adaptUnary,
  type AdaptOptions,
} from './grpc/adapt-handlers.js';
import { CallRegistry } from './grpc/call-registry.js';
import {
  bindServer,
  closeListener,
  createGrpcServer,
  ListenError,
  listenProblem,
  type ServerTls,
} from './grpc/server.js';
import { lockDataDir, type DataDirLock } from './lifecycle/data-dir-lock.js';
import { Scheduler } from './scheduler/scheduler.js';
import { createExecutionService } from './services/execution-service.js';
import { createFunctionService, tenantFunctionKeyPrefix } from './services/function-service.js';
import { createReplService } from './services/repl-service.js';
import { Admission } from './tenants/admission.js';
import { HealthService } from './services/health.js';
import { addReflection } from './services/reflection.js';
import { ApiKeyAuthenticator } from './auth/api-keys.js';
import { Authorizer } from './auth/authorizer.js';
import { createTenantService } from './services/tenant-service.js';
import { NOT_YET_IMPLEMENTED, addUnimplementedService } from './services/unimplemented-services.js';
import type { Store, TenantQuotas } from './store/store.js';
import { openSqliteStore } from './store/sqlite/sqlite-store.js';
import { accessLogger, componentLogger, createLogger } from './telemetry/logger.js';
import { correctStoredQuotas } from './tenants/correct-stored-quotas.js';
import { StoreTenantRegistry, type TenantRegistry } from './tenants/tenant-registry.js';
import { UsageRecorder, fanOut } from './tenants/usage-recorder.js';
import { StoreRetention } from './store/retention.js';
import { StatsCollector } from './monitor/stats-collector.js';
import { createMonitorService } from './services/monitor-service.js';
import { VERSION } from './version.js';
import { DaemonMetrics } from './telemetry/metrics.js';
import { metricPushPlan, metricPushReader, metricPushSummary } from './telemetry/metric-push.js';
import { routeOtelDiagnostics } from './telemetry/otel-diagnostics.js';
import { exposureWarnings, listenerSummary } from './telemetry/startup-summary.js';
import { startTracing, tracingSummary } from './telemetry/tracing.js';
import { createWorkerSpawner, resolveWorkerIdentity, type SpawnWorkerFn } from './workers/spawn-worker.js';
import { WorkerPool } from './workers/worker-pool.js';

/** Optional replacements for tests and embedding. */
export interface DaemonDeps {
  /** Root logger. @default createLogger({ level, format } from config) */
  logger?: Logger;
  /** Worker process factory. @default forks core's worker with resolveWorkerSpawn() */
  spawnWorker?: SpawnWorkerFn;
  /** Tenant registry. @default in-memory, local mode (create on first use) */
  tenants?: TenantRegistry;
}

/** Options of {@link Daemon.stop}. */
export interface StopOptions {
  /** How long in-flight calls may finish, ms. @default config.shutdownGraceMs */
  graceMs?: number;
}

/** A built (not yet listening) daemon. */
export interface Daemon {
  readonly config: DaemonConfig;
  readonly logger: Logger;
  readonly pool: WorkerPool;
  readonly scheduler: Scheduler;
  /**
   * Opens the store, binds (a ListenError if the address cannot be used, before any worker
   * starts), starts the workers, logs `listening` with the bound address; resolves with the
   * address once the workers are ready.
   */
  start(): Promise<string>;
  /**
   * Graceful stop (the drain): health NOT_SERVING, new runs and REPL sessions refused
   * (SHUTTING_DOWN), REPL sessions and WatchStats streams ended, calls in flight finish within
   * the grace period (the rest end UNAVAILABLE / SHUTTING_DOWN); then the listener closes and
   * the workers stop. The address stays bound during the drain, so health checks and calls
   * are answered rather than refused.
   */
  stop(options?: StopOptions): Promise<void>;
  /** The bound address (after start). */
  readonly address: string | undefined;
}

/** How long open connections may take to receive their last statuses once the drain is over, ms. */
const LISTENER_CLOSE_MS = 2_000;

/** How long the last export of metrics or spans may take at shutdown, ms. */
const TELEMETRY_FLUSH_MS = 2_000;

/** Default quota limits from the config. */
export function defaultQuotaLimits(config: DaemonConfig): Limits {
  return { ...config.defaultQuota, codeBytes: config.maxCodeBytes };
}

/** A start-up problem a person must fix (printed as it is by `vmd serve`). */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

/**
 * The admin token of secure mode: `adminTokenFile`'s first line, else `VMD_ADMIN_TOKEN`
 * (config/admin-token.ts; loadConfig has reported its problems already, this covers embedders).
 */
function readAdminToken(config: DaemonConfig): string {
  const { token, problems } = resolveAdminToken(config);
  if (token === undefined) throw new StartupError(problems.join('; '));
  return token;
}

/** The TLS files of the config, read (or undefined without `tlsCert`). */
function readServerTls(config: DaemonConfig): ServerTls | undefined {
  if (config.tlsCert === '') return undefined;
  const read = (file: string, what: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new StartupError(`cannot read the TLS ${what} ${file}: ${(err as Error).message}`);
    }
  };
  return {
    cert: read(config.tlsCert, 'certificate'),
    key: read(config.tlsKey, 'key'),
    ...(config.tlsClientCa !== '' ? { clientCa: read(config.tlsClientCa, 'client CA') } : {}),
  };
}

/**
 * Quotas of a tenant created through TenantService, for every field its request leaves at 0:
 * the per-run limits from the config's default quota, the rest vmd's defaults.
 */
export function defaultTenantQuotas(config: DaemonConfig): TenantQuotas {
  return {
    ...config.defaultQuota,
    codeBytes: config.maxCodeBytes,
    // Generous: a tenant's own requests in flight (queued or running) and its request rate;
    // an admin tightens them per tenant.
    maxConcurrent: 1024,
    ratePerSecond: 2000,
    burst: 4000,
    queueDepth: config.queueDepthPerTenant,
    replSessions: 16,
    functions: 100,
    kvBytes: 64 * 1024 * 1024,
    weight: 1,
  };
}

/**
 * Builds everything — logger, worker pool, scheduler, gRPC server with all services — WITHOUT
 * listening (Fastify's build-vs-listen seam). Call `start()` to bind.
 */
export function createDaemon(config: DaemonConfig, deps: DaemonDeps = {}): Daemon {
  // Files the config names are read first, so a problem with them (a missing or too-short admin
  // token, an unreadable TLS file) is reported before anything is logged or started.
  const adminToken = config.auth ? readAdminToken(config) : undefined;
  const tls = readServerTls(config);
  const logger = deps.logger ?? createLogger({ level: config.logLevel, format: config.logFormat });
  const lifecycleLog = componentLogger(logger, 'lifecycle');
  const grpcLog = componentLogger(logger, 'grpc');
  const poolLog = componentLogger(logger, 'worker-pool');
  const tenantsLog = componentLogger(logger, 'tenants');

  let shuttingDown = false;
  let stopTracing: (() => Promise<void>) | undefined;
  let address: string | undefined;
  let stopping: Promise<void> | undefined;
  let dataDirLock: DataDirLock | undefined;

  const spawn =
    deps.spawnWorker ??
    createWorkerSpawner({
      identity: resolveWorkerIdentity(config.workerUser, poolLog),
      env: { VMD_ISOLATE_SNAPSHOT: config.isolateSnapshot ? '1' : '0' },
    });
  // The scheduler's capacity is the pool's live capacity, so it never exceeds the global cap
  // (workers × workerMaxInFlight) and shrinks while a worker is being replaced.
  const pool: WorkerPool = new WorkerPool({
    workers: config.workers,
    maxInFlight: config.workerMaxInFlight,
    pingIntervalMs: config.workerPingIntervalMs,
    pingTimeoutMs: config.workerPingTimeoutMs,
    overrunGraceMs: config.workerOverrunGraceMs,
    rssCeilingBytes: config.workerRssCeilingMib * 1024 * 1024,
    workerNice: config.workerNice,
    spawn,
    logger: poolLog,
    onCapacity: () => {
      scheduler.pump();
      updateHealth();
    },
  });
  const scheduler = new Scheduler({
    capacity: () => pool.capacity(),
    maxQueueDepthPerTenant: config.queueDepthPerTenant,
  });
  let store: Store | undefined;
  const openStore = (): Store => {
    if (store === undefined) {
      throw new UnavailableError(
        ErrorCode.SHUTTING_DOWN,
        'the store is not open (the daemon is starting or stopping)',
      );
    }
    return store;
  };
  const tenants: TenantRegistry =
    deps.tenants ??
    new StoreTenantRegistry({
      store: openStore,
      defaultQuotas: defaultTenantQuotas(config),
      createOnFirstUse: !config.auth,
    });

  const usage = new UsageRecorder({ store: () => store, logger: tenantsLog });
  const retention = new StoreRetention(
    [
      {
        what: 'usage',
        days: config.usageRetentionDays,
        prune: (before) => store?.pruneUsage(before) ?? Promise.resolve(0),
      },
      {
        what: 'audit entries',
        days: config.auditRetentionDays,
        prune: (before) => store?.pruneAudit(before) ?? Promise.resolve(0),
      },
    ],
    { logger: tenantsLog },
  );

  const stats = new StatsCollector();
  // Gauges read the pool, scheduler and REPL service (defined below) at scrape time.
  const metricPush = metricPushPlan();
  const pushReader = metricPushReader(metricPush);
  const metrics =
    config.metrics === '' && pushReader === undefined
      ? undefined
      : new DaemonMetrics(
          config.metrics,
          {
            queued: () => scheduler.queued,
            inFlight: () => scheduler.inFlight,
            sessions: () => repl.size,
            workers: () => pool.workers(),
          },
          lifecycleLog,
          pushReader,
        );
  const meter = metrics === undefined ? fanOut(usage, stats) : fanOut(usage, stats, metrics);

  const server: Server = createGrpcServer({ maxMessageBytes: config.maxMessageBytes });
  const calls = new CallRegistry();
  const adapt: AdaptOptions = {
    calls,
    logger: grpcLog,
    accessLogger: accessLogger(grpcLog),
    ...(metrics !== undefined ? { onFinish: (path, code) => metrics.recordRpc(path, code) } : {}),
    authenticate: (ctx) => authorizer.identify(ctx),
  };
  const admission = new Admission();
  const execution = createExecutionService({
    admission,
    maxCodeBytes: config.maxCodeBytes,
    tenants,
    scheduler,
    pool,
    isShuttingDown: () => shuttingDown,
    authorizeTenant: async (ctx, requested) => (await authorizer.tenant(ctx, requested)).tenant,
    usage: meter,
  });
  server.addService(ExecutionServiceService, {
    execute: adaptServerStreaming(ExecutionServiceService.execute.path, execution.execute, adapt),
  });
  const functions = createFunctionService({
    store: openStore,
    maxCodeBytes: config.maxCodeBytes,
    tenants,
    scheduler,
    pool,
    admission,
    isShuttingDown: () => shuttingDown,
    authorizeTenant: async (ctx, requested) => (await authorizer.tenant(ctx, requested)).tenant,
    usage: meter,
    actor: (ctx) => authorizer.actor(ctx, 'local'),
  });
  const F = FunctionServiceService;
  server.addService(FunctionServiceService, {
    deployFunction: adaptUnary(F.deployFunction.path, functions.deployFunction, adapt),
    invokeFunction: adaptUnary(F.invokeFunction.path, functions.invokeFunction, adapt),
    invokeFunctionStream: adaptServerStreaming(
      F.invokeFunctionStream.path,
      functions.invokeFunctionStream,
      adapt,
    ),
    getFunction: adaptUnary(F.getFunction.path, functions.getFunction, adapt),
    listFunctions: adaptUnary(F.listFunctions.path, functions.listFunctions, adapt),
    listFunctionVersions: adaptUnary(F.listFunctionVersions.path, functions.listFunctionVersions, adapt),
    rollbackFunction: adaptUnary(F.rollbackFunction.path, functions.rollbackFunction, adapt),
    deleteFunction: adaptUnary(F.deleteFunction.path, functions.deleteFunction, adapt),
  });
  const repl = createReplService({
    pool,
    tenants,
    settings: {
      idleTtlMs: config.replIdleTtlMs,
      maxLifetimeMs: config.replMaxLifetimeMs,
      maxSessions: config.replMaxSessions,
    },
    maxCodeBytes: config.maxCodeBytes,
    isShuttingDown: () => shuttingDown,
    authorizeTenant: async (ctx, requested) => {
      const { principal, tenant } = await authorizer.tenant(ctx, requested);
      return principal.kind === 'tenant' ? { tenant, keyId: principal.keyId } : { tenant };
    },
    keyStatus: (id) => authenticator.status(id),
    usage: meter,
    admission,
    scheduler,
    logger: componentLogger(logger, 'repl'),
  });
  server.addService(ReplServiceService, {
    session: adaptBidiStreaming(ReplServiceService.session.path, repl.session, adapt),
  });
  const authenticator = new ApiKeyAuthenticator({
    lookup: (id) => openStore().getApiKey(id),
    cacheTtlMs: config.apiKeyCacheTtlMs,
  });
  const authorizer = new Authorizer({
    enabled: config.auth,
    adminToken,
    authenticator,
  });
  const tenantService = createTenantService({
    store: openStore,
    authorize: (ctx) => authorizer.admin(ctx),
    actor: (ctx) => authorizer.actor(ctx, 'local'),
    onKeyRevoked: (id) => {
      authenticator.invalidate(id);
      repl.keyRevoked(id);
    },
    onTenantChanged: (name, deleted) => {
      tenants.invalidate?.(name);
      if (deleted) functions.forgetTenant(name);
      if (deleted) authenticator.invalidateTenant(name);
      // Its REPL sessions end now, freeing their isolates, instead of at their idle timeout.
      if (deleted) repl.tenantDeleted(name);
      // Warm isolates its runs left stay with the tenant they served: gone with a deleted
      // tenant (one created later under the name is someone else), and after any change
      // (isolation `context` switched off) not kept idle.
      pool.forgetWarm({
        isolateKey: name,
        ...(deleted ? { functionKeyPrefix: tenantFunctionKeyPrefix(name) } : {}),
      });
    },
    defaultQuotas: defaultTenantQuotas(config),
    quotaLimits: { maxCodeBytes: config.maxCodeBytes },
    flushUsage: () => usage.flush(),
  });
  const T = TenantServiceService;
  server.addService(TenantServiceService, {
    createTenant: adaptUnary(T.createTenant.path, tenantService.createTenant, adapt),
    getTenant: adaptUnary(T.getTenant.path, tenantService.getTenant, adapt),
    listTenants: adaptUnary(T.listTenants.path, tenantService.listTenants, adapt),
    updateTenant: adaptUnary(T.updateTenant.path, tenantService.updateTenant, adapt),
    deleteTenant: adaptUnary(T.deleteTenant.path, tenantService.deleteTenant, adapt),
    createApiKey: adaptUnary(T.createApiKey.path, tenantService.createApiKey, adapt),
    listApiKeys: adaptUnary(T.listApiKeys.path, tenantService.listApiKeys, adapt),
    revokeApiKey: adaptUnary(T.revokeApiKey.path, tenantService.revokeApiKey, adapt),
    getUsage: adaptUnary(T.getUsage.path, tenantService.getUsage, adapt),
    listAuditEvents: adaptUnary(T.listAuditEvents.path, tenantService.listAuditEvents, adapt),
  });
  const monitor = createMonitorService({
    version: VERSION,
    stats,
    pool,
    scheduler,
    admission,
    sessions: repl,
    authorize: (ctx) => authorizer.admin(ctx),
  });
  server.addService(MonitorServiceService, {
    getStats: adaptUnary(MonitorServiceService.getStats.path, monitor.getStats, adapt),
    watchStats: adaptServerStreaming(MonitorServiceService.watchStats.path, monitor.watchStats, adapt, {
      endless: true,
    }),
  });
  for (const service of NOT_YET_IMPLEMENTED) addUnimplementedService(server, service, adapt, authorizer);
  const health = new HealthService();
  health.addToServer(server);
  addReflection(server);

  let serving = false;
  let workersAvailable = false;
  /**
   * SERVING as soon as the daemon listens and one worker is ready; then `''` and the services
   * that run code follow the pool: NOT_SERVING while no worker can run code (all crashed and
   * waiting to restart, or frozen), SERVING again once one can. An ordinary recycle keeps its
   * slot available (WorkerSupervisor.available), so it does not flap.
   */
  function updateHealth(): void {
    if (shuttingDown || address === undefined) return;
    if (!serving) {
      if (pool.readyWorkers === 0) return;
      serving = true;
      workersAvailable = true;
      health.update({ serving: true, workersAvailable: true });
      lifecycleLog.info({ workers_ready: pool.readyWorkers, capacity: pool.capacity() }, 'ready');
      return;
    }
    const available = pool.available;
    if (available === workersAvailable) return;
    workersAvailable = available;
    health.update({ serving: true, workersAvailable: available });
    if (available) {
      lifecycleLog.info({ workers_ready: pool.readyWorkers }, 'a worker can run code again; health SERVING');
    } else {
      lifecycleLog.warn(
        { workers: pool.workers().map((w) => ({ slot: w.slot, state: w.state, restarts: w.restarts })) },
        'no worker can run code; health NOT_SERVING until one can',
      );
    }
  }

  /**
   * Quotas stored before TenantService checked them are brought into range before any call can
   * read them. A failure here (the store cannot be written) is logged and the daemon starts:
   * the rows stay as they were, and runs are clamped as before.
   */
  async function correctQuotas(opened: Store): Promise<void> {
    try {
      await correctStoredQuotas(opened, {
        logger: tenantsLog,
        defaults: defaultTenantQuotas(config),
        maxCodeBytes: config.maxCodeBytes,
      });
    } catch (err) {
      tenantsLog.error({ err }, 'could not check stored tenant quotas');
    }
  }

  async function start(): Promise<string> {
    // One daemon per data directory (a DataDirError names the other one's pid).
    dataDirLock = lockDataDir(config.dataDir);
    if (dataDirLock.takenOverFrom !== undefined) {
      lifecycleLog.warn(
        { lock: dataDirLock.path, stale_pid: dataDirLock.takenOverFrom.pid },
        'took over the data directory lock of a vmd that is gone',
      );
    }
    for (const w of exposureWarnings(config)) lifecycleLog.warn(w.fields, w.message);
    try {
      store = await openSqliteStore({ dataDir: config.dataDir });
    } catch (err) {
      dataDirLock.release();
      throw err;
    }
    await correctQuotas(store);
    // Bind both addresses before the workers start: one in use fails fast, with nothing to stop.
    try {
      address = await bindServer(server, config.listen, tls);
      if (metrics !== undefined) {
        await metrics.start().catch((err: unknown) => {
          server.forceShutdown();
          throw new ListenError(listenProblem(err as Error, '--metrics'), {
            cause: err,
            address: `${config.metrics} (--metrics)`,
          });
        });
      }
    } catch (err) {
      shuttingDown = true;
      await store.close();
      store = undefined;
      dataDirLock.release();
      throw err;
    }
    const starting = pool.start();
    usage.start();
    retention.start();
    stopTracing = startTracing({ console: config.otelConsole });
    const tracing = tracingSummary({ console: config.otelConsole });
    lifecycleLog.info(tracing.fields, tracing.message);
    const push = metricPushSummary(metricPush);
    lifecycleLog.info(push.fields, push.message);
    for (const { setting, reason } of metricPush.ignored) {
      lifecycleLog.warn({ setting }, `ignoring ${setting}: ${reason}`);
    }
    // After the SDK, which installs its own console logger when OTEL_LOG_LEVEL is set.
    routeOtelDiagnostics(componentLogger(logger, 'otel'));
    logger.info({ address, ...listenerSummary(config).fields }, 'listening');
    await starting;
    updateHealth();
    if (!serving)
      lifecycleLog.error(
        { workers: config.workers },
        'no worker became ready; health stays NOT_SERVING until one does',
      );
    return address;
  }

  /**
   * Stops an exporter of telemetry with its last export: within TELEMETRY_FLUSH_MS, and never
   * failing the shutdown. A collector that is down or slow costs a warning, not the store's
   * clean close or the data dir's lock (both come after it).
   */
  async function stopTelemetry(what: string, stop: () => Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      stop().then(
        () => undefined,
        (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
      ),
      new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), TELEMETRY_FLUSH_MS))),
    ]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      lifecycleLog.warn(
        { timeout_ms: TELEMETRY_FLUSH_MS },
        `shutdown: the last export of ${what} did not finish in time; it was dropped`,
      );
    } else if (outcome !== undefined) {
      lifecycleLog.warn({ err: outcome }, `shutdown: the last export of ${what} failed: ${outcome.message}`);
    }
  }

  /**
   * Closes the metrics endpoint and pushes the last values (OTLP). The port is released at
   * once; a scrape still being answered may finish within TELEMETRY_FLUSH_MS.
   */
  async function stopMetrics(): Promise<void> {
    if (metrics !== undefined) await stopTelemetry('metrics', () => metrics.stop());
  }

  async function doStop(graceMs: number): Promise<void> {
    shuttingDown = true;
    health.update({ serving: false, workersAvailable: false });
    lifecycleLog.info(
      { grace_ms: graceMs, calls: calls.pending, in_flight: scheduler.inFlight, queued: scheduler.queued },
      'shutdown: draining',
    );
    // Streams that never end on their own: REPL sessions are told and end; WatchStats streams
    // (and any opened during the drain) end now.
    repl.closeAll('shutting_down', 'vmd is shutting down; the session ended');
    calls.endEndless(
      new UnavailableError(
        ErrorCode.SHUTTING_DOWN,
        'vmd is shutting down, so this stream ended; watch again once vmd has restarted, or watch another instance',
      ),
    );
    if (await calls.whenIdle(graceMs)) {
      lifecycleLog.info('shutdown: all calls finished');
    } else {
      lifecycleLog.warn(
        { calls: calls.pending, in_flight: scheduler.inFlight, queued: scheduler.queued },
        'shutdown: grace period over; ending remaining calls',
      );
      // With a status of their own, before the listener closes: cut off by the transport they
      // would see a bare CANCELLED, not that retrying is safe.
      calls.terminateAll(
        new UnavailableError(
          ErrorCode.SHUTTING_DOWN,
          'vmd shut down before the call finished (its shutdown grace period ran out); safe to retry on another instance or after it restarts',
        ),
      );
    }
    health.endWatches(new UnavailableError(ErrorCode.SHUTTING_DOWN, 'vmd is shutting down'));
    // The metrics port is released no later than the gRPC one: a new daemon can bind both.
    await stopMetrics();
    if (!(await closeListener(server, LISTENER_CLOSE_MS))) {
      lifecycleLog.warn({ timeout_ms: LISTENER_CLOSE_MS }, 'shutdown: connections still open; closed them');
    }
    scheduler.close(
      new UnavailableError(ErrorCode.SHUTTING_DOWN, 'vmd is shutting down; retry on another instance'),
    );
    lifecycleLog.info('shutdown: stopping workers');
    await pool.stop(2_000);
    await retention.stop();
    await usage.stop();
    if (stopTracing !== undefined) await stopTelemetry('spans', stopTracing);
    await store?.close();
    store = undefined;
    dataDirLock?.release();
    lifecycleLog.info('shutdown: complete');
  }

  return {
    config,
    logger,
    pool,
    scheduler,
    start,
    stop(options: StopOptions = {}) {
      stopping ??= doStop(options.graceMs ?? config.shutdownGraceMs);
      return stopping;
    },
    get address() {
      return address;
    },
  };
}
