import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execute, startTestDaemon, type TestDaemon } from './helpers.js';

/** `vmd serve --metrics HOST:PORT`: the Prometheus endpoint of a real daemon after a few runs. */
let d: TestDaemon;
let metricsUrl: string;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  const port = await freePort();
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
  d = await startTestDaemon({ workers: 1, args: ['--metrics', `127.0.0.1:${port}`] });
});
afterAll(async () => {
  await d.stop();
});

describe('Prometheus metrics', () => {
  it('answers with the documented metric names and labels after a few runs', async () => {
    await execute(d.client, { tenant: 'metrics-a', code: 'console.log("x"); 1' });
    await execute(d.client, { tenant: 'metrics-a', code: 'null.x' });
    const res = await fetch(metricsUrl);
    expect(res.status).toBe(200);
    const text = await res.text();
    for (const name of [
      'vmd_executions_total',
      'vmd_cpu_time_ms_total',
      'vmd_queue_wait_ms_bucket',
      'vmd_run_duration_ms_bucket',
      'vmd_request_duration_ms_bucket',
      'vmd_warm_isolates',
      'vmd_heap_used_bytes_bucket',
      'vmd_output_bytes_total',
      'vmd_queue_depth',
      'vmd_runs_in_flight',
      'vmd_repl_sessions',
      'vmd_worker_rss_bytes',
      'vmd_pinned_isolates',
      'vmd_worker_restarts_total',
      'vmd_daemon_rss_bytes',
      'vmd_daemon_heap_used_bytes',
    ]) {
      expect(text, name).toMatch(new RegExp(`^${name}[{ ]`, 'm'));
    }
    expect(text).toMatch(/^vmd_executions_total\{tenant="metrics-a",kind="execute",outcome="ok"\} 1/m);
    expect(text).toMatch(/^vmd_executions_total\{tenant="metrics-a",kind="execute",outcome="RUNTIME"\} 1/m);
  });
});
