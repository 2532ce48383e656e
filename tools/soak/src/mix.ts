/**
 * The soak's workloads: what each kind of run sends and what its outcome must be.
 *
 * The mix repeats every 100 runs in a fixed order: 85 trivial, 10 console-heavy, 3 that pass
 * the memory limit and 2 that pass the wall-time limit, spread out so that no two heavy runs
 * follow each other.
 */
import type { ExecuteOptions, RunOutcome } from '@vmd/client';

/** The kinds of run in the mix. */
export type RunKind = 'trivial' | 'console' | 'memory' | 'timeout';

/** Every kind, in report order. */
export const RUN_KINDS: readonly RunKind[] = ['trivial', 'console', 'memory', 'timeout'];

/** Console lines printed by one console-heavy run. */
export const CONSOLE_LINES = 50;
/** Heap limit of the memory-limit runs, MiB. */
export const MEMORY_LIMIT_MIB = 16;
/** Wall-time limit of the timeout runs, ms. */
export const TIMEOUT_MS = 50;

/** One workload: its code, its options (tenant and deadline are added by the runner), its check. */
export interface Workload {
  code: string;
  options: ExecuteOptions;
  /** `undefined` when the outcome is the expected one, else why not (for the report). */
  check: (outcome: RunOutcome) => string | undefined;
}

const failureOf = (outcome: RunOutcome): string =>
  outcome.ok
    ? `ok with ${outcome.value.preview}`
    : `${outcome.failure.kind} (${outcome.failure.name}: ${outcome.failure.message})`;

const expectFailure =
  (kind: string) =>
  (outcome: RunOutcome): string | undefined =>
    !outcome.ok && outcome.failure.kind === kind ? undefined : `expected ${kind}, got ${failureOf(outcome)}`;

/** The workloads by kind. */
export const WORKLOADS: Readonly<Record<RunKind, Workload>> = {
  trivial: {
    code: '1 + 1',
    options: {},
    check: (outcome) =>
      outcome.ok && outcome.value.json === '2' ? undefined : `expected 2, got ${failureOf(outcome)}`,
  },
  console: {
    code: `for (let i = 0; i < ${CONSOLE_LINES}; i++) console.log('soak line', i, 'x'.repeat(40));\n'done'`,
    options: {},
    check: (outcome) => {
      if (!outcome.ok || outcome.value.json !== '"done"') return `expected "done", got ${failureOf(outcome)}`;
      // The worker merges consecutive lines of one level into one event (texts joined with
      // '\n', docs/results.md), so count lines, not events.
      const lines = outcome.output.flatMap((event) => event.text.split('\n'));
      if (lines.length !== CONSOLE_LINES)
        return `expected ${CONSOLE_LINES} output lines, got ${lines.length}`;
      const last = lines[CONSOLE_LINES - 1];
      if (last !== `soak line ${CONSOLE_LINES - 1} ${'x'.repeat(40)}`)
        return `unexpected last output line: ${JSON.stringify(last)}`;
      return undefined;
    },
  },
  memory: {
    // Small objects holding fresh strings: all on the V8 heap (ArrayBuffers would not be).
    code: "const keep = [];\nfor (let i = 0; ; i++) keep.push({ i, s: 'x'.repeat(512) + i });",
    options: { memoryMib: MEMORY_LIMIT_MIB },
    check: expectFailure('MEMORY_LIMIT'),
  },
  timeout: {
    code: 'while (true) {}',
    options: { timeoutMs: TIMEOUT_MS },
    check: expectFailure('TIMEOUT'),
  },
};

/** The kind of the `i`-th run (0-based): a fixed pattern of period 100. */
export function kindOf(i: number): RunKind {
  const slot = i % 100;
  if (slot === 7 || slot === 57) return 'timeout';
  if (slot === 23 || slot === 56 || slot === 89) return 'memory';
  if (slot % 10 === 5) return 'console';
  return 'trivial';
}

/** How many runs of each kind `runs` runs hold. */
export function mixCounts(runs: number): Record<RunKind, number> {
  const counts: Record<RunKind, number> = { trivial: 0, console: 0, memory: 0, timeout: 0 };
  for (let slot = 0; slot < Math.min(100, runs); slot++) {
    counts[kindOf(slot)] += Math.floor(runs / 100) + (slot < runs % 100 ? 1 : 0);
  }
  return counts;
}
