import { expect } from 'vitest';
import type { HostileCase } from './harness.js';

/**
 * console arguments built to break a formatter: getters, `toString`, `Symbol.toPrimitive`,
 * the inspect-custom symbol and `toJSON` that throw; a revoked Proxy (every operation
 * throws); circular structures; 10 000-deep nesting; an
 * object with 5 000 keys. Each call is wrapped in try/catch. The console bridge must
 * format inside the isolate (tenant code never runs on the host), stay bounded, and
 * leave the run healthy: ok, with each call either printed or thrown back to the tenant.
 */
const hostileCase: HostileCase = {
  name: 'console-throwing-arguments',
  description:
    'console.log of objects whose getters/toString/toPrimitive/inspect throw, revoked proxies, cycles, deep nesting',
  limits: { wallTimeMs: 5_000, cpuTimeMs: 4_000, outputBytes: 16 * 1024 * 1024 },
  code: `
var results = {};
function attempt(label, thunk) { try { thunk(); results[label] = 'printed'; } catch (e) { results[label] = 'threw:' + (e && e.name); } }
var boom = function () { throw new Error('boom'); };
var g = {}; Object.defineProperty(g, 'x', { enumerable: true, get: boom });
attempt('getter', function () { console.log(g); });
attempt('toString', function () { console.log('%s', { toString: boom }); });
attempt('toPrimitive', function () { var o = {}; o[Symbol.toPrimitive] = boom; console.log('%d', o); });
attempt('inspect-custom', function () { var o = {}; o[Symbol.for('nodejs.util.inspect.custom')] = boom; console.log(o); });
attempt('toJSON-%j', function () { console.log('%j', { toJSON: boom }); });
attempt('throw-symbol-getter', function () { var o = {}; Object.defineProperty(o, 'y', { enumerable: true, get: function () { throw Symbol('s'); } }); console.log(o); });
var rp = Proxy.revocable({}, {}); rp.revoke();
attempt('revoked-proxy', function () { console.log(rp.proxy); });
attempt('revoked-proxy-%s', function () { console.log('%s', rp.proxy); });
var cyc = { name: 'cyc' }; cyc.self = cyc; cyc.list = [cyc, { back: cyc }];
attempt('circular', function () { console.log(cyc); });
attempt('circular-%j', function () { console.log('%j', cyc); });
var deep = {}; var cur = deep; for (var i = 0; i < 10000; i++) { cur.d = {}; cur = cur.d; }
attempt('deep', function () { console.log(deep); });
var deepArr = []; var ca = deepArr; for (var j = 0; j < 10000; j++) { var n = []; ca.push(n); ca = n; }
attempt('deep-array', function () { console.log(deepArr); });
attempt('many-keys', function () { var o = {}; for (var k = 0; k < 5000; k++) o['k' + k] = k; console.log(o); });
attempt('symbol', function () { console.log(Symbol('sym'), 10n, -0, undefined, null, function f() {}, class C {}); });
attempt('null-proto', function () { console.log(Object.create(null)); });
attempt('error-with-cause-cycle', function () { var e = new Error('e'); e.cause = e; console.error(e); });
attempt('table-weird', function () { console.table([g, rp.proxy, cyc]); });
({ results: results, done: true })`,
  expect: {
    status: 'ok',
    check: (v: { results: Record<string, string>; done: boolean }, obs) => {
      expect(v.done).toBe(true);
      expect(Object.keys(v.results).length).toBe(17);
      expect(obs.output.length, 'some lines were printed').toBeGreaterThan(0);
    },
  },
};
export default hostileCase;
