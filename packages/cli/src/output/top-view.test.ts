import type { StatsSnapshot, TenantStats } from '@vmd/client';
import { describe, expect, it } from 'vitest';
import { createFakeIo } from '../../test/helpers/fakes.js';
import { runCli } from '../cli.js';
import type { CliClient } from '../context.js';
import { createColors } from './colors.js';
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatRate,
  renderTop,
  sortTenants,
  statsJson,
  truncate,
} from './top-view.js';

const plain = createColors(false);

function tenant(name: string, fields: Partial<TenantStats> = {}): TenantStats {
  return {
    tenant: name,
    running: 0,
    queued: 0,
    runsPerSecond: 0,
    errorsPerSecond: 0,
    cpuMsPerSecond: 0,
    heapBytes: 0,
    sessions: 0,
    runsTotal: 0,
    ...fields,
  };
}

function snapshot(tenants: TenantStats[] = []): StatsSnapshot {
  return {
    time: new Date('2026-11-29T04:00:00.123Z'),
    daemon: {
      version: '0.1.0',
      uptimeSeconds: 3725,
      rssBytes: 85.2 * 1024 * 1024,
      running: 3,
      queued: 1,
      runsTotal: 123_456,
      errorsTotal: 7,
      runsPerSecond: 12.5,
      sessions: 2,
    },
    workers: [
      {
        workerId: 1,
        pid: 4242,
        busy: 1,
        slots: 8,
        isolatesWarm: 3,
        isolatesPinned: 0,
        rssBytes: 40 * 1024 * 1024,
        restarts: 1,
        state: 'starting',
      },
      {
        workerId: 0,
        pid: 4241,
        busy: 2,
        slots: 8,
        isolatesWarm: 4,
        isolatesPinned: 2,
        rssBytes: 55.1 * 1024 * 1024,
        restarts: 0,
        state: 'healthy',
      },
    ],
    tenants,
  };
}

const TENANTS = [
  tenant('alpha', { cpuMsPerSecond: 10, runsPerSecond: 50, errorsPerSecond: 0, runsTotal: 500 }),
  tenant('beta', { cpuMsPerSecond: 300, runsPerSecond: 2, errorsPerSecond: 1.5, runsTotal: 20 }),
  tenant('gamma', { cpuMsPerSecond: 40, runsPerSecond: 9, errorsPerSecond: 3, runsTotal: 90 }),
];

const tenantColumn = (screen: string): string[] => {
  const lines = screen.split('\n');
  const head = lines.findIndex((l) => l.startsWith('TENANT '));
  return lines
    .slice(head + 1)
    .filter((l) => /^\S/.test(l))
    .map((l) => l.split(/\s+/)[0]!);
};

describe('numbers', () => {
  it('bytes in IEC units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(85.2 * 1024 * 1024)).toBe('85.2 MiB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GiB');
  });

  it('rates and counts', () => {
    expect(formatRate(0)).toBe('0');
    expect(formatRate(0.04)).toBe('0.0');
    expect(formatRate(12.46)).toBe('12.5');
    expect(formatRate(250.4)).toBe('250');
    expect(formatRate(12_345)).toBe('12.3k');
    expect(formatRate(Number.NaN)).toBe('0');
    expect(formatCount(7)).toBe('7');
    expect(formatCount(99_999)).toBe('99999');
    expect(formatCount(123_456)).toBe('123.5k');
    expect(formatCount(12_000_000)).toBe('12.0M');
  });

  it('durations', () => {
    expect(formatDuration(42.9)).toBe('42s');
    expect(formatDuration(302)).toBe('5m 02s');
    expect(formatDuration(3725)).toBe('1h 02m');
    expect(formatDuration(2 * 86_400 + 3 * 3600 + 59)).toBe('2d 03h');
  });

  it('truncate', () => {
    expect(truncate('abcdef', 10)).toBe('abcdef');
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abcdef', Infinity)).toBe('abcdef');
  });
});

describe('sortTenants', () => {
  it('sorts descending by the key, ties by runs in all then name', () => {
    expect(sortTenants(TENANTS, 'cpu').map((t) => t.tenant)).toEqual(['beta', 'gamma', 'alpha']);
    expect(sortTenants(TENANTS, 'runs').map((t) => t.tenant)).toEqual(['alpha', 'gamma', 'beta']);
    expect(sortTenants(TENANTS, 'errors').map((t) => t.tenant)).toEqual(['gamma', 'beta', 'alpha']);
    const tied = [
      tenant('b', { runsTotal: 1 }),
      tenant('a', { runsTotal: 1 }),
      tenant('c', { runsTotal: 5 }),
    ];
    expect(sortTenants(tied, 'cpu').map((t) => t.tenant)).toEqual(['c', 'a', 'b']);
  });

  it('does not change its input', () => {
    const input = [...TENANTS];
    sortTenants(input, 'errors');
    expect(input).toEqual(TENANTS);
  });
});

describe('renderTop', () => {
  it('shows the header, the workers by id and the tenants sorted by the key', () => {
    const screen = renderTop(snapshot(TENANTS), { sort: 'runs', width: Infinity, colors: plain });
    const lines = screen.split('\n');
    expect(lines[0]).toBe(
      'vmd 0.1.0  up 1h 02m  rss 85.2 MiB  running 3  queued 1  runs/s 12.5  sessions 2  runs 123.5k  errors 7',
    );
    expect(lines[1]).toBe('2026-11-29T04:00:00Z  sort: runs');
    expect(screen).toContain(
      [
        'WORKERS 2',
        'ID   PID  STATE     BUSY/SLOTS  WARM  PINNED       RSS  RESTARTS',
        ' 0  4241  healthy          2/8     4       2  55.1 MiB         0',
        ' 1  4242  starting         1/8     3       0  40.0 MiB         1',
      ].join('\n'),
    );
    expect(tenantColumn(screen)).toEqual(['alpha', 'gamma', 'beta']);
    expect(screen).toContain(
      [
        'TENANT  RUNNING  QUEUED  RUNS/S  ERRORS/S  CPU MS/S  HEAP  SESSIONS  RUNS TOTAL',
        'alpha         0       0    50.0         0      10.0   0 B         0         500',
        'gamma         0       0     9.0       3.0      40.0   0 B         0          90',
        'beta          0       0     2.0       1.5       300   0 B         0          20',
      ].join('\n'),
    );
    expect(screen).not.toContain('quit');
  });

  it('re-sorts when the key changes', () => {
    const stats = snapshot(TENANTS);
    expect(tenantColumn(renderTop(stats, { sort: 'cpu', width: 200, colors: plain }))).toEqual([
      'beta',
      'gamma',
      'alpha',
    ]);
    expect(tenantColumn(renderTop(stats, { sort: 'errors', width: 200, colors: plain }))).toEqual([
      'gamma',
      'beta',
      'alpha',
    ]);
  });

  it('cuts every line to the width, colours included', () => {
    const colors = createColors(true);
    for (const width of [20, 40, 63]) {
      const screen = renderTop(snapshot(TENANTS), { sort: 'cpu', width, colors, keyHints: true });
      // eslint-disable-next-line no-control-regex -- stripping SGR sequences
      const visible = screen.replace(/\x1b\[[0-9;]*m/g, '').split('\n');
      expect(Math.max(...visible.map((l) => l.length))).toBe(width);
      expect(visible.some((l) => l.endsWith('…'))).toBe(true);
    }
    expect(renderTop(snapshot(TENANTS), { sort: 'cpu', width: 20, colors: plain }).split('\n')[0]).toBe(
      'vmd 0.1.0  up 1h 02…',
    );
  });

  it('shortens long tenant names and, on a short terminal, the tenants table', () => {
    const many = Array.from({ length: 30 }, (_v, i) =>
      tenant(`tenant-${String(i).padStart(2, '0')}`, { cpuMsPerSecond: 30 - i }),
    );
    const screen = renderTop(snapshot([tenant('a'.repeat(40), { cpuMsPerSecond: 99 }), ...many]), {
      sort: 'cpu',
      width: 120,
      height: 20,
      colors: plain,
      keyHints: true,
    });
    const lines = screen.split('\n');
    expect(lines).toHaveLength(20);
    expect(lines.at(-1)).toBe('sort: c cpu  r runs  e errors    q quit');
    expect(screen).toContain(`${'a'.repeat(23)}…`);
    expect(screen).toMatch(/^… \d+ more$/m);
    expect(screen).toContain('tenant-00');
    expect(screen).not.toContain('tenant-29');
  });

  it('says when no tenant has activity, without claiming nothing ever ran', () => {
    // The daemon lists tenants active in the last 10 minutes; this one has done runs.
    expect(renderTop(snapshot([]), { sort: 'cpu', width: 80, colors: plain })).toContain(
      'TENANTS 0  sorted by cpu\nno tenant activity in the last 10 minutes (123.5k runs since start)',
    );
    const fresh = snapshot([]);
    fresh.daemon.runsTotal = 0;
    expect(renderTop(fresh, { sort: 'cpu', width: 120, colors: plain })).toMatch(
      /\nno tenant activity in the last 10 minutes$/,
    );
  });
});

describe('vmctl stats and top (in-process)', () => {
  function fakeClient(snapshots: StatsSnapshot[]): { client: CliClient; watched: unknown[] } {
    const watched: unknown[] = [];
    const client = {
      address: '127.0.0.1:50051',
      close: () => undefined,
      monitor: {
        stats: async (options: unknown) => {
          watched.push(options);
          return snapshots[0]!;
        },
        async *watch(options: { signal?: AbortSignal }) {
          watched.push(options);
          for (const s of snapshots) {
            if (options.signal?.aborted === true) return;
            yield s;
          }
        },
      },
    } as unknown as CliClient;
    return { client, watched };
  }

  it('stats --json: one document with camelCase fields', async () => {
    const fake = createFakeIo();
    const { client, watched } = fakeClient([snapshot(TENANTS)]);
    expect(
      await runCli(['--json', 'stats', '--tenant', 'beta'], fake.io, { createClient: () => client }),
    ).toBe(0);
    expect(watched).toEqual([{ tenant: 'beta' }]);
    const doc = JSON.parse(fake.stdout()) as ReturnType<typeof statsJson>;
    expect(doc).toEqual(statsJson(snapshot(TENANTS)));
    expect(doc.time).toBe('2026-11-29T04:00:00.123Z');
    expect((doc.tenants as TenantStats[])[1]).toMatchObject({ tenant: 'beta', runsTotal: 20 });
  });

  it('stats: the daemon line and two tables', async () => {
    const fake = createFakeIo();
    const { client } = fakeClient([snapshot(TENANTS)]);
    expect(await runCli(['stats'], fake.io, { createClient: () => client })).toBe(0);
    expect(fake.stdout()).toContain('vmd 0.1.0  up 1h 02m');
    expect(fake.stdout()).toMatch(/│ beta +│ +0 │/);
    expect(fake.stdout()).toMatch(/│ +0 │ 4241 │ healthy +│ +2\/8 │/);
  });

  it('stats of a daemon whose tenants were idle for 10 minutes does not say nothing ran', async () => {
    const fake = createFakeIo();
    const { client } = fakeClient([snapshot([])]);
    expect(await runCli(['stats'], fake.io, { createClient: () => client })).toBe(0);
    expect(fake.stdout()).toMatch(
      /\ntenants\nno tenant activity in the last 10 minutes \(123\.5k runs since start\)\n$/,
    );
  });

  it('top without a terminal: text snapshots separated by blank lines, or JSON lines', async () => {
    const fake = createFakeIo();
    const { client, watched } = fakeClient([snapshot(TENANTS), snapshot([])]);
    expect(
      await runCli(['top', '--interval', '500', '--sort', 'errors'], fake.io, { createClient: () => client }),
    ).toBe(0);
    expect(watched).toEqual([expect.objectContaining({ intervalMs: 500 })]);
    const parts = fake.stdout().split('\n\n');
    expect(parts).toHaveLength(2);
    expect(parts[0]).toMatch(/^vmd 0\.1\.0.*\n.*sort: errors\nWORKERS 2\n/);
    expect(parts[0]).toMatch(/^gamma .*\nbeta .*\nalpha .*$/m);
    expect(fake.stdout()).toContain('sort: errors');
    expect(fake.stdout()).toMatch(
      /\n\nvmd 0\.1\.0[^]*no tenant activity in the last 10 minutes \(123\.5k runs since start\)\n$/,
    );

    const json = createFakeIo();
    expect(
      await runCli(['--json', 'top'], json.io, {
        createClient: () => fakeClient([snapshot(TENANTS), snapshot()]).client,
      }),
    ).toBe(0);
    const lines = json.stdout().trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0]!)).toMatchObject({ daemon: { runsTotal: 123_456 } });
  });

  it('top rejects an unknown sort key', async () => {
    const fake = createFakeIo();
    const { client } = fakeClient([]);
    expect(await runCli(['top', '--sort', 'heap'], fake.io, { createClient: () => client })).toBe(2);
    expect(fake.stderr()).toContain('cpu, runs, errors');
  });
});
