// A code-challenge judge on vmd: each submission runs against every test case in a fresh
// isolate with a time and memory limit; hostile submissions (an infinite loop, a memory bomb,
// an escape attempt) are scored as failures and the platform carries on.
// Start a daemon first (`npm run serve`), then:
//   node examples/code-challenge/judge.mjs      (VMD_ADDR overrides 127.0.0.1:50051)
import { VmdClient } from '@vmd/client';
import { isDeepStrictEqual } from 'node:util';

const challenge = {
  name: 'two-sum',
  tests: [
    { args: [[2, 7, 11, 15], 9], expected: [0, 1] },
    { args: [[3, 2, 4], 6], expected: [1, 2] },
    { args: [[3, 3], 6], expected: [0, 1] },
  ],
};

const submissions = {
  correct: `function solve(nums, target) {
    const seen = new Map();
    for (let i = 0; i < nums.length; i++) {
      if (seen.has(target - nums[i])) return [seen.get(target - nums[i]), i];
      seen.set(nums[i], i);
    }
  }`,
  wrong: 'function solve(nums, target) { return [0, 1]; }',
  'infinite-loop': 'function solve() { while (true) {} }',
  'memory-bomb': 'function solve() { const a = []; for (;;) a.push(new Array(1e6).fill(1)); }',
  'escape-attempt': `function solve() {
    const p = (function () { return this; })().constructor.constructor('return process')();
    return p.mainModule.require('child_process').execSync('id').toString();
  }`,
};

/** Runs one submission against every test: { passed, score, runtime, results }. */
async function judge(client, code) {
  const results = [];
  for (const test of challenge.tests) {
    const r = await client.run(`${code}\nsolve(...input.args)`, {
      tenant: 'judge',
      input: { args: test.args },
      timeoutMs: 250,
      memoryMib: 16,
    });
    const passed = r.ok && isDeepStrictEqual(r.value.value, test.expected);
    results.push({
      passed,
      ...(r.ok ? {} : { error: `${r.failure.kind}: ${r.failure.message.slice(0, 80)}` }),
      ms: r.metrics.wallTimeMs,
    });
  }
  const passedCount = results.filter((t) => t.passed).length;
  return {
    passed: passedCount === results.length,
    score: Math.round((100 * passedCount) / results.length),
    runtime: Math.round(results.reduce((ms, t) => ms + t.ms, 0)),
    results,
  };
}

const client = new VmdClient({ address: process.env.VMD_ADDR ?? '127.0.0.1:50051' });
try {
  for (const [name, code] of Object.entries(submissions)) {
    const verdict = await judge(client, code);
    const why = verdict.results.find((t) => t.error)?.error;
    console.log(
      `${name}: passed=${verdict.passed} score=${verdict.score}${why ? ` (${why.split(':')[0]})` : ''}`,
    );
  }
  // The platform is unharmed: a last run works as usual.
  const health = await client.run('1 + 1', { tenant: 'judge' });
  console.log(`platform ok: ${health.ok && health.value.value === 2}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 2;
} finally {
  client.close();
}
