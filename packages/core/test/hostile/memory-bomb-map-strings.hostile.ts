import type { HostileCase } from './harness.js';

/**
 * Grow a Map of distinct flat strings (1 KiB each) past the heap limit: MEMORY_LIMIT, worker
 * alive.
 *
 * FINDING (nondeterministic): usually MEMORY_LIMIT, but in some runs (depending on what ran
 * before in the worker) it ends in the same V8 fatal OOM as memory-bomb-map-objects: the run
 * never ends and the worker wedges.
 */
const hostileCase: HostileCase = {
  name: 'memory-bomb-map-strings',
  description: 'Map of distinct 1 KiB strings, forever, under a 32 MiB limit',
  limits: { memoryMib: 32, wallTimeMs: 2_000, cpuTimeMs: 2_000 },
  code: `
var m = new Map(); var base = 'y'.repeat(1024); var i = 0;
for (;;) { var s = (base + i).slice(0); s.charCodeAt(0); m.set(i, s + '!'); i++; }`,
  mayRetireWorker: true,
  expect: { status: 'error', kind: 'MEMORY_LIMIT' },
};
export default hostileCase;
