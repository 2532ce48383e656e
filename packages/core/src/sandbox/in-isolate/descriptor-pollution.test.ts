import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../engine/engine.js';
import { DEFAULT_LIMITS } from '../../limits/limits.js';
import { scriptValue } from '../../../test/support/script-value.js';

/**
 * `Object.defineProperty` reads `get`, `set`, `value`, `writable`… from its descriptor through
 * the prototype chain: after a tenant sets `Object.prototype.get`, a descriptor literal that
 * also has `value` is a TypeError ("Invalid property descriptor"). The sandbox's own code
 * defines properties after tenant code ran (timers, TextDecoder, structuredClone, the REPL's
 * `_`), so its descriptors have a null prototype; Node's own globals behave the same way.
 */
const POLLUTE = `
  Object.prototype.get = function () { return 'polluted'; };
  Object.prototype.set = function () {};
`;
const CLEAN = `
  delete Object.prototype.get;
  delete Object.prototype.set;
`;

let engine: Engine;
beforeAll(() => {
  engine = new Engine({ warmIsolatesPerClass: 1 });
});
afterAll(() => engine.dispose());

describe('sandbox globals under a polluted Object.prototype.get/set', () => {
  it('setTimeout, TextDecoder and structuredClone still work', async () => {
    const value = await scriptValue(
      engine,
      `${POLLUTE}
          const r = {};
          const attempt = (name, f) => { try { r[name] = f(); } catch (e) { r[name] = 'threw ' + e; } };
          attempt('decoder', () => new TextDecoder().fatal);
          attempt('cloneStack', () => typeof structuredClone(new Error('x')).stack);
          attempt('timer', () => typeof setTimeout(() => {}, 1));
          const fired = await new Promise((resolve) => { try { setTimeout(() => resolve(true), 1); } catch (e) { resolve('threw ' + e); } });
          r.fired = fired;
          ${CLEAN}
          r;`,
    );
    expect(value).toEqual({
      decoder: false,
      cloneStack: 'string',
      timer: 'object',
      fired: true,
    });
  });

  it('a REPL session keeps _ and new declarations', async () => {
    const session = engine.openReplSession({ limits: DEFAULT_LIMITS });
    try {
      const ev = async (code: string): Promise<string> => {
        const r = await session.eval(code, { onOutput: () => undefined });
        if (r.status === 'ok') return r.preview;
        return r.status === 'error' ? `error: ${r.failure.name}: ${r.failure.message}` : r.status;
      };
      await ev(POLLUTE);
      expect(await ev('6 * 7')).toBe('42');
      expect(await ev('let answer = _ + 1')).toBe('undefined');
      expect(await ev(`${CLEAN}; answer`)).toBe('43');
    } finally {
      engine.closeReplSession(session);
    }
  });
});
