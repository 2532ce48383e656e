import { expect } from 'vitest';
import type { HostileCase } from './harness.js';

/**
 * A FinalizationRegistry callback that loops forever, queued by a GC at the very end of the
 * script, so it runs on the isolate's thread after the run's last driver call returned its
 * result. A synchronous host call at that point (reading the heap for the run's metrics) would
 * wait for the callback on the worker's event loop, forever: the worker stops answering, its
 * other runs and pings with it. The engine's calls after a run are asynchronous and raced
 * against the run's limits, so the worker keeps serving.
 */
const hostileCase: HostileCase = {
  name: 'finalization-registry-late-loop',
  description: 'a looping FinalizationRegistry callback that starts after the result was made',
  limits: { wallTimeMs: 400, cpuTimeMs: 300 },
  code: `
var registry = new FinalizationRegistry(function () { for (;;) {} });
registry.register({ i: 1 }, 1);
{ var keep = []; for (var i = 0; i < 60; i++) { keep.push(new Array(2e5).fill(i)); if (keep.length > 4) keep.shift(); } keep = null; }
'done'`,
  // Answered before the callback started (the isolate, disposed after the answer, ends it) or
  // ended by the run's limits: either way the worker keeps serving.
  expect: [{ status: 'ok' }, { status: 'error', kind: 'TIMEOUT' }],
  followUp: {
    code: `'still serving'`,
    expect: {
      status: 'ok',
      check: (v: unknown) => {
        expect(v).toBe('still serving');
      },
    },
  },
};
export default hostileCase;
