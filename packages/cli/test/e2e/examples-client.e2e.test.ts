import { runExample, startDaemon, type RunningDaemon } from '@vmd/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The client's documented examples (examples/client/*.mjs), run as a user would run it
 * (`node examples/client/run-sum.mjs`, resolving @vmd/client from the workspace) against a
 * real daemon.
 */
let daemon: RunningDaemon;
beforeAll(async () => {
  daemon = await startDaemon();
});
afterAll(async () => {
  await daemon.stop();
});

describe('examples/client/run-sum.mjs', () => {
  it('streams the output, prints the result and the caught tenant failure', async () => {
    const r = await runExample('examples/client/run-sum.mjs', { VMD_ADDR: daemon.address });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 2)).toEqual(['[stdout] adding 4 numbers', '[stderr] this goes to stderr']);
    expect(lines[2]).toMatch(/^result: 10 \(cpu \d+\.\d\d ms\)$/);
    expect(lines[3]).toBe('caught: RUNTIME TypeError at line 1');
  });

  it('exits 2 with a readable message when no daemon answers', async () => {
    const r = await runExample('examples/client/run-sum.mjs', { VMD_ADDR: '127.0.0.1:1' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/UNAVAILABLE|cannot reach vmd/);
  });
});

describe('examples/client/repl-session.mjs', () => {
  it('keeps state, streams output, completes, resumes after a dropped connection, interrupts', async () => {
    const r = await runExample('examples/client/repl-session.mjs', { VMD_ADDR: daemon.address });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toEqual([
      '[stdout] summing',
      'total: 8',
      'completions: apple',
      'resumed the same session: pear = 5',
      'interrupted: CANCELLED, state lost: false',
    ]);
  });
});

describe('examples/client/traced-call.mjs', () => {
  it("continues the calling service's trace into vmd (the daemon's rpc log line has its trace id)", async () => {
    const traced = await startDaemon({ workers: 1, args: ['--otel-console'] });
    try {
      const r = await runExample('examples/client/traced-call.mjs', { VMD_ADDR: traced.address });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const [traceLine, totalLine] = r.stdout.trimEnd().split('\n');
      expect(totalLine).toBe('total 7');
      const traceId = /^trace ([0-9a-f]{32})$/.exec(traceLine ?? '')?.[1];
      expect(traceId).toBeDefined();
      for (
        let i = 0;
        i < 50 && !traced.logs.some((l) => l['msg'] === 'rpc' && l['tenant_id'] === 'acme');
        i++
      ) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const rpc = traced.logs.find((l) => l['msg'] === 'rpc' && l['tenant_id'] === 'acme');
      expect(rpc?.['trace_id']).toBe(traceId);
    } finally {
      await traced.stop();
    }
  });
});
