import { afterAll, beforeAll } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { DEFAULT_LIMITS } from '../../src/limits/limits.js';

/**
 * An engine for the tests of one file (made before them, disposed after) and a way to read a
 * script's completion value from it: the value of its JSON result, or an Error naming the
 * failure.
 */
export function sandboxValues(): (code: string) => Promise<unknown> {
  let engine: Engine;
  beforeAll(() => {
    engine = new Engine({ warmIsolatesPerClass: 1 });
  });
  afterAll(() => engine.dispose());
  return async (code) => {
    const outcome = await engine.run(
      { code, sourceType: 'script', inputJson: '', filename: 'main.js', limits: DEFAULT_LIMITS },
      { onOutput: () => undefined },
    );
    if (outcome.status !== 'ok') throw new Error(JSON.stringify(outcome.failure));
    return JSON.parse(outcome.json ?? 'null') as unknown;
  };
}
