import { expect } from 'vitest';
import type { ExecutionOutcome } from '../../src/engine/types.js';

/** What a test saw of one run: its console lines and its outcome. */
export interface SeenRun {
  output: readonly unknown[];
  outcome: ExecutionOutcome;
}

/**
 * Expects two runs of the same code to be indistinguishable to the tenant: the same console
 * output, and the same value or the same failure (kind, name, message, location). Metrics,
 * phases and stacks may differ.
 */
export function expectSameOutcome(a: SeenRun, b: SeenRun): void {
  expect(a.output).toEqual(b.output);
  expect(a.outcome.status).toBe(b.outcome.status);
  if (a.outcome.status === 'ok' && b.outcome.status === 'ok') {
    expect([a.outcome.json, a.outcome.preview]).toEqual([b.outcome.json, b.outcome.preview]);
  } else if (a.outcome.status === 'error' && b.outcome.status === 'error') {
    const pick = ({ kind, name, message, line, column }: typeof a.outcome.failure) => ({
      kind,
      name,
      message,
      line,
      column,
    });
    expect(pick(a.outcome.failure)).toEqual(pick(b.outcome.failure));
  }
}
