/**
 * Pushing the daemon's metrics over OTLP, as the standard `OTEL_METRICS_EXPORTER=otlp` asks.
 *
 * vmd's metrics live in their own MeterProvider (telemetry/metrics.ts), which `--metrics
 * HOST:PORT` serves for Prometheus to scrape. With `OTEL_METRICS_EXPORTER=otlp` the same
 * instruments are also pushed every `OTEL_METRIC_EXPORT_INTERVAL` ms (default 60,000) to the
 * OTLP endpoint of the usual variables (`OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`,
 * `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_METRICS_PROTOCOL` or
 * `OTEL_EXPORTER_OTLP_PROTOCOL`: `http/protobuf` by default, `http/json`, `grpc`). Unlike the
 * OpenTelemetry SDK, vmd pushes nothing unless asked: an unset variable means no push, so
 * configuring traces alone does not start a metrics exporter too. `console` and `prometheus`
 * are refused with a reason (stdout is the log; `--metrics` is vmd's Prometheus endpoint).
 */
import { OTLPMetricExporter as OtlpGrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as OtlpJsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as OtlpProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { PeriodicExportingMetricReader, type IMetricReader } from '@opentelemetry/sdk-metrics';
import { withoutCredentials } from './tracing.js';

const DEFAULT_INTERVAL_MS = 60_000;
const DEFAULT_TIMEOUT_MS = 30_000;

/** The OTLP push the environment asks for, or why it asks for none. */
export interface MetricPushPlan {
  /** The protocol, or undefined when nothing is pushed. */
  protocol?: 'http/protobuf' | 'http/json' | 'grpc';
  intervalMs: number;
  timeoutMs: number;
  /** Where to, as the start-up line shows it (credentials cut); '' for the exporter's default. */
  endpoint: string;
  /** Values of OTEL_METRICS_EXPORTER (or others) that vmd does not act on, each with why. */
  ignored: Array<{ setting: string; reason: string }>;
}

/** Reads the OTEL_* variables that decide whether and where metrics are pushed. */
export function metricPushPlan(env: NodeJS.ProcessEnv = process.env): MetricPushPlan {
  const plan: MetricPushPlan = {
    intervalMs: DEFAULT_INTERVAL_MS,
    timeoutMs: DEFAULT_TIMEOUT_MS,
    endpoint: '',
    ignored: [],
  };
  if (/^(true|1|yes|on)$/i.test(env['OTEL_SDK_DISABLED'] ?? '')) return plan;
  const exporters = [
    ...new Set(
      (env['OTEL_METRICS_EXPORTER'] ?? '')
        .split(',')
        .map((e) => e.trim())
        .filter((e) => e !== ''),
    ),
  ];
  if (exporters.includes('none')) return plan;
  for (const e of exporters) {
    if (e === 'otlp') continue;
    plan.ignored.push({
      setting: `OTEL_METRICS_EXPORTER=${e}`,
      reason:
        e === 'prometheus'
          ? 'vmd serves Prometheus itself: use --metrics HOST:PORT'
          : e === 'console'
            ? "stdout is vmd's log: scrape --metrics HOST:PORT, or push with otlp"
            : 'unknown exporter (vmd supports otlp and none)',
    });
  }
  if (!exporters.includes('otlp')) return plan;

  const raw = (env['OTEL_EXPORTER_OTLP_METRICS_PROTOCOL'] || env['OTEL_EXPORTER_OTLP_PROTOCOL'] || '').trim();
  if (raw === 'grpc' || raw === 'http/json' || raw === 'http/protobuf') plan.protocol = raw;
  else {
    plan.protocol = 'http/protobuf';
    if (raw !== '')
      plan.ignored.push({
        setting: `OTLP protocol ${raw}`,
        reason: 'not one of http/protobuf, http/json, grpc; using http/protobuf',
      });
  }
  plan.intervalMs = positive(env, 'OTEL_METRIC_EXPORT_INTERVAL', DEFAULT_INTERVAL_MS, plan);
  plan.timeoutMs = Math.min(
    positive(env, 'OTEL_METRIC_EXPORT_TIMEOUT', DEFAULT_TIMEOUT_MS, plan),
    plan.intervalMs,
  );
  const metricsEndpoint = env['OTEL_EXPORTER_OTLP_METRICS_ENDPOINT'] ?? '';
  const base = env['OTEL_EXPORTER_OTLP_ENDPOINT'] ?? '';
  plan.endpoint = withoutCredentials(
    metricsEndpoint !== ''
      ? metricsEndpoint
      : base !== '' && plan.protocol !== 'grpc'
        ? `${base.replace(/\/+$/, '')}/v1/metrics`
        : base,
  );
  return plan;
}

/** The reader that pushes the metrics as `plan` says, or undefined when nothing is pushed. */
export function metricPushReader(plan: MetricPushPlan): IMetricReader | undefined {
  if (plan.protocol === undefined) return undefined;
  // Each exporter reads its endpoint, headers, timeout and temporality from the same variables.
  const exporter =
    plan.protocol === 'grpc'
      ? new OtlpGrpcMetricExporter()
      : plan.protocol === 'http/json'
        ? new OtlpJsonMetricExporter()
        : new OtlpProtoMetricExporter();
  return new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: plan.intervalMs,
    exportTimeoutMillis: plan.timeoutMs,
  });
}

/** The start-up line about the push. */
export function metricPushSummary(plan: MetricPushPlan): {
  fields: Record<string, unknown>;
  message: string;
} {
  if (plan.protocol === undefined) {
    return {
      fields: { metrics_push: false },
      message: 'metrics push off (set OTEL_METRICS_EXPORTER=otlp to push over OTLP)',
    };
  }
  const where = plan.endpoint !== '' ? plan.endpoint : "the exporter's default endpoint";
  return {
    fields: {
      metrics_push: true,
      metrics_otlp_protocol: plan.protocol,
      ...(plan.endpoint !== '' ? { metrics_otlp_endpoint: plan.endpoint } : {}),
      metrics_push_interval_ms: plan.intervalMs,
    },
    message: `pushing metrics over OTLP (${plan.protocol}) to ${where} every ${plan.intervalMs / 1000} s`,
  };
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number, plan: MetricPushPlan): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (Number.isFinite(n) && n > 0) return n;
  plan.ignored.push({ setting: `${name}=${raw}`, reason: `not a positive number of ms; using ${fallback}` });
  return fallback;
}
