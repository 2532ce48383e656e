import { describe, expect, it } from 'vitest';
import { defaultConfig, type DaemonConfig } from '../config/schema.js';
import { exposureWarnings, listenerSummary } from './startup-summary.js';
import { tracingSummary } from './tracing.js';

const config = (over: Partial<DaemonConfig>): DaemonConfig => ({ ...defaultConfig(), ...over });

describe('start-up summary', () => {
  it('says the mode and TLS of the listener', () => {
    expect(listenerSummary(config({})).fields).toMatchObject({ mode: 'local', auth: false, tls: 'off' });
    expect(listenerSummary(config({ auth: true, tlsCert: 'c', tlsKey: 'k' })).fields).toMatchObject({
      mode: 'secure',
      tls: 'on',
      exposure: expect.stringMatching(/; TLS$/) as unknown,
    });
    expect(listenerSummary(config({ listen: '0.0.0.0:50051', insecure: true })).fields.exposure).toMatch(
      /^local mode: no authentication, reachable from the network/,
    );
  });

  it('warns of what is reachable off this host without credentials, and only that', () => {
    expect(exposureWarnings(config({ insecure: true }))).toEqual([]);
    expect(exposureWarnings(config({ auth: true, listen: '0.0.0.0:50051' }))).toEqual([]);
    const both = exposureWarnings(config({ insecure: true, listen: '0.0.0.0:1', metrics: '0.0.0.0:2' }));
    expect(both.map((w) => w.message)).toEqual([
      'insecure: gRPC on 0.0.0.0:1 without authentication; anyone who reaches it can run code as any tenant',
      'insecure: metrics on 0.0.0.0:2 without authentication; anyone who reaches it sees tenant names',
    ]);
  });

  it('says whether tracing is on and where spans go', () => {
    expect(tracingSummary({ console: false, env: {} }).fields).toEqual({ tracing: false });
    expect(tracingSummary({ console: true, env: { OTEL_SDK_DISABLED: 'true' } }).fields).toEqual({
      tracing: false,
    });
    expect(
      tracingSummary({
        console: false,
        env: { OTEL_TRACES_EXPORTER: 'zipkin' },
      }),
    ).toEqual({
      fields: { tracing: true, trace_exporter: 'zipkin' },
      message: 'tracing on: spans exported with zipkin',
    });
    expect(
      tracingSummary({
        console: false,
        env: {
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector:4317',
          OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        },
      }).message,
    ).toBe('tracing on: spans exported with otlp (grpc) to https://collector:4317');
  });
});
