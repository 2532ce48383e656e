/**
 * OpenTelemetry tracing of the daemon. `@opentelemetry/sdk-node` is started only when something
 * is configured — the standard `OTEL_*` variables (`OTEL_TRACES_EXPORTER`,
 * `OTEL_EXPORTER_OTLP_ENDPOINT`, …) or `vmd serve --otel-console` — so an unconfigured daemon
 * pays for the no-op API only. Spans come from the gRPC adapters (one SERVER span per call, its
 * parent taken from the caller's W3C `traceparent` metadata) and from the services (queue wait,
 * worker dispatch); nothing in a span carries code, inputs or secrets. `--otel-console` writes
 * each span as one JSON line on stderr: stdout is the log, one JSON object per line.
 */
import {
  context,
  propagation,
  trace,
  SpanStatusCode,
  type Attributes,
  type Context,
  type Span,
  type TextMapGetter,
} from '@opentelemetry/api';
import type { Metadata } from '@grpc/grpc-js';
import { ExportResultCode, hrTimeToMilliseconds, type ExportResult } from '@opentelemetry/core';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import { vmdResource } from './resource.js';

/** The tracer of every vmd span. */
export const tracer = trace.getTracer('vmd');

/** Reads W3C trace context from gRPC metadata. */
export const metadataGetter: TextMapGetter<Metadata> = {
  keys: (m) => Object.keys(m.getMap()),
  get: (m, key) => {
    const values = m.get(key);
    return values.length === 0 ? undefined : values.map((v) => v.toString());
  },
};

/** True when the environment configures a trace exporter. */
export function tracingConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  const exporter = env['OTEL_TRACES_EXPORTER'];
  if (exporter !== undefined && exporter !== '') return exporter !== 'none';
  return Boolean(env['OTEL_EXPORTER_OTLP_ENDPOINT'] || env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']);
}

/**
 * What the start-up line says about tracing: on or off, which exporter, and where to. Never
 * `OTEL_EXPORTER_OTLP_HEADERS` (credentials), and an endpoint's user and password are cut.
 */
export function tracingSummary(options: { console: boolean; env?: NodeJS.ProcessEnv }): {
  fields: Record<string, unknown>;
  message: string;
} {
  const env = options.env ?? process.env;
  if (/^(true|1|yes|on)$/i.test(env['OTEL_SDK_DISABLED'] ?? '')) {
    return { fields: { tracing: false }, message: 'tracing off (OTEL_SDK_DISABLED)' };
  }
  if (options.console) {
    return {
      fields: { tracing: true, trace_exporter: 'console' },
      message: 'tracing on: each span as a JSON line on stderr (--otel-console)',
    };
  }
  if (!tracingConfigured(env)) {
    return {
      fields: { tracing: false },
      message:
        'tracing off (set OTEL_TRACES_EXPORTER or OTEL_EXPORTER_OTLP_ENDPOINT to export spans, or --otel-console)',
    };
  }
  const exporter = (env['OTEL_TRACES_EXPORTER'] ?? '').trim() || 'otlp';
  const fields: Record<string, unknown> = { tracing: true, trace_exporter: exporter };
  let where = '';
  if (exporter.split(',').some((e) => e.trim() === 'otlp')) {
    const protocol =
      env['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'] || env['OTEL_EXPORTER_OTLP_PROTOCOL'] || 'http/protobuf';
    const endpoint = withoutCredentials(
      env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] || env['OTEL_EXPORTER_OTLP_ENDPOINT'] || '',
    );
    fields['otlp_protocol'] = protocol;
    if (endpoint !== '') fields['otlp_endpoint'] = endpoint;
    where = ` (${protocol}) to ${endpoint !== '' ? endpoint : "the exporter's default endpoint"}`;
  }
  return { fields, message: `tracing on: spans exported with ${exporter}${where}` };
}

/** `endpoint` without a user or password in it (start-up lines never show credentials). */
export function withoutCredentials(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    if (url.username === '' && url.password === '') return endpoint;
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return endpoint;
  }
}

/** Starts the SDK if tracing is configured; returns its shutdown, or undefined. */
export function startTracing(options: {
  console: boolean;
  env?: NodeJS.ProcessEnv;
}): (() => Promise<void>) | undefined {
  if (!options.console && !tracingConfigured(options.env)) return undefined;
  const sdk = new NodeSDK({
    resource: vmdResource(),
    instrumentations: [],
    autoDetectResources: false,
    // Traces only: vmd's metrics have their own provider (metrics.ts, metric-push.ts) and its
    // logs go through pino. Left to itself the SDK would also start OTLP metric and log
    // exporters whenever an OTLP endpoint is set, pushing nothing of vmd's.
    metricReaders: [],
    logRecordProcessors: [],
    // Each span as it ends: a quick look should not wait for a batch.
    ...(options.console
      ? { spanProcessors: [new SimpleSpanProcessor({ exporter: new JsonLinesSpanExporter() })] }
      : {}),
  });
  sdk.start();
  return () => sdk.shutdown();
}

/** The trace context a call's metadata carries (or the root context). */
export function extractContext(metadata: Metadata): Context {
  return propagation.extract(context.active(), metadata, metadataGetter);
}

/** Runs `fn` in a child span of the active context; the span ends when `fn` settles. */
export async function withSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: err instanceof Error ? err.message : String(err),
      });
      throw err;
    } finally {
      span.end();
    }
  });
}

/** Records the phases a worker reported as child spans of the active span (their own times). */
export function recordPhases(
  phases: ReadonlyArray<{ name: string; startMs: number; endMs: number }> | undefined,
): void {
  if (phases === undefined || !trace.getActiveSpan()?.isRecording()) return;
  for (const p of phases) {
    if (!(p.endMs >= p.startMs)) continue;
    tracer.startSpan(p.name, { startTime: p.startMs }).end(p.endMs);
  }
}

/** W3C carrier of the active context, for the worker IPC message. */
export function activeCarrier(): { traceparent?: string; tracestate?: string } {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return {
    ...(carrier['traceparent'] ? { traceparent: carrier['traceparent'] } : {}),
    ...(carrier['tracestate'] ? { tracestate: carrier['tracestate'] } : {}),
  };
}

const SPAN_KINDS = ['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUS_CODES = ['UNSET', 'OK', 'ERROR'];

/**
 * `--otel-console`: writes each span as one JSON object per line (`"type":"span"`), to stderr by
 * default, so the log on stdout stays one pino JSON object per line.
 */
export class JsonLinesSpanExporter implements SpanExporter {
  constructor(
    private readonly write: (text: string) => void = (text) => {
      process.stderr.write(text);
    },
  ) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    if (spans.length > 0) this.write(`${spans.map((s) => JSON.stringify(spanLine(s))).join('\n')}\n`);
    done({ code: ExportResultCode.SUCCESS });
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

/** One span as a flat JSON object: ids, name, kind, times (ms), status, attributes, events. */
export function spanLine(span: ReadableSpan): Record<string, unknown> {
  const ctx = span.spanContext();
  const startMs = hrTimeToMilliseconds(span.startTime);
  return {
    type: 'span',
    time: new Date(startMs).toISOString(),
    name: span.name,
    kind: SPAN_KINDS[span.kind] ?? span.kind,
    trace_id: ctx.traceId,
    span_id: ctx.spanId,
    ...(span.parentSpanContext ? { parent_span_id: span.parentSpanContext.spanId } : {}),
    duration_ms: Math.round(hrTimeToMilliseconds(span.duration) * 1000) / 1000,
    status: STATUS_CODES[span.status.code] ?? span.status.code,
    ...(span.status.message ? { status_message: span.status.message } : {}),
    service: span.resource.attributes['service.name'],
    attributes: span.attributes,
    ...(span.events.length > 0
      ? {
          events: span.events.map((e) => ({
            name: e.name,
            time: new Date(hrTimeToMilliseconds(e.time)).toISOString(),
            ...(e.attributes ? { attributes: e.attributes } : {}),
          })),
        }
      : {}),
  };
}
