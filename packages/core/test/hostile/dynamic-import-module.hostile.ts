import type { HostileCase } from './harness.js';

/**
 * `import()` from a module, of built-ins, files, data: URLs and relative paths, plus
 * `import.meta`. Every import must reject; a namespace that resolved would be probed (and
 * marked HOST if it exposes fs). `import.meta.url` must not reveal a host path (the runner
 * fails on any host path in the result).
 */
const hostileCase: HostileCase = {
  name: 'dynamic-import-module',
  description:
    "import('fs'), import('node:child_process'), import('file:///etc/passwd'), import('data:…') from a module",
  sourceType: 'module',
  code: ({ prelude }) => `${prelude}
const specs = ['fs', 'node:fs', 'node:child_process', 'child_process', 'worker_threads', 'isolated-vm',
  'file:///etc/passwd', './main.js', '../../../../etc/passwd', 'data:text/javascript,export default globalThis.process'];
for (const s of specs) {
  try {
    const ns = await import(s);
    const hostish = ns && (typeof ns.writeFileSync === 'function' || typeof ns.execSync === 'function' || typeof ns.Worker === 'function' || typeof ns.Isolate === 'function' || (ns.default && typeof ns.default === 'object' && typeof ns.default.pid === 'number'));
    __H.mark('import:' + s, hostish ? 'HOST-imported' : 'resolved-to-sandbox-value');
    if (!hostish) __H.val('import-ns:' + s, ns.default);
  } catch (e) {
    __H.mark('import:' + s, 'rejected:' + (e && e.name));
  }
}
let meta = null;
try { meta = JSON.stringify(import.meta); } catch (e) { meta = 'threw'; }
export default __H.report({ meta });`,
  expect: { status: 'ok' },
  minProbes: 10,
};
export default hostileCase;
