import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { execute, sleep, startTestDaemon, type TestDaemon } from './helpers.js';

/**
 * Where a real daemon's telemetry goes: `--otel-console` spans as JSON lines on stderr (stdout
 * stays the one-JSON-object-per-line log), the metrics' resource (`target_info`), and
 * OpenTelemetry's own complaints (an OTLP endpoint that cannot be reached) in the log.
 */
let d: TestDaemon | undefined;
afterEach(async () => {
  await d?.stop();
  d = undefined;
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('--otel-console', () => {
  it('writes spans as JSON lines on stderr and leaves stdout to the JSON log', async () => {
    d = await startTestDaemon({
      workers: 1,
      args: ['--otel-console'],
      env: { OTEL_BSP_SCHEDULE_DELAY: '50' },
    });
    let stdout = '';
    d.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const r = await execute(d.client, { tenant: 'traced', code: '6 * 7' });
    expect(r.error).toBeUndefined();
    const daemon = d;
    const rpcSpan = await waitFor('the Execute span on stderr', () =>
      daemon
        .stderr()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((s) => s['name'] === 'vmd.v1.ExecutionService/Execute'),
    );
    expect(rpcSpan).toMatchObject({ type: 'span', kind: 'SERVER', service: 'vmd', status: 'UNSET' });
    expect(rpcSpan['trace_id']).toMatch(/^[0-9a-f]{32}$/);
    await sleep(200); // anything else the exporter would print
    const lines = stdout.split('\n').filter((l) => l !== '');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
    const rpcLine = d.logs.find((l) => l.msg === 'rpc' && l['rpc_method'] === 'Execute');
    expect(rpcLine?.['trace_id']).toBe(rpcSpan['trace_id']);
    // Nothing on stderr that is not a span line.
    const other = d
      .stderr()
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('{"type":"span"'));
    expect(other).toEqual([]);
  });
});

describe('metrics resource', () => {
  it('target_info names the service vmd and its version, as traces do', async () => {
    const port = await freePort();
    d = await startTestDaemon({ workers: 1, args: ['--metrics', `127.0.0.1:${port}`] });
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const info = text.split('\n').find((l) => l.startsWith('target_info{'));
    expect(info).toMatch(/service_name="vmd"/);
    expect(info).toMatch(/service_version="\d+\.\d+\.\d+[^"]*"/);
    expect(text).not.toContain('unknown_service');
  });
});

describe('metrics pushed over OTLP (OTEL_METRICS_EXPORTER=otlp)', () => {
  let collector: HttpServer | undefined;
  afterEach(async () => {
    // The daemon first: it pushes its last values as it stops.
    await d?.stop();
    d = undefined;
    collector?.close();
    collector = undefined;
  });

  /** A stand-in collector (OTLP/HTTP with JSON bodies, so the test can read them); its port. */
  async function startCollector(bodies: Array<{ path: string; body: string }>): Promise<number> {
    collector = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        bodies.push({ path: req.url ?? '', body });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    const server = collector;
    return new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
    );
  }

  function pushEnv(port: number, intervalMs: number): Record<string, string> {
    return {
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      OTEL_METRIC_EXPORT_INTERVAL: String(intervalMs),
    };
  }

  it("pushes vmd's own instruments to the collector, without --metrics", async () => {
    const bodies: Array<{ path: string; body: string }> = [];
    const port = await startCollector(bodies);
    // Traces go to the same collector: the tracing SDK must not push metrics or logs of its own.
    d = await startTestDaemon({ workers: 1, env: { ...pushEnv(port, 300), OTEL_TRACES_EXPORTER: 'otlp' } });
    const line = d.logs.find((l) => l['metrics_push'] === true);
    expect(line?.msg).toBe(
      `pushing metrics over OTLP (http/json) to http://127.0.0.1:${port}/v1/metrics every 0.3 s`,
    );
    await execute(d.client, { tenant: 'pushed', code: '6 * 7' });
    const pushed = await waitFor('a push that counts the run', () =>
      bodies.find((b) => b.body.includes('vmd_executions') && b.body.includes('pushed')),
    );
    expect(pushed.path).toBe('/v1/metrics');
    const doc = JSON.parse(pushed.body) as {
      resourceMetrics: Array<{
        resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
        scopeMetrics: Array<{ metrics: Array<{ name: string }> }>;
      }>;
    };
    const rm = doc.resourceMetrics[0]!;
    expect(rm.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue).toBe('vmd');
    const names = rm.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.name));
    expect(names).toEqual(expect.arrayContaining(['vmd_executions', 'vmd_rpc', 'vmd_queue_depth']));
    await sleep(700); // two more intervals
    const metricBodies = bodies.filter((b) => b.path === '/v1/metrics');
    expect(metricBodies.every((b) => b.body.includes('vmd_queue_depth'))).toBe(true);
    expect(bodies.filter((b) => !['/v1/metrics', '/v1/traces'].includes(b.path))).toEqual([]);
  });

  it('pushes the last values when the daemon stops, before the next interval', async () => {
    const bodies: Array<{ path: string; body: string }> = [];
    const port = await startCollector(bodies);
    const daemon = await startTestDaemon({ workers: 1, env: pushEnv(port, 600_000) });
    d = daemon;
    await execute(daemon.client, { tenant: 'last-push', code: '1' });
    expect(bodies.some((b) => b.body.includes('last-push'))).toBe(false);
    d = undefined;
    await daemon.stop();
    expect(bodies.some((b) => b.body.includes('vmd_executions') && b.body.includes('last-push'))).toBe(true);
  });
});

describe('OpenTelemetry diagnostics', () => {
  it('an OTLP endpoint that cannot be reached is logged, once per message and minute', async () => {
    const closed = await freePort();
    d = await startTestDaemon({
      workers: 1,
      env: {
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${closed}`,
        OTEL_EXPORTER_OTLP_TIMEOUT: '500',
        OTEL_BSP_SCHEDULE_DELAY: '50',
        OTEL_LOGS_EXPORTER: 'none',
        OTEL_METRICS_EXPORTER: 'none',
      },
    });
    const daemon = d;
    const otelLines = () => daemon.logs.filter((l) => l['component'] === 'otel');
    for (let i = 0; i < 3; i++) {
      await execute(d.client, { tenant: 'traced', code: String(i) });
      await sleep(300);
    }
    const first = await waitFor('an otel log line', () => otelLines()[0]);
    expect(first.level).toBeGreaterThanOrEqual(40);
    expect(first.msg).toMatch(/ECONNREFUSED/);
    expect(first['trace_id']).toBeUndefined();
    // More failed exports meanwhile: still one line per distinct message.
    for (let i = 0; i < 3; i++) {
      await execute(d.client, { tenant: 'traced', code: String(i) });
      await sleep(300);
    }
    await sleep(1_500);
    const messages = otelLines().map((l) => l.msg);
    expect(new Set(messages).size).toBe(messages.length);
  });

  it('spans that cannot be delivered at shutdown cost a warning, not a failed shutdown', async () => {
    // The last export of spans fails (nothing listens): the store is still closed, the data
    // dir's lock released, and the exit code is 0. Before, the shutdown failed with exit code 1
    // right after the workers stopped, leaving both.
    const closed = await freePort();
    const daemon = await startTestDaemon({
      workers: 1,
      env: {
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${closed}`,
        OTEL_EXPORTER_OTLP_TIMEOUT: '500',
        OTEL_BSP_SCHEDULE_DELAY: '60000',
      },
    });
    d = daemon;
    await execute(daemon.client, { tenant: 'traced', code: '1' });
    d = undefined;
    await daemon.stop();
    expect((await daemon.exited).code).toBe(0);
    const msgs = daemon.logs.map((l) => String(l.msg));
    expect(msgs).toContain('shutdown: complete');
    expect(msgs.some((m) => m.startsWith('shutdown: the last export of spans'))).toBe(true);
    expect(msgs).not.toContain('shutdown: failed');
  });
});
