/**
 * `isolateSnapshot: true`: isolates start from a V8 snapshot that holds the compiled sandbox
 * bootstrap. The snapshot must change nothing a tenant can observe except speed: the bootstrap
 * factory is gone from the global object, each isolate gets its own random seeds, and results,
 * console output, errors and limits behave exactly as without it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../limits/limits.js';
import { expectSameOutcome } from '../../test/support/same-outcome.js';
import { Engine } from './engine.js';
import type { ExecutionOutcome, OutputEvent, SourceType } from './types.js';

let snap: Engine;
let plain: Engine;
beforeAll(() => {
  snap = new Engine({ warmIsolatesPerClass: 1, isolateSnapshot: true });
  plain = new Engine({ warmIsolatesPerClass: 1 });
});
afterAll(() => {
  snap.dispose();
  plain.dispose();
});

async function run(
  engine: Engine,
  code: string,
  sourceType: SourceType = 'script',
  limits: { wallTimeMs: number; cpuTimeMs: number } = { wallTimeMs: 2000, cpuTimeMs: 1000 },
): Promise<{ outcome: ExecutionOutcome; output: string[] }> {
  const output: OutputEvent[] = [];
  const outcome = await engine.run(
    {
      code,
      sourceType,
      inputJson: '{"n":21}',
      filename: 'main.js',
      limits: { ...DEFAULT_LIMITS, ...limits },
    },
    { onOutput: (e) => output.push(e) },
  );
  return { outcome, output: output.map((e) => `${e.stream}:${e.text}`) };
}

function json(outcome: ExecutionOutcome): string | undefined {
  if (outcome.status !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(outcome.failure)}`);
  return outcome.json;
}

describe('isolates from a snapshot', () => {
  it('leaves no bootstrap factory or other extra global behind', async () => {
    const code = 'Object.getOwnPropertyNames(globalThis).sort()';
    const [withSnap, without] = await Promise.all([run(snap, code), run(plain, code)]);
    expect(json(withSnap.outcome)).toBe(json(without.outcome));
    expect(json(withSnap.outcome)).not.toContain('vmd');
  });

  it('gives every isolate its own Math.random and crypto streams', async () => {
    const code = '[Math.random(), crypto.randomUUID(), crypto.getRandomValues(new Uint32Array(2)).join()]';
    const seen = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const values = JSON.parse(json((await run(snap, code)).outcome)!) as string[];
      for (const v of values) seen.add(String(v));
    }
    expect(seen.size).toBe(15);
  });

  it.each<[string, string, SourceType]>([
    ['a script value', 'console.log("a", { b: [1, 2] }); console.error("e"); ({ x: input.n * 2 })', 'script'],
    ['a module default export', 'export default (input) => ({ doubled: input.n * 2 });', 'module'],
    ['a thrown error', 'function f() { throw new TypeError("nope"); }\nf();', 'script'],
    ['a syntax error', 'let = ;', 'script'],
    ['an awaited timer', 'await new Promise((r) => setTimeout(r, 5)); "late"', 'script'],
  ])('behaves as without a snapshot: %s', async (_name, code, sourceType) => {
    const [a, b] = await Promise.all([run(snap, code, sourceType), run(plain, code, sourceType)]);
    expectSameOutcome(a, b);
  });

  it('still enforces the cpu limit', async () => {
    // The wall limit far above the cpu limit: on a loaded machine the worker may get well under
    // half a core, and with cpu 1 s / wall 2 s the wall limit then came first (TIMEOUT).
    const { outcome } = await run(snap, 'while (true) {}', 'script', { wallTimeMs: 30_000, cpuTimeMs: 200 });
    expect(outcome.status === 'error' && outcome.failure.kind).toBe('CPU_LIMIT');
    expect(json((await run(snap, '1 + 1')).outcome)).toBe('2');
  });
});
