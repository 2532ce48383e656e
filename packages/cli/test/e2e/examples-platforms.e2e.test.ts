import { runExample, startDaemon, type RunningDaemon } from '@vmd/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The platforms people build on vmd (examples/serverless, code-challenge, analytics, plugin-host), each run
 * as a user would run it against a real daemon, using only @vmd/client.
 */
let daemon: RunningDaemon;
beforeAll(async () => {
  daemon = await startDaemon();
});
afterAll(async () => {
  await daemon.stop();
});

describe('examples', () => {
  it('serverless: deploys a function and invokes it with limits, cold then warm', async () => {
    const r = await runExample('examples/serverless/deploy-and-invoke.mjs', { VMD_ADDR: daemon.address });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toEqual([
      'deployed hello v1',
      'cold: {"statusCode":200,"body":"Hello World"}',
      'warm: {"statusCode":200,"body":"Hello World"}',
    ]);
  });

  it('code-challenge: scores solutions, and hostile submissions as failures without harm', async () => {
    const r = await runExample('examples/code-challenge/judge.mjs', { VMD_ADDR: daemon.address });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toEqual([
      'correct: passed=true score=100',
      'wrong: passed=false score=67',
      'infinite-loop: passed=false score=0 (TIMEOUT)',
      'memory-bomb: passed=false score=0 (MEMORY_LIMIT)',
      'escape-attempt: passed=false score=0 (RUNTIME)',
      'platform ok: true',
    ]);
  });

  it("analytics: each tenant's registered queries run on its own data set only", async () => {
    const r = await runExample('examples/analytics/queries.mjs', { VMD_ADDR: daemon.address });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toEqual([
      'acme-analytics users = 3',
      'acme-analytics averageAge = 54',
      'acme-analytics oldest = "grace"',
      'globex-analytics users = 1',
      'globex-analytics leaks = "undefined"',
    ]);
  });

  it('plugin-host: plugins use only kv and the host event API; a hostile plugin is contained', async () => {
    const r = await runExample('examples/plugin-host/host.mjs', { VMD_ADDR: daemon.address });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toEqual([
      '[welcome] email to ada@example.com: Welcome! You are user #1',
      '[audit] log: audit: recent events user.signup',
      '[evil] failed (TIMEOUT); the host carries on',
      '[audit] log: audit: recent events user.signup, user.login',
      "[evil] ignored action 'delete-database' (not offered by the host)",
      '[evil] log: evil: blocked, blocked, blocked',
      '[welcome] email to alan@example.com: Welcome! You are user #2',
      '[audit] log: audit: recent events user.signup, user.login, user.signup',
      '[evil] failed (TIMEOUT); the host carries on',
    ]);
  });
});
