import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { RateLimitedDiagLogger } from './otel-diagnostics.js';
import { vmdResource } from './resource.js';
import { JsonLinesSpanExporter } from './tracing.js';
import { VERSION } from '../version.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: 'trace',
    destination: { write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>) },
  });
  return { logger, lines };
}

describe('RateLimitedDiagLogger', () => {
  it('logs each distinct message at most once per interval, then says how often it repeated', () => {
    const { logger, lines } = capture();
    let now = 0;
    const diag = new RateLimitedDiagLogger(logger, { intervalMs: 60_000, now: () => now });
    const failure = new Error('connect ECONNREFUSED 127.0.0.1:4318');
    for (let i = 0; i < 5; i++) diag.error('export failed', failure);
    diag.warn('another problem', { detail: 1 });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 50, msg: 'export failed', err: { message: failure.message } });
    expect(lines[1]).toMatchObject({ level: 40, msg: 'another problem', details: '{"detail":1}' });
    now = 59_999;
    diag.error('export failed', failure);
    expect(lines).toHaveLength(2);
    now = 60_000;
    diag.error('export failed', failure);
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatchObject({ msg: 'export failed', repeated: 5 });
  });

  it("says the message and code of an error OpenTelemetry's error handler passes as JSON", () => {
    const { logger, lines } = capture();
    const diag = new RateLimitedDiagLogger(logger);
    const json = (port: number) =>
      JSON.stringify({
        stack: `Error: connect ECONNREFUSED 127.0.0.1:4318\n    at TCPConnectWrap (node:net:1:1) ${port}`,
        message: 'connect ECONNREFUSED 127.0.0.1:4318',
        code: 'ECONNREFUSED',
      });
    diag.error(json(1));
    diag.error(json(2)); // another stack, the same message: left out
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      msg: 'connect ECONNREFUSED 127.0.0.1:4318',
      error_code: 'ECONNREFUSED',
    });
  });

  it('remembers a bounded number of messages', () => {
    const { logger, lines } = capture();
    const diag = new RateLimitedDiagLogger(logger, { maxMessages: 2, now: () => 0 });
    for (const m of ['a', 'b', 'c', 'a']) diag.warn(m);
    expect(lines.map((l) => l['msg'])).toEqual(['a', 'b', 'c', 'a']); // 'a' was forgotten
  });
});

describe('JsonLinesSpanExporter (--otel-console)', () => {
  it('writes each span as one JSON line with ids, kind, status, attributes and the service', async () => {
    const written: string[] = [];
    const provider = new TracerProvider({
      resource: vmdResource(),
      spanProcessors: [
        new SimpleSpanProcessor({ exporter: new JsonLinesSpanExporter((t) => written.push(t)) }),
      ],
    });
    const tracer = provider.getTracer('test');
    const parent = tracer.startSpan('parent', { kind: SpanKind.SERVER });
    const child = tracer.startSpan(
      'child',
      { attributes: { 'vmd.tenant': 'a' } },
      trace.setSpan(context.active(), parent),
    );
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'WORKER_CRASHED' });
    child.end();
    parent.end();
    await provider.forceFlush();
    const text = written.join('');
    expect(text.endsWith('\n')).toBe(true);
    const spans = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(spans).toHaveLength(2);
    const [childLine, parentLine] = spans;
    expect(parentLine).toMatchObject({
      type: 'span',
      name: 'parent',
      kind: 'SERVER',
      status: 'UNSET',
      service: 'vmd',
    });
    expect(childLine).toMatchObject({
      name: 'child',
      kind: 'INTERNAL',
      status: 'ERROR',
      status_message: 'WORKER_CRASHED',
      trace_id: parentLine!['trace_id'],
      parent_span_id: parentLine!['span_id'],
      attributes: { 'vmd.tenant': 'a' },
    });
    expect(typeof childLine!['duration_ms']).toBe('number');
    await provider.shutdown();
  });
});

describe('vmdResource', () => {
  it('names the service vmd with its version', () => {
    expect(vmdResource().attributes).toMatchObject({ 'service.name': 'vmd', 'service.version': VERSION });
  });
});
