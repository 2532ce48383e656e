/**
 * The daemon's configuration: ONE defaults object ({@link defaultConfig}), ONE zod schema
 * ({@link DaemonConfigSchema}) and ONE table describing each key's env var, flag and meaning
 * ({@link CONFIG_KEYS}, which docs/configuration.md mirrors; a test keeps them equal).
 */
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_LIMITS } from '@vmd/core';

/** pino levels accepted by `logLevel`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `logFormat` values. */
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** `metrics`: empty, or HOST:PORT (no unix sockets: Prometheus scrapes over HTTP). */
const METRICS_RE = /^$|^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/;

const LISTEN_RE = /^(unix:\/.+|(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5})$/;

const int = (min: number, max: number) => z.number().int().min(min).max(max);

/** Default tenant quota: the limits every tenant gets unless its own quota says otherwise. */
const DefaultQuotaSchema = z.strictObject({
  memoryMib: int(8, 4096),
  cpuTimeMs: int(1, 15 * 60_000),
  wallTimeMs: int(1, 15 * 60_000),
  outputBytes: int(0, 256 * 1024 * 1024),
  resultBytes: int(16, 256 * 1024 * 1024),
  consoleLinesPerSecond: int(1, 1_000_000),
});

/** The schema of the effective configuration. Unknown keys are rejected. */
export const DaemonConfigSchema = z.strictObject({
  listen: z
    .string()
    .regex(LISTEN_RE)
    .refine((v) => !v.includes(':') || v.startsWith('unix:') || portOf(v) <= 65_535),
  insecure: z.boolean(),
  auth: z.boolean(),
  adminTokenFile: z.string(),
  apiKeyCacheTtlMs: int(0, 3_600_000),
  tlsCert: z.string(),
  tlsKey: z.string(),
  tlsClientCa: z.string(),
  dataDir: z.string().min(1),
  workers: int(1, 256),
  workerMaxInFlight: int(1, 1024),
  queueDepthPerTenant: int(1, 1_000_000),
  maxCodeBytes: int(1, 64 * 1024 * 1024),
  maxMessageBytes: int(1024, 512 * 1024 * 1024),
  shutdownGraceMs: int(0, 3_600_000),
  usageRetentionDays: int(0, 36_500),
  auditRetentionDays: int(0, 36_500),
  otelConsole: z.boolean(),
  metrics: z.string().regex(METRICS_RE),
  replIdleTtlMs: int(1000, 7 * 86_400_000),
  replMaxLifetimeMs: int(1000, 30 * 86_400_000),
  replMaxSessions: int(1, 1_000_000),
  workerRssCeilingMib: int(64, 1024 * 1024),
  workerNice: int(0, 19),
  workerUser: z.string(),
  isolateSnapshot: z.boolean(),
  workerPingIntervalMs: int(100, 60_000),
  workerPingTimeoutMs: int(500, 600_000),
  workerOverrunGraceMs: int(0, 600_000),
  logLevel: z.enum(LOG_LEVELS),
  logFormat: z.enum(LOG_FORMATS),
  defaultQuota: DefaultQuotaSchema,
});

/**
 * Checks that involve more than one key. Runs on the merged values even when other keys are
 * invalid, so every problem is reported at once. Returns `[key, message]` pairs.
 */
export function crossKeyProblems(cfg: Record<string, unknown>): [string, string][] {
  const problems: [string, string][] = [];
  const { maxCodeBytes, maxMessageBytes, insecure, listen, auth, tlsCert, tlsKey, tlsClientCa, metrics } =
    cfg;
  if ((tlsCert === '') !== (tlsKey === '')) {
    problems.push([
      'tlsCert',
      'tlsCert and tlsKey go together: give both (--tls-cert FILE --tls-key FILE) or neither',
    ]);
  }
  if (tlsClientCa !== '' && tlsClientCa !== undefined && tlsCert === '') {
    problems.push(['tlsClientCa', 'mutual TLS (tlsClientCa) needs TLS: give --tls-cert and --tls-key too']);
  }
  if (
    typeof maxCodeBytes === 'number' &&
    typeof maxMessageBytes === 'number' &&
    maxCodeBytes >= maxMessageBytes
  ) {
    problems.push(['maxCodeBytes', `must be smaller than maxMessageBytes (${maxMessageBytes})`]);
  }
  if (
    insecure !== true &&
    auth !== true &&
    typeof listen === 'string' &&
    LISTEN_RE.test(listen) &&
    !isLoopbackListen(listen)
  ) {
    problems.push([
      'listen',
      'is not a loopback address; vmd has no authentication in local mode, so it only listens on ' +
        '127.0.0.1, ::1, localhost or a unix socket. Pass --insecure (VMD_INSECURE=true) to listen there anyway',
    ]);
  }
  // The metrics endpoint has no authentication, in secure mode too, and its labels name tenants:
  // off loopback only with --insecure, as for gRPC without --auth.
  if (
    insecure !== true &&
    typeof metrics === 'string' &&
    metrics !== '' &&
    METRICS_RE.test(metrics) &&
    !isLoopbackListen(metrics)
  ) {
    problems.push([
      'metrics',
      'is not a loopback address; the metrics endpoint has no authentication (not even with --auth) ' +
        'and its labels name tenants, so it only listens on 127.0.0.1, ::1 or localhost. Pass --insecure ' +
        '(VMD_INSECURE=true) to serve it there anyway, e.g. to a Prometheus on a trusted network',
    ]);
  }
  return problems;
}

/** The effective, validated configuration. */
export type DaemonConfig = z.infer<typeof DaemonConfigSchema>;

function portOf(listen: string): number {
  return Number(listen.slice(listen.lastIndexOf(':') + 1));
}

/** True for `unix:` sockets and loopback hosts (127.0.0.0/8, ::1, localhost). */
export function isLoopbackListen(listen: string): boolean {
  if (listen.startsWith('unix:')) return true;
  const host = listen.slice(0, listen.lastIndexOf(':')).replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** `$XDG_DATA_HOME/vmd`, else `~/.local/share/vmd`. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env['XDG_DATA_HOME'];
  return xdg && path.isAbsolute(xdg)
    ? path.join(xdg, 'vmd')
    : path.join(os.homedir(), '.local', 'share', 'vmd');
}

/**
 * THE defaults object. Machine-dependent values (cores, home directory) are computed here and
 * nowhere else.
 */
export function defaultConfig(env: NodeJS.ProcessEnv = process.env): DaemonConfig {
  const cores = os.availableParallelism();
  return {
    listen: '127.0.0.1:50051',
    insecure: false,
    auth: false,
    adminTokenFile: '',
    apiKeyCacheTtlMs: 30_000,
    tlsCert: '',
    tlsKey: '',
    tlsClientCa: '',
    dataDir: defaultDataDir(env),
    workers: cores,
    workerMaxInFlight: cores + 1,
    queueDepthPerTenant: 256,
    maxCodeBytes: DEFAULT_LIMITS.codeBytes,
    maxMessageBytes: 8 * 1024 * 1024,
    shutdownGraceMs: 10_000,
    usageRetentionDays: 90,
    auditRetentionDays: 365,
    metrics: '',
    otelConsole: false,
    replIdleTtlMs: 15 * 60_000,
    replMaxLifetimeMs: 8 * 3_600_000,
    replMaxSessions: 4096,
    workerRssCeilingMib: 1024,
    workerNice: 5,
    workerUser: '',
    isolateSnapshot: true,
    workerPingIntervalMs: 1_000,
    workerPingTimeoutMs: 5_000,
    workerOverrunGraceMs: 2_000,
    logLevel: 'info',
    logFormat: 'json',
    defaultQuota: {
      memoryMib: DEFAULT_LIMITS.memoryMib,
      cpuTimeMs: DEFAULT_LIMITS.cpuTimeMs,
      wallTimeMs: DEFAULT_LIMITS.wallTimeMs,
      outputBytes: DEFAULT_LIMITS.outputBytes,
      resultBytes: DEFAULT_LIMITS.resultBytes,
      consoleLinesPerSecond: DEFAULT_LIMITS.consoleLinesPerSecond,
    },
  };
}

/** How a key's string form (env var or flag) is parsed. */
export type ConfigValueKind = 'string' | 'int' | 'boolean' | 'enum';

/** Documentation and wiring of one leaf key. */
export interface ConfigKeyInfo {
  /** Environment variable. */
  env: string;
  /** `vmd serve` flag, if any. */
  flag?: string;
  kind: ConfigValueKind;
  /** The expected form, used in validation errors. */
  expected: string;
  /** The default, as written in docs/configuration.md. */
  defaultText: string;
  /** What the key means. */
  description: string;
}

/** Every leaf key of {@link DaemonConfig} (dotted path) → env var, flag, docs. */
export const CONFIG_KEYS: Readonly<Record<string, ConfigKeyInfo>> = Object.freeze({
  listen: {
    env: 'VMD_LISTEN',
    flag: '--listen',
    kind: 'string',
    expected:
      'HOST:PORT (e.g. 127.0.0.1:50051, [::1]:50051; port 0 picks a free port) or unix:/ABSOLUTE/PATH',
    defaultText: '`127.0.0.1:50051`',
    description: 'Address to serve gRPC on. Local mode accepts loopback addresses and unix sockets only.',
  },
  auth: {
    env: 'VMD_AUTH',
    flag: '--auth',
    kind: 'boolean',
    expected: 'true or false',
    defaultText: '`false`',
    description:
      'Secure mode: every RPC but health and reflection needs `authorization: Bearer <key>`; a tenant API key acts only as its tenant, the admin token (from `adminTokenFile` or `VMD_ADMIN_TOKEN`, never a flag) alone reaches TenantService; unknown tenants are not created. Allows a non-loopback `listen`.',
  },
  adminTokenFile: {
    env: 'VMD_ADMIN_TOKEN_FILE',
    flag: '--admin-token-file',
    kind: 'string',
    expected: 'a file path, or empty',
    defaultText: 'empty (use `VMD_ADMIN_TOKEN`)',
    description:
      'File holding the admin token for secure mode (its first line, at least 16 characters; keep it mode 600, other modes get a warning). The environment variable `VMD_ADMIN_TOKEN` is read when this is empty. The token is never logged or printed.',
  },
  apiKeyCacheTtlMs: {
    env: 'VMD_API_KEY_CACHE_TTL_MS',
    flag: undefined,
    kind: 'int',
    expected: 'an integer from 0 to 3600000',
    defaultText: '`30000`',
    description:
      'Secure mode: how long a verified API key is trusted without reading the store again, ms (0: read it on every call). A revocation made by this daemon applies at once; one made by another daemon sharing the store applies within this time, to new calls and to the next input of an open REPL session.',
  },
  tlsCert: {
    env: 'VMD_TLS_CERT',
    flag: '--tls-cert',
    kind: 'string',
    expected: 'a PEM file path, or empty',
    defaultText: 'empty (no TLS)',
    description: 'Serve gRPC over TLS with this certificate chain (PEM). Needs `tlsKey`.',
  },
  tlsKey: {
    env: 'VMD_TLS_KEY',
    flag: '--tls-key',
    kind: 'string',
    expected: 'a PEM file path, or empty',
    defaultText: 'empty',
    description: "The TLS certificate's private key (PEM).",
  },
  tlsClientCa: {
    env: 'VMD_TLS_CLIENT_CA',
    flag: '--tls-client-ca',
    kind: 'string',
    expected: 'a PEM file path, or empty',
    defaultText: 'empty (no client certificates)',
    description: 'Mutual TLS: clients must present a certificate signed by this CA (PEM). Needs `tlsCert`.',
  },
  insecure: {
    env: 'VMD_INSECURE',
    flag: '--insecure',
    kind: 'boolean',
    expected: 'true or false',
    defaultText: '`false`',
    description:
      'Allow a non-loopback `listen` address without authentication, and a non-loopback `metrics` address (never authenticated); logs a warning. Only for trusted networks.',
  },
  dataDir: {
    env: 'VMD_DATA_DIR',
    flag: '--data-dir',
    kind: 'string',
    expected: 'a directory path',
    defaultText: '`$XDG_DATA_HOME/vmd`, else `~/.local/share/vmd`',
    description: "Directory for the daemon's state, the SQLite store vmd.db (created if missing).",
  },
  workers: {
    env: 'VMD_WORKERS',
    flag: '--workers',
    kind: 'int',
    expected: 'an integer from 1 to 256',
    defaultText: 'number of CPU cores (`os.availableParallelism()`)',
    description: 'Number of worker processes that run tenant code.',
  },
  workerMaxInFlight: {
    env: 'VMD_WORKER_MAX_IN_FLIGHT',
    flag: '--worker-max-in-flight',
    kind: 'int',
    expected: 'an integer from 1 to 1024',
    defaultText: 'number of CPU cores + 1',
    description:
      'Maximum executions in flight in one worker; the scheduler queues the rest. The global cap is workers × this.',
  },
  queueDepthPerTenant: {
    env: 'VMD_QUEUE_DEPTH_PER_TENANT',
    flag: '--queue-depth-per-tenant',
    kind: 'int',
    expected: 'an integer ≥ 1',
    defaultText: '`256`',
    description:
      'Requests one tenant may have waiting in the scheduler; beyond that Execute answers RESOURCE_EXHAUSTED (QUEUE_FULL).',
  },
  maxCodeBytes: {
    env: 'VMD_MAX_CODE_BYTES',
    flag: '--max-code-bytes',
    kind: 'int',
    expected: 'an integer from 1 to 67108864, below maxMessageBytes',
    defaultText: '`1048576` (1 MiB)',
    description:
      'Largest source code accepted (UTF-8 bytes), the default tenant code-size quota. Larger code gets INVALID_ARGUMENT (CODE_TOO_LARGE).',
  },
  maxMessageBytes: {
    env: 'VMD_MAX_MESSAGE_BYTES',
    flag: '--max-message-bytes',
    kind: 'int',
    expected: 'an integer from 1024 to 536870912',
    defaultText: '`8388608` (8 MiB)',
    description: 'Largest gRPC message the daemon receives; larger ones get RESOURCE_EXHAUSTED.',
  },
  shutdownGraceMs: {
    env: 'VMD_SHUTDOWN_GRACE_MS',
    flag: '--shutdown-grace-ms',
    kind: 'int',
    expected: 'an integer number of milliseconds ≥ 0',
    defaultText: '`10000`',
    description: 'On SIGTERM/SIGINT, how long in-flight calls may finish before they are cut off.',
  },
  replIdleTtlMs: {
    env: 'VMD_REPL_IDLE_TTL_MS',
    flag: '--repl-idle-ttl-ms',
    kind: 'int',
    expected: 'an integer number of milliseconds ≥ 1000',
    defaultText: '`900000` (15 min)',
    description:
      'A REPL session with no input for this long is discarded; until then a dropped connection can resume it. Clients may ask for less.',
  },
  replMaxLifetimeMs: {
    env: 'VMD_REPL_MAX_LIFETIME_MS',
    flag: '--repl-max-lifetime-ms',
    kind: 'int',
    expected: 'an integer number of milliseconds ≥ 1000',
    defaultText: '`28800000` (8 h)',
    description: 'A REPL session ends this long after it opened, whatever it does.',
  },
  replMaxSessions: {
    env: 'VMD_REPL_MAX_SESSIONS',
    flag: '--repl-max-sessions',
    kind: 'int',
    expected: 'an integer ≥ 1',
    defaultText: '`4096`',
    description:
      'Open REPL sessions in the daemon (each holds an isolate); per tenant, the repl_sessions quota applies too.',
  },
  otelConsole: {
    env: 'VMD_OTEL_CONSOLE',
    flag: '--otel-console',
    kind: 'boolean',
    expected: 'true or false',
    defaultText: '`false`',
    description:
      'Write every trace span to stderr as one JSON line (a quick look; stdout stays the log). Otherwise tracing follows the standard OTEL_* variables (e.g. OTEL_TRACES_EXPORTER=otlp, OTEL_EXPORTER_OTLP_ENDPOINT) and is off when none is set.',
  },
  metrics: {
    env: 'VMD_METRICS',
    flag: '--metrics',
    kind: 'string',
    expected: 'empty, or HOST:PORT (e.g. 127.0.0.1:9464)',
    defaultText: 'empty (no metrics endpoint)',
    description:
      'Serve OpenTelemetry metrics for Prometheus to scrape at http://HOST:PORT/metrics (docs/observability.md lists them). The endpoint has no authentication and its labels name tenants: a non-loopback HOST needs insecure, with or without auth. To push the same metrics to an OpenTelemetry collector, set OTEL_METRICS_EXPORTER=otlp (with or without this endpoint).',
  },
  usageRetentionDays: {
    env: 'VMD_USAGE_RETENTION_DAYS',
    flag: '--usage-retention-days',
    kind: 'int',
    expected: 'an integer number of days ≥ 0',
    defaultText: '`90`',
    description:
      'How long per-minute usage counters (GetUsage, vmctl usage) are kept in the store; 0 keeps them forever.',
  },
  auditRetentionDays: {
    env: 'VMD_AUDIT_RETENTION_DAYS',
    flag: '--audit-retention-days',
    kind: 'int',
    expected: 'an integer number of days ≥ 0',
    defaultText: '`365`',
    description:
      'How long audit log entries (admin actions and capability calls, "The audit log" below) are kept in the store; 0 keeps them forever.',
  },
  workerRssCeilingMib: {
    env: 'VMD_WORKER_RSS_CEILING_MIB',
    flag: '--worker-rss-ceiling-mib',
    kind: 'int',
    expected: 'an integer number of MiB ≥ 64',
    defaultText: '`1024`',
    description:
      'A worker whose resident memory passes this is killed and replaced (its in-flight runs fail).',
  },
  workerNice: {
    env: 'VMD_WORKER_NICE',
    flag: '--worker-nice',
    kind: 'int',
    expected: 'an integer from 0 to 19',
    defaultText: '`5`',
    description:
      "How much lower than the daemon workers run on the CPU: added to the daemon's nice value for every worker thread (at most 19). The daemon, its gRPC calls and supervision then go first when tenant code keeps the cores busy; 0 runs workers at the daemon's priority.",
  },
  workerUser: {
    env: 'VMD_WORKER_USER',
    flag: '--worker-user',
    kind: 'string',
    expected: 'a user name or numeric uid, or empty for automatic',
    defaultText: 'empty (automatic)',
    description:
      'When the daemon runs as root, the user workers run as. Empty: `nobody` if the installed code is world-readable, else keep root and log a warning. Ignored when not root.',
  },
  isolateSnapshot: {
    env: 'VMD_ISOLATE_SNAPSHOT',
    flag: '--isolate-snapshot',
    kind: 'boolean',
    expected: 'true or false',
    defaultText: '`true`',
    description:
      'Create each fresh isolate from a V8 startup snapshot holding the compiled sandbox bootstrap: 1.3× the throughput and 1.4× lower latency (docs/performance.md). `--no-isolate-snapshot` (or `false`) bootstraps every isolate from source instead, should a V8 upgrade make snapshots misbehave; a worker also falls back by itself if V8 cannot build one.',
  },
  workerPingIntervalMs: {
    env: 'VMD_WORKER_PING_INTERVAL_MS',
    flag: undefined,
    kind: 'int',
    expected: 'an integer from 100 to 60000',
    defaultText: '`1000`',
    description: 'How often each worker is pinged (health and statistics).',
  },
  workerPingTimeoutMs: {
    env: 'VMD_WORKER_PING_TIMEOUT_MS',
    flag: undefined,
    kind: 'int',
    expected: 'an integer from 500 to 600000',
    defaultText: '`5000`',
    description: 'A worker that does not answer a ping within this is killed and replaced.',
  },
  workerOverrunGraceMs: {
    env: 'VMD_WORKER_OVERRUN_GRACE_MS',
    flag: undefined,
    kind: 'int',
    expected: 'an integer number of milliseconds ≥ 0',
    defaultText: '`2000`',
    description:
      'A run still going this long after its wall limit has its worker killed (the run ends with TIMEOUT).',
  },
  logLevel: {
    env: 'VMD_LOG_LEVEL',
    flag: '--log-level',
    kind: 'enum',
    expected: LOG_LEVELS.join(', '),
    defaultText: '`info`',
    description: 'Minimum log level.',
  },
  logFormat: {
    env: 'VMD_LOG_FORMAT',
    flag: '--log-format',
    kind: 'enum',
    expected: LOG_FORMATS.join(' or '),
    defaultText: '`json`',
    description: '`json`: one pino JSON object per line on stdout. `pretty`: a short human-readable line.',
  },
  'defaultQuota.memoryMib': {
    env: 'VMD_DEFAULT_QUOTA_MEMORY_MIB',
    kind: 'int',
    expected: 'an integer from 8 to 4096',
    defaultText: '`64`',
    description: 'Default tenant quota: isolate heap limit per execution, MiB.',
  },
  'defaultQuota.cpuTimeMs': {
    env: 'VMD_DEFAULT_QUOTA_CPU_TIME_MS',
    kind: 'int',
    expected: 'an integer from 1 to 900000',
    defaultText: '`5000`',
    description: 'Default tenant quota: CPU time per execution, ms.',
  },
  'defaultQuota.wallTimeMs': {
    env: 'VMD_DEFAULT_QUOTA_WALL_TIME_MS',
    kind: 'int',
    expected: 'an integer from 1 to 900000',
    defaultText: '`10000`',
    description: 'Default tenant quota: wall time per execution, ms.',
  },
  'defaultQuota.outputBytes': {
    env: 'VMD_DEFAULT_QUOTA_OUTPUT_BYTES',
    kind: 'int',
    expected: 'an integer from 0 to 268435456',
    defaultText: '`1048576`',
    description: 'Default tenant quota: console output per execution, bytes.',
  },
  'defaultQuota.resultBytes': {
    env: 'VMD_DEFAULT_QUOTA_RESULT_BYTES',
    kind: 'int',
    expected: 'an integer from 16 to 268435456',
    defaultText: '`1048576`',
    description: 'Default tenant quota: serialized result per execution, bytes.',
  },
  'defaultQuota.consoleLinesPerSecond': {
    env: 'VMD_DEFAULT_QUOTA_CONSOLE_LINES_PER_SECOND',
    kind: 'int',
    expected: 'an integer from 1 to 1000000',
    defaultText: '`1000`',
    description: 'Default tenant quota: console lines per second.',
  },
} satisfies Record<string, ConfigKeyInfo>);
