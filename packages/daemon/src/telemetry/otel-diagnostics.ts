/**
 * OpenTelemetry's own diagnostics (`diag`: an exporter that cannot reach its endpoint, a bad
 * `OTEL_*` value, a metric with conflicting definitions) go to the daemon's log, component
 * `otel`, instead of being dropped. A failing exporter repeats the same complaint on every
 * export, so each distinct message is logged at most once per interval (one minute by default);
 * the next line says how many were left out meanwhile (`repeated`).
 */
import { context, diag, DiagLogLevel, ROOT_CONTEXT, type DiagLogger } from '@opentelemetry/api';
import { diagLogLevelFromString } from '@opentelemetry/core';
import type { Logger } from 'pino';

/** Options of {@link RateLimitedDiagLogger}. */
export interface DiagLoggerOptions {
  /** A message is logged at most once per this many ms. @default 60000 */
  intervalMs?: number;
  /** Distinct messages remembered; the oldest is forgotten past this. @default 500 */
  maxMessages?: number;
  /** Clock, ms. @default Date.now */
  now?: () => number;
}

interface Seen {
  lastMs: number;
  repeated: number;
}

/** A `DiagLogger` writing to pino, each distinct message at most once per interval. */
export class RateLimitedDiagLogger implements DiagLogger {
  private readonly seen = new Map<string, Seen>();
  private readonly intervalMs: number;
  private readonly maxMessages: number;
  private readonly now: () => number;

  constructor(
    private readonly logger: Logger,
    options: DiagLoggerOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 60_000;
    this.maxMessages = options.maxMessages ?? 500;
    this.now = options.now ?? Date.now;
  }

  error = (message: string, ...args: unknown[]): void => this.write('error', message, args);
  warn = (message: string, ...args: unknown[]): void => this.write('warn', message, args);
  info = (message: string, ...args: unknown[]): void => this.write('info', message, args);
  debug = (message: string, ...args: unknown[]): void => this.write('debug', message, args);
  verbose = (message: string, ...args: unknown[]): void => this.write('trace', message, args);

  private write(
    level: 'error' | 'warn' | 'info' | 'debug' | 'trace',
    message: string,
    args: unknown[],
  ): void {
    // OpenTelemetry's global error handler (a failed export, …) hands over the error as JSON
    // text with its stack; the line says its message and code instead.
    const error = parseErrorJson(String(message));
    const text = error?.message ?? String(message);
    const key = `${level}\u0000${text}`;
    const now = this.now();
    const seen = this.seen.get(key);
    if (seen !== undefined && now - seen.lastMs < this.intervalMs) {
      seen.repeated++;
      return;
    }
    const repeated = seen?.repeated ?? 0;
    this.seen.delete(key);
    this.seen.set(key, { lastMs: now, repeated: 0 });
    if (this.seen.size > this.maxMessages) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    const fields: Record<string, unknown> = {};
    if (error?.code !== undefined) fields['error_code'] = error.code;
    const err = args.find((a): a is Error => a instanceof Error);
    if (err !== undefined) fields['err'] = err;
    const details = args.filter((a) => !(a instanceof Error)).map(describe);
    if (details.length > 0) fields['details'] = details.join(' ').slice(0, 2000);
    if (repeated > 0) fields['repeated'] = repeated;
    // Not the trace of whatever span happened to be active when the SDK complained.
    context.with(ROOT_CONTEXT, () => this.logger[level](fields, text.slice(0, 2000)));
  }
}

function parseErrorJson(text: string): { message: string; code?: string } | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(text) as { message?: unknown; code?: unknown };
    if (typeof parsed.message !== 'string' || parsed.message === '') return undefined;
    return {
      message: parsed.message,
      ...(typeof parsed.code === 'string' ? { code: parsed.code } : {}),
    };
  } catch {
    return undefined;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Routes OpenTelemetry's diagnostics to `logger`: warnings and errors, or the level
 * `OTEL_LOG_LEVEL` names.
 */
export function routeOtelDiagnostics(logger: Logger, env: NodeJS.ProcessEnv = process.env): void {
  const configured = env['OTEL_LOG_LEVEL'];
  const logLevel =
    (configured !== undefined && configured !== '' ? diagLogLevelFromString(configured) : undefined) ??
    DiagLogLevel.WARN;
  diag.setLogger(new RateLimitedDiagLogger(logger), { logLevel, suppressOverrideMessage: true });
}
