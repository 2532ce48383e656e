import type { HostileCase } from './harness.js';

/**
 * A module whose top-level await waits on a promise that never settles (and a default export
 * function returning another), with nothing pending that could ever settle it. DESIGN.md:
 * promises that never settle must not outlive the run. Either the wall limit ends it
 * (TIMEOUT) or the engine sees at once that nothing can settle it (RUNTIME "never settled",
 * like Node's unsettled top-level await); never a hang.
 */
const hostileCase: HostileCase = {
  name: 'never-settling-promise',
  description: 'await new Promise(() => {}) at module top level',
  sourceType: 'module',
  limits: { wallTimeMs: 1_000, cpuTimeMs: 500 },
  code: `await new Promise(() => {});
export default async function () { return new Promise(() => {}); }`,
  expect: [
    { status: 'error', kind: 'TIMEOUT' },
    { status: 'error', kind: 'RUNTIME', message: /never settled/ },
  ],
};
export default hostileCase;
