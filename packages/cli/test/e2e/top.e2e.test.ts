import { execFileSync, spawnSync } from 'node:child_process';
import { runCli, startDaemon, VMCTL_BIN, type RunningDaemon } from '@vmd/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `vmctl stats` and `vmctl top`, the real binary against a real daemon: the live view in a
 * real terminal (tmux: send-keys, capture-pane), the piped and JSON forms for scripts.
 */
let daemon: RunningDaemon;

beforeAll(async () => {
  daemon = await startDaemon({ workers: 1 });
});
afterAll(async () => {
  await daemon.stop();
});

const env = (): Record<string, string> => ({ VMD_ADDR: daemon.address });

/** Runs `count` executions as `tenant` through vmctl. */
async function runAs(tenant: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const r = await runCli(['exec', '-', '--tenant', tenant], {
      env: env(),
      input: 'let s = 0; for (let i = 0; i < 1e6; i++) s += i; s',
    });
    expect(r.code).toBe(0);
  }
}

interface StatsJson {
  time: string;
  daemon: { runsTotal: number; version: string };
  workers: { workerId: number; pid: number; slots: number }[];
  tenants: { tenant: string; runsTotal: number; runsPerSecond: number }[];
}

/** A real terminal: tmux. */
function tmux(...args: string[]): string {
  return execFileSync('tmux', args, { encoding: 'utf8' });
}
const screen = (name: string): string => tmux('capture-pane', '-t', name, '-p', '-J');
/** A pane flag: `alternate_on` (the alternate screen), `cursor_flag` (the cursor is shown). */
const paneFlag = (name: string, flag: string): string =>
  tmux('display-message', '-p', '-t', name, `#{${flag}}`).trim();
async function waitForScreen(name: string, pattern: RegExp, timeoutMs = 10_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const text = screen(name);
    if (pattern.test(text)) return text;
    if (Date.now() > until) throw new Error(`the terminal never showed ${pattern}:\n${text}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts `vmctl top ARGS` in a new tmux session; the shell prints the exit status after it. */
function startTop(name: string, args: string): void {
  tmux(
    'new-session',
    '-d',
    '-s',
    name,
    '-x',
    '140',
    '-y',
    '40',
    `export VMD_ADDR=${daemon.address} TERM=xterm-256color NO_COLOR=1; ${process.execPath} ${VMCTL_BIN} top ${args}; echo "[vmctl exited $?]"; sleep 60`,
  );
}

describe('vmctl top in a terminal', () => {
  const name = `vmctl-top-${process.pid}`;
  const second = `vmctl-top-ctrl-c-${process.pid}`;

  beforeAll(() => {
    if (spawnSync('tmux', ['-V']).status !== 0) {
      throw new Error('the terminal tests need tmux: apt-get install tmux (.ci/run installs it)');
    }
    startTop(name, '--interval 200');
  });
  afterAll(() => {
    spawnSync('tmux', ['kill-session', '-t', name]);
    spawnSync('tmux', ['kill-session', '-t', second]);
  });

  it('shows the busy tenant appearing, re-sorts on keys, quits cleanly on q', async () => {
    const before = await waitForScreen(name, /^TENANTS \d+ {2}sorted by cpu$/m);
    expect(before).not.toMatch(/^busy /m);
    expect(paneFlag(name, 'alternate_on')).toBe('1');
    expect(paneFlag(name, 'cursor_flag')).toBe('0');
    await runAs('busy', 3);
    const live = await waitForScreen(name, /^busy +\d+ +\d+ +\d/m);
    expect(live).toMatch(/^vmd \S+ {2}up .* {2}runs\/s \S+ {2}sessions \d+/m);
    expect(live).toMatch(/^ID +PID +STATE +BUSY\/SLOTS +WARM +PINNED +RSS +RESTARTS$/m);
    expect(live).toMatch(
      /^TENANT +RUNNING +QUEUED +RUNS\/S +ERRORS\/S +CPU MS\/S +HEAP +SESSIONS +RUNS TOTAL$/m,
    );

    tmux('send-keys', '-t', name, 'e');
    await waitForScreen(name, /sorted by errors/);
    tmux('send-keys', '-t', name, 'r');
    await waitForScreen(name, /sorted by runs/);

    tmux('send-keys', '-t', name, 'q');
    const after = await waitForScreen(name, /\[vmctl exited 0\]/);
    // the alternate screen is gone, the cursor is back
    expect(after).not.toContain('WORKERS');
    expect(paneFlag(name, 'alternate_on')).toBe('0');
    expect(paneFlag(name, 'cursor_flag')).toBe('1');
  });

  it('--sort errors, then Ctrl-C quits cleanly with exit 0', async () => {
    startTop(second, '--sort errors');
    await waitForScreen(second, /^TENANTS \d+ {2}sorted by errors$/m);
    expect(paneFlag(second, 'alternate_on')).toBe('1');
    tmux('send-keys', '-t', second, 'C-c');
    await waitForScreen(second, /\[vmctl exited 0\]/);
    expect(paneFlag(second, 'alternate_on')).toBe('0');
    expect(paneFlag(second, 'cursor_flag')).toBe('1');
  });
});

describe('vmctl stats', () => {
  it('--json: one document with the tenant and its runs', async () => {
    await runAs('busy', 3);
    const r = await runCli(['--json', 'stats'], { env: env() });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as StatsJson;
    expect(Number.isNaN(Date.parse(doc.time))).toBe(false);
    expect(doc.daemon.runsTotal).toBeGreaterThanOrEqual(3);
    expect(doc.workers).toHaveLength(1);
    expect(doc.workers[0]!.pid).toBeGreaterThan(0);
    const busy = doc.tenants.find((t) => t.tenant === 'busy');
    expect(busy?.runsTotal).toBeGreaterThanOrEqual(3);
  });

  it('--tenant shows only that tenant; tables for people', async () => {
    await runAs('quiet', 1);
    const only = await runCli(['--json', 'stats', '--tenant', 'quiet'], { env: env() });
    expect((JSON.parse(only.stdout) as StatsJson).tenants.map((t) => t.tenant)).toEqual(['quiet']);
    const r = await runCli(['stats'], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^vmd \S+ {2}up /);
    expect(r.stdout).toMatch(/│ busy +│/);
    expect(r.stdout).toMatch(/│ quiet +│/);
  });

  it('an unreachable daemon: the message, exit 2', async () => {
    const r = await runCli(['stats'], { env: { VMD_ADDR: '127.0.0.1:1' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot reach vmd at 127.0.0.1:1');
  });
});

describe('vmctl top without a terminal', () => {
  it('prints snapshots separated by blank lines until interrupted, exit 0', async () => {
    const r = await runCli(['top', '--interval', '200'], {
      env: env(),
      onSpawn: (pid) => setTimeout(() => process.kill(pid, 'SIGINT'), 2000),
    });
    expect(r.code).toBe(0);
    const snapshots = r.stdout.split('\n\n').filter((s) => s.startsWith('vmd '));
    expect(snapshots.length).toBeGreaterThanOrEqual(2);
    expect(snapshots[0]).toContain('WORKERS 1');
    expect(snapshots[0]).toMatch(/^busy +\d/m);
  });

  it('--json: one JSON object per line', async () => {
    const r = await runCli(['--json', 'top', '--interval', '200'], {
      env: env(),
      onSpawn: (pid) => setTimeout(() => process.kill(pid, 'SIGINT'), 1500),
    });
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect((JSON.parse(line) as StatsJson).daemon.version).not.toBe('');
  });
});

describe('client.monitor', () => {
  it('stats() and watch() until the signal aborts', async () => {
    const stats = await daemon.client.monitor.stats({ tenant: 'busy' });
    expect(stats.tenants.map((t) => t.tenant)).toEqual(['busy']);
    expect(typeof stats.daemon.rssBytes).toBe('number');
    const controller = new AbortController();
    const times: Date[] = [];
    for await (const s of daemon.client.monitor.watch({ intervalMs: 200, signal: controller.signal })) {
      times.push(s.time);
      if (times.length === 2) controller.abort();
    }
    expect(times).toHaveLength(2);
    expect(times[1]!.getTime() - times[0]!.getTime()).toBeGreaterThanOrEqual(150);
  });
});
