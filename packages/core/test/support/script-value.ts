import type { Engine } from '../../src/engine/engine.js';
import { DEFAULT_LIMITS, type Limits } from '../../src/limits/limits.js';

/** Runs `code` as a script on `engine` and returns its result's JSON value; throws on failure. */
export async function scriptValue(
  engine: Engine,
  code: string,
  limits: Limits = DEFAULT_LIMITS,
): Promise<unknown> {
  const outcome = await engine.run(
    { code, sourceType: 'script', inputJson: '', filename: 'main.js', limits },
    { onOutput: () => undefined },
  );
  if (outcome.status !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(outcome.failure)}`);
  return JSON.parse(outcome.json ?? 'null') as unknown;
}
