import type { HostileCase } from './harness.js';

/**
 * `import()` from a classic script (no module graph at all). The returned promises must
 * reject; the script records how each settled in a global and a later timer / the awaited
 * completion value reports. The result is a promise: if the engine awaits it the report is
 * the JSON; if not, the runner still checks that nothing reached the host.
 */
const hostileCase: HostileCase = {
  name: 'dynamic-import-script',
  description: "import('fs') / import('node:child_process') from a script",
  code: ({ prelude }) => `${prelude}
var specs = ['fs', 'node:child_process', 'node:worker_threads', 'file:///etc/passwd'];
var syncThrows = [];
var ps = specs.map(function (s) {
  var p;
  try { p = import(s); } catch (e) { syncThrows.push(s); __H.mark('import:' + s, 'threw-sync:' + e.name); return Promise.resolve(); }
  return p.then(function (ns) {
    var hostish = ns && (typeof ns.writeFileSync === 'function' || typeof ns.execSync === 'function' || typeof ns.Worker === 'function');
    __H.mark('import:' + s, hostish ? 'HOST-imported' : 'resolved');
  }, function (e) { __H.mark('import:' + s, 'rejected:' + (e && e.name)); });
});
Promise.all(ps).then(function () { return __H.report(); })`,
  expect: { status: 'ok' },
};
export default hostileCase;
