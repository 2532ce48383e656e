import type { HostileCase } from './harness.js';

/**
 * A thenable as the (awaited) result: `{ then(resolve, reject) { … } }`. Whoever resolves the
 * result calls `then` with its resolving functions; the thenable inspects them (their
 * constructor chains, `.caller`, a stack-trace hook around the call) and then resolves with
 * the probe report. The resolving functions must be isolate functions, never host ones.
 *
 * A module whose default export is an async function, so the result is a promise any engine
 * must await (inside the isolate).
 */
const hostileCase: HostileCase = {
  name: 'thenable-result',
  description: 'result is a thenable whose then() inspects its resolve/reject arguments and their callers',
  sourceType: 'module',
  code: ({ prelude }) => `${prelude}
const frames = [];
const thenable = {
  then(resolve, reject) {
    __H.ctor('resolve', resolve);
    __H.ctor('reject', reject);
    __H.val('resolve-value', resolve);
    try { __H.val('then.caller', thenable.then.caller); } catch (e) { __H.mark('then.caller', 'threw:' + e.name); }
    const prev = Error.prepareStackTrace;
    Error.prepareStackTrace = (_e, cs) => cs;
    const cs = new Error().stack;
    Error.prepareStackTrace = prev;
    if (Array.isArray(cs)) cs.forEach((c, i) => {
      frames.push(String(c.getFileName()));
      let t; try { t = c.getThis(); } catch (e) {}
      if (t !== undefined) __H.val('then-frame-this#' + i, t);
    });
    resolve(__H.report({ frames }));
  },
};
export default async function () { return thenable; }`,
  expect: { status: 'ok' },
  minProbes: 3,
};
export default hostileCase;
