import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, type InvokeRequest } from '../../engine/engine.js';
import type { OutputEvent } from '../../engine/types.js';
import { DEFAULT_LIMITS } from '../../limits/limits.js';

/**
 * The driver (the function the host calls for every run, timer turn, REPL input and function
 * invocation) runs after tenant code, in the tenant's own isolate: it must keep working when
 * the tenant has replaced the built-ins it would otherwise call (Math.max for the next timer,
 * split/pop/join to resolve a require, Object.freeze for a function's ctx).
 */
const BREAK = `
  for (const [o, k] of [[Math, 'max'], [String.prototype, 'split'], [String.prototype, 'slice'],
    [String.prototype, 'padStart'], [Array.prototype, 'pop'], [Array.prototype, 'join'],
    [Object, 'freeze'], [JSON, 'parse'], [Number.prototype, 'toString']]) {
    o[k] = function () { throw new Error('replaced ' + k); };
  }
`;

let engine: Engine;
beforeAll(() => {
  engine = new Engine({ warmIsolatesPerClass: 1 });
});
afterAll(() => engine.dispose());

describe('the driver under replaced built-ins', () => {
  it('a REPL session keeps its timers and inputs', async () => {
    const background: OutputEvent[] = [];
    const session = engine.openReplSession({
      limits: { ...DEFAULT_LIMITS, wallTimeMs: 3000 },
      onBackgroundOutput: (e) => background.push(e),
    });
    try {
      const first = await session.eval(`${BREAK}; setTimeout(() => console.log('timer'), 5); 'set'`, {
        onOutput: () => undefined,
      });
      expect(first.status === 'ok' && first.preview).toBe("'set'");
      for (let i = 0; i < 100 && background.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(background.map((e) => e.text)).toEqual(['timer']);
      const second = await session.eval('1 + 1', { onOutput: () => undefined });
      expect(second.status === 'ok' && second.preview).toBe('2');
    } finally {
      engine.closeReplSession(session);
    }
  });

  it('a warm function instance still requires lazily and builds its ctx', async () => {
    const request: InvokeRequest = {
      key: 't/driver-pollution/1',
      files: [
        {
          path: 'index.js',
          content:
            `module.exports = (event, ctx) => {\n` +
            `  if (event.pollute) { ${BREAK.replace(/\n/g, ' ')} return 'polluted'; }\n` +
            `  return [require('./lib/value').v, ctx.getRemainingTimeInMillis() > 0, Object.isFrozen(ctx)];\n` +
            `};`,
        },
        { path: 'lib/value.js', content: 'module.exports = { v: 42 };' },
      ],
      entry: 'index.js',
      eventJson: '{"pollute":true}',
      ctx: { tenant: 't', functionName: 'f', version: 1, requestId: 'r1', env: {} },
      limits: { ...DEFAULT_LIMITS, wallTimeMs: 3000 },
      fresh: false,
    };
    const polluted = await engine.invoke(request, { onOutput: () => undefined });
    expect(polluted.status === 'ok' && polluted.json).toBe('"polluted"');
    const warm = await engine.invoke({ ...request, eventJson: '{}' }, { onOutput: () => undefined });
    expect(warm.warm).toBe(true);
    expect(warm.status === 'ok' ? JSON.parse(warm.json ?? 'null') : warm.failure).toEqual([42, true, true]);
  });
});
