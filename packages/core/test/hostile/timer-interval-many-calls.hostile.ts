import { expect } from 'vitest';
import type { HostileCase } from './harness.js';

/**
 * 100 intervals of 1 ms keep the run's timer loop calling into the isolate, ~16,000 calls a
 * second, until the wall limit. Plain code, nothing hostile in it, and it used to kill the
 * worker with SIGSEGV right after the TIMEOUT: every call carried isolated-vm's `timeout` set to
 * the run's remaining wall time, isolated-vm keeps a finished call's timer until its deadline,
 * and at that deadline it dropped the ~90,000 expired timers recursively, past its thread's
 * stack. The run must end with TIMEOUT and the same worker must serve the next run. Its cpu
 * limit is above the wall limit: the timer turns keep the worker's thread busy as well as the
 * isolate's, both count as the run's CPU, and with equal limits it would end with CPU_LIMIT
 * after ~4 s, before the number of calls that overflowed the stack.
 */
const hostileCase: HostileCase = {
  name: 'timer-interval-many-calls',
  description: '100 × setInterval(f, 1) until the wall limit: ~90,000 isolate calls in one run',
  limits: { wallTimeMs: 6_000, cpuTimeMs: 15_000 },
  code: `for (let i = 0; i < 100; i++) setInterval(() => {}, 1); 'ok'`,
  expect: { status: 'error', kind: 'TIMEOUT' },
  followUp: { code: '1 + 1', expect: { status: 'ok', check: (v) => void expect(v).toBe(2) } },
};
export default hostileCase;
