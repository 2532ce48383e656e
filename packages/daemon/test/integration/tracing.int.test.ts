import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { context, propagation, trace, SpanKind } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { VmdClient } from '@vmd/client';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/schema.js';
import { createDaemon, type Daemon } from '../../src/daemon.js';

/**
 * One trace from a calling service into vmd: the test process plays the calling service (its
 * own span, propagated by @vmd/client as W3C metadata) and hosts the daemon in-process (its
 * workers are real processes), with an in-memory span exporter.
 */
const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
let daemon: Daemon;
let client: VmdClient;
let dataDir: string;
const logLines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'vmd-tracing-'));
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => logLines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  daemon = createDaemon({ ...defaultConfig(), listen: '127.0.0.1:0', dataDir, workers: 1 }, { logger });
  const address = await daemon.start();
  client = new VmdClient({ address });
});
afterAll(async () => {
  client.close();
  await daemon.stop();
  await provider.shutdown();
  trace.disable();
  propagation.disable();
  context.disable();
  await rm(dataDir, { recursive: true, force: true });
});

describe('tracing', () => {
  it('one trace id covers the caller, the daemon RPC, the queue wait and the worker run', async () => {
    const callerTrace = await trace.getTracer('caller').startActiveSpan('checkout', async (span) => {
      const r = await client.run('console.log("printed-by-tenant"); 6 * 7', {
        tenant: 'traced',
        input: { secret: 'do-not-trace' },
      });
      expect(r.ok).toBe(true);
      span.end();
      return span.spanContext().traceId;
    });
    await provider.forceFlush();
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === callerTrace);
    const byName = new Map(spans.map((s) => [s.name, s]));
    const caller = byName.get('checkout')!;
    const rpc = byName.get('vmd.v1.ExecutionService/Execute')!;
    const queue = byName.get('vmd.queue')!;
    const run = byName.get('vmd.worker.run')!;
    expect([caller, rpc, queue, run].every(Boolean)).toBe(true);
    expect(rpc.kind).toBe(SpanKind.SERVER);
    expect(rpc.parentSpanContext?.spanId).toBe(caller.spanContext().spanId);
    expect(queue.parentSpanContext?.spanId).toBe(rpc.spanContext().spanId);
    expect(run.parentSpanContext?.spanId).toBe(rpc.spanContext().spanId);
    // The worker's own phases, reported with the outcome, under the worker run span.
    for (const phase of ['vmd.isolate.acquire', 'vmd.isolate.run', 'vmd.isolate.settle-and-serialize']) {
      const span = byName.get(phase);
      expect(span, phase).toBeDefined();
      expect(span!.parentSpanContext?.spanId).toBe(run.spanContext().spanId);
    }
    const runPhase = byName.get('vmd.isolate.run')!;
    expect(runPhase.endTime[0] * 1e3 + runPhase.endTime[1] / 1e6).toBeGreaterThanOrEqual(
      runPhase.startTime[0] * 1e3 + runPhase.startTime[1] / 1e6,
    );
    expect(rpc.attributes).toMatchObject({
      'vmd.tenant': 'traced',
      'vmd.outcome': 'ok',
      'rpc.grpc.status_code': 0,
    });
    expect(run.attributes).toMatchObject({ 'vmd.outcome': 'ok', 'vmd.limits.memory_mib': 64 });
    expect(run.attributes['vmd.cpu_time_ms']).toBeGreaterThan(0);
    expect(run.attributes['vmd.heap_used_bytes']).toBeGreaterThan(0);
    // Never code, inputs or output in a span.
    const everything = JSON.stringify(spans.map((s) => s.attributes));
    expect(everything).not.toContain('do-not-trace');
    expect(everything).not.toContain('printed-by-tenant');
    expect(everything).not.toContain('6 * 7');
  });

  it('traces an invocation: the worker invoke span, its phases and each capability call', async () => {
    await client.tenants.create('traced-fn', { capabilities: { kv: true } });
    await client.functions.deploy(
      'counter',
      "module.exports = async () => { await kv.put('n', 1); return kv.get('n'); };",
      {
        tenant: 'traced-fn',
        capabilities: ['kv'],
      },
    );
    const traceId = await trace.getTracer('caller').startActiveSpan('job', async (span) => {
      const r = await client.functions.invoke('counter', null, { tenant: 'traced-fn' });
      expect(r.ok && r.value.value).toBe(1);
      span.end();
      return span.spanContext().traceId;
    });
    await provider.forceFlush();
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    const invoke = spans.find((s) => s.name === 'vmd.worker.invoke')!;
    expect(invoke.attributes).toMatchObject({ 'vmd.function': 'counter', 'vmd.warm': false });
    const caps = spans.filter((s) => s.name === 'vmd.capability');
    expect(caps.map((s) => s.attributes['vmd.capability.op'])).toEqual(['put', 'get']);
    expect(caps.every((s) => s.parentSpanContext?.spanId === invoke.spanContext().spanId)).toBe(true);
    expect(spans.some((s) => s.name === 'vmd.isolate.load-and-run')).toBe(true);
  });

  it("puts the trace and span ids on the request's log line", () => {
    const rpcLine = logLines.find((l) => l['msg'] === 'rpc' && l['tenant_id'] === 'traced');
    expect(rpcLine?.['trace_id']).toMatch(/^[0-9a-f]{32}$/);
    expect(rpcLine?.['span_id']).toMatch(/^[0-9a-f]{16}$/);
    const rpc = exporter.getFinishedSpans().find((s) => s.name === 'vmd.v1.ExecutionService/Execute')!;
    expect(rpcLine?.['trace_id']).toBe(rpc.spanContext().traceId);
  });
});
