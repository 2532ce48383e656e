// Measures take + run + dispose of `1+1` through Engine.run() with a warm pool (the refill
// happens between runs, outside the measured interval), and the cost of creating one pooled
// isolate (create + context + bootstrap). Not a test: `node --no-node-snapshot test/measure-run-latency.mjs`
// after `tsc -b`. Numbers are for humans; CI asserts no timings (STYLE §G).
import { Engine, DEFAULT_LIMITS } from '../dist/index.js';

const engine = new Engine({ warmIsolatesPerClass: 2 });
const idle = () => new Promise((r) => setTimeout(r, 25));
await idle();
const req = { code: '1+1', sourceType: 'script', inputJson: '', filename: 'main.js', limits: DEFAULT_LIMITS };
const hooks = { onOutput() {} };
for (let i = 0; i < 50; i++) {
  await engine.run(req, hooks);
  await idle();
}
const samples = [];
for (let i = 0; i < 300; i++) {
  const t0 = performance.now();
  await engine.run(req, hooks);
  samples.push(performance.now() - t0);
  await idle(); // let the pool refill off the measured path
}
samples.sort((a, b) => a - b);
const q = (p) => samples[Math.floor(p * (samples.length - 1))].toFixed(3);
console.log(`run(1+1) warm pool: median ${q(0.5)} ms, p90 ${q(0.9)} ms, p99 ${q(0.99)} ms`);

const { IsolatePool } = await import('../dist/engine/isolate-pool.js');
const pool = new IsolatePool({ warmPerClass: 0, maxClasses: 1, onCatastrophicError() {} });
const c = [];
for (let i = 0; i < 50; i++) {
  const t0 = performance.now();
  const e = pool.createSync(64);
  c.push(performance.now() - t0);
  e.isolate.dispose();
}
c.sort((a, b) => a - b);
console.log(
  `create pooled isolate (isolate + context + bootstrap, code cache): median ${c[25].toFixed(3)} ms`,
);
engine.dispose();
