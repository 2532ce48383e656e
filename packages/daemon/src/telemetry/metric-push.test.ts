import { describe, expect, it } from 'vitest';
import { metricPushPlan, metricPushReader, metricPushSummary } from './metric-push.js';

describe('metricPushPlan', () => {
  it('pushes nothing unless OTEL_METRICS_EXPORTER asks for otlp, even with an OTLP endpoint for traces', () => {
    const plan = metricPushPlan({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' });
    expect(plan.protocol).toBeUndefined();
    expect(metricPushReader(plan)).toBeUndefined();
    expect(metricPushSummary(plan).fields).toEqual({ metrics_push: false });
  });

  it('pushes over http/protobuf to the base endpoint + /v1/metrics by default', () => {
    const plan = metricPushPlan({
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://user:secret@collector:4318/',
    });
    expect(plan).toMatchObject({
      protocol: 'http/protobuf',
      intervalMs: 60_000,
      timeoutMs: 30_000,
      endpoint: 'http://collector:4318/v1/metrics',
      ignored: [],
    });
    expect(metricPushReader(plan)).toBeDefined();
    expect(metricPushSummary(plan).message).toBe(
      'pushing metrics over OTLP (http/protobuf) to http://collector:4318/v1/metrics every 60 s',
    );
  });

  it('follows the metrics-specific protocol, endpoint, interval and timeout', () => {
    const plan = metricPushPlan({
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://collector:4317',
      OTEL_METRIC_EXPORT_INTERVAL: '5000',
      OTEL_METRIC_EXPORT_TIMEOUT: '9000',
    });
    // The timeout is cut to the interval, as the SDK does.
    expect(plan).toMatchObject({
      protocol: 'grpc',
      endpoint: 'http://collector:4317',
      intervalMs: 5000,
      timeoutMs: 5000,
    });
  });

  it('refuses console, prometheus and unknown exporters with a reason, and keeps otlp', () => {
    const plan = metricPushPlan({ OTEL_METRICS_EXPORTER: 'console, prometheus,otlp,statsd' });
    expect(plan.protocol).toBe('http/protobuf');
    expect(plan.ignored.map((i) => i.setting)).toEqual([
      'OTEL_METRICS_EXPORTER=console',
      'OTEL_METRICS_EXPORTER=prometheus',
      'OTEL_METRICS_EXPORTER=statsd',
    ]);
    expect(plan.ignored[1]?.reason).toContain('--metrics HOST:PORT');
  });

  it('none, or OTEL_SDK_DISABLED, turns the push off', () => {
    expect(metricPushPlan({ OTEL_METRICS_EXPORTER: 'otlp,none' }).protocol).toBeUndefined();
    expect(
      metricPushPlan({ OTEL_METRICS_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'true' }).protocol,
    ).toBeUndefined();
  });

  it('names a bad protocol or interval and falls back to the default', () => {
    const plan = metricPushPlan({
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'udp',
      OTEL_METRIC_EXPORT_INTERVAL: '-5',
    });
    expect(plan.protocol).toBe('http/protobuf');
    expect(plan.intervalMs).toBe(60_000);
    expect(plan.ignored.map((i) => i.setting)).toEqual([
      'OTLP protocol udp',
      'OTEL_METRIC_EXPORT_INTERVAL=-5',
    ]);
  });
});
