import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../engine/engine.js';
import { scriptValue } from '../../../test/support/script-value.js';

/**
 * Timers under replaced built-ins. In Node a tenant that replaces Map.prototype.delete or
 * Reflect.apply does not stop setTimeout; in vmd it used to: a replaced Map.prototype.set lost
 * every timer ("never settled"), and a replaced Map.prototype.delete left a fired timer due for
 * ever, so the host called into the isolate in a tight loop until the wall limit.
 */
let engine: Engine;
beforeAll(() => {
  engine = new Engine({ warmIsolatesPerClass: 1 });
});
afterAll(() => engine.dispose());

const REPLACED: [string, string][] = [
  ['Map.prototype', 'get'],
  ['Map.prototype', 'set'],
  ['Map.prototype', 'delete'],
  ['Map.prototype', 'values'],
  ['Object.getPrototypeOf(new Map().values())', 'next'],
  ['Reflect', 'apply'],
  ['Math', 'trunc'],
  ['globalThis', 'Number'],
  ['Promise.prototype', 'then'],
];

describe('timers under replaced built-ins', () => {
  it('fire, repeat, clear and queue microtasks as usual', async () => {
    const save = REPLACED.map(([owner, key]) => `[${owner}, ${JSON.stringify(key)}]`).join(', ');
    const value = await scriptValue(
      engine,
      `
      const saved = [${save}].map(([o, k]) => [o, k, o[k]]);
      const replaced = [];
      for (const [o, k] of saved) { o[k] = function () { replaced.push(k); throw new Error('replaced ' + k); }; }
      const events = [];
      const cleared = setTimeout(() => events.push('cleared timer fired'), 1);
      clearTimeout(cleared);
      queueMicrotask(() => events.push('microtask'));
      let ticks = 0;
      const intervals = new Promise((resolve) => {
        const iv = setInterval(() => { events.push('interval'); if (++ticks === 3) { clearInterval(iv); resolve(); } }, 1);
      });
      // Resolving the run's own result (a promise) reads its then(), as any JavaScript does:
      // put that one back before the first await, the rest stay replaced while timers fire.
      Promise.prototype.then = saved.find(([, k]) => k === 'then')[2];
      await intervals;
      await new Promise((resolve) => setTimeout(() => { events.push('timeout'); resolve(); }, 2));
      for (const [o, k, v] of saved) o[k] = v;
      ({ events, replacedCalls: replaced })`,
    );
    expect(value).toEqual({
      events: ['microtask', 'interval', 'interval', 'interval', 'timeout'],
      replacedCalls: [],
    });
  });
});
