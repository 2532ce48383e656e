import type { StatsSnapshot, TenantStats, WorkerStats } from '@vmd/client';
import type { Colors } from './colors.js';

/**
 * The text of `vmctl top` and `vmctl stats`: pure functions of a {@link StatsSnapshot}, so the
 * live view is tested without a terminal or a daemon.
 */

/** What the tenants table of `vmctl top` is sorted by (descending). */
export type TopSortKey = 'cpu' | 'runs' | 'errors';

/** Every sort key, in the order of the key hints. */
export const TOP_SORT_KEYS: readonly TopSortKey[] = ['cpu', 'runs', 'errors'];

/** Options of {@link renderTop}. */
export interface TopViewOptions {
  /** Tenants by this, descending (ties: more runs in all first, then by name). */
  sort: TopSortKey;
  /** Columns of the terminal: every line is cut to fit. `Infinity`: no limit. */
  width: number;
  /** Rows of the terminal: the tenants table is shortened to fit. @default no limit */
  height?: number;
  colors: Colors;
  /** A last line with the keys (`c` `r` `e` sort, `q` quit). @default false */
  keyHints?: boolean;
}

/** Worker states shown plainly (the daemon reports `ready`; the proto documents `healthy`). */
const HEALTHY_STATES: ReadonlySet<string> = new Set(['healthy', 'ready']);

/** Longest tenant name shown in full; longer ones end in `…`. */
const TENANT_COLUMN_MAX = 24;

/** `1.5 KiB`, `85.2 MiB`: IEC units, one decimal from KiB up. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1024) return `${Math.max(0, Math.round(bytes || 0))} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]!}`;
}

/** A rate: `0`, `0.4`, `12.5`, `250`, `12.3k`, `4.1M`. */
export function formatRate(value: number): string {
  if (!Number.isFinite(value) || value <= 0) return '0';
  if (value < 100) return value.toFixed(1);
  if (value < 10_000) return value.toFixed(0);
  return compact(value);
}

/** A count: `7`, `99999`, `123.5k`, `12.0M`. */
export function formatCount(value: number): string {
  if (!Number.isFinite(value) || value <= 0) return '0';
  if (value < 100_000) return String(Math.round(value));
  return compact(value);
}

function compact(value: number): string {
  if (value < 1e6) return `${(value / 1e3).toFixed(1)}k`;
  if (value < 1e9) return `${(value / 1e6).toFixed(1)}M`;
  return `${(value / 1e9).toFixed(1)}G`;
}

/** An uptime: `42s`, `5m 02s`, `3h 04m`, `2d 03h`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(Number.isFinite(seconds) ? seconds : 0));
  const two = (n: number): string => String(n).padStart(2, '0');
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${two(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${two(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86_400)}d ${two(Math.floor((s % 86_400) / 3600))}h`;
}

/** Cuts `text` to `width` characters, ending in `…` when cut. */
export function truncate(text: string, width: number): string {
  if (!Number.isFinite(width) || text.length <= width) return text;
  if (width <= 0) return '';
  return `${text.slice(0, width - 1)}…`;
}

/** The tenants, sorted by `key` descending; ties by runs in all (descending), then by name. */
export function sortTenants(tenants: readonly TenantStats[], key: TopSortKey): TenantStats[] {
  const value = (t: TenantStats): number =>
    key === 'cpu' ? t.cpuMsPerSecond : key === 'runs' ? t.runsPerSecond : t.errorsPerSecond;
  return [...tenants].sort(
    (a, b) =>
      value(b) - value(a) ||
      b.runsTotal - a.runsTotal ||
      (a.tenant < b.tenant ? -1 : a.tenant > b.tenant ? 1 : 0),
  );
}

/** Column headers of the workers table. */
export const WORKER_HEAD = ['id', 'pid', 'state', 'busy/slots', 'warm', 'pinned', 'rss', 'restarts'];
/** Which columns of the workers table are text (left-aligned); the rest are numbers. */
export const WORKER_TEXT_COLUMNS: ReadonlySet<number> = new Set([2]);
/** Column headers of the tenants table. */
export const TENANT_HEAD = [
  'tenant',
  'running',
  'queued',
  'runs/s',
  'errors/s',
  'cpu ms/s',
  'heap',
  'sessions',
  'runs total',
];
/** Which columns of the tenants table are text (left-aligned). */
export const TENANT_TEXT_COLUMNS: ReadonlySet<number> = new Set([0]);

/** The cells of a worker's row. */
export function workerCells(w: WorkerStats): string[] {
  return [
    String(w.workerId),
    String(w.pid),
    w.state,
    `${w.busy}/${w.slots}`,
    String(w.isolatesWarm),
    String(w.isolatesPinned),
    formatBytes(w.rssBytes),
    String(w.restarts),
  ];
}

/** The cells of a tenant's row. */
export function tenantCells(t: TenantStats): string[] {
  return [
    truncate(t.tenant, TENANT_COLUMN_MAX),
    String(t.running),
    String(t.queued),
    formatRate(t.runsPerSecond),
    formatRate(t.errorsPerSecond),
    formatRate(t.cpuMsPerSecond),
    formatBytes(t.heapBytes),
    String(t.sessions),
    formatCount(t.runsTotal),
  ];
}

/**
 * The line in place of an empty tenants table. The daemon lists the tenants active in the last
 * 10 minutes, so an empty table after runs says that, not that nothing ever ran.
 */
export function noTenantActivity(stats: StatsSnapshot): string {
  const runs = stats.daemon.runsTotal;
  return `no tenant activity in the last 10 minutes${runs > 0 ? ` (${formatCount(runs)} runs since start)` : ''}`;
}

/** The daemon totals on one line. */
export function daemonLine(stats: StatsSnapshot): string {
  const d = stats.daemon;
  return [
    `vmd ${d.version || '?'}`,
    `up ${formatDuration(d.uptimeSeconds)}`,
    `rss ${formatBytes(d.rssBytes)}`,
    `running ${d.running}`,
    `queued ${d.queued}`,
    `runs/s ${formatRate(d.runsPerSecond)}`,
    `sessions ${d.sessions}`,
    `runs ${formatCount(d.runsTotal)}`,
    `errors ${formatCount(d.errorsTotal)}`,
  ].join('  ');
}

/** Columns padded to their widest cell: text columns left-aligned, numbers right-aligned. */
function columns(head: readonly string[], rows: readonly string[][], text: ReadonlySet<number>): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (text.has(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head.map((h) => h.toUpperCase())), ...rows.map(line)];
}

/**
 * The screen of `vmctl top` for one snapshot: a header with the daemon totals, the workers
 * table and the tenants table sorted by `sort`. Lines are cut to `width` before colouring,
 * so escape sequences never count against it. Joined with `\n`, no trailing newline.
 */
export function renderTop(stats: StatsSnapshot, options: TopViewOptions): string {
  const { colors: c, width } = options;
  const out: { text: string; style?: (s: string) => string }[] = [];
  const time = stats.time.toISOString().replace(/\.\d{3}Z$/, 'Z');
  out.push({ text: daemonLine(stats), style: c.bold });
  out.push({ text: `${time}  sort: ${options.sort}`, style: c.dim });
  out.push({ text: '' });

  const workers = [...stats.workers].sort((a, b) => a.workerId - b.workerId);
  out.push({ text: `WORKERS ${workers.length}`, style: c.cyan });
  const [workerHead, ...workerRows] = columns(WORKER_HEAD, workers.map(workerCells), WORKER_TEXT_COLUMNS);
  out.push({ text: workerHead!, style: (s) => c.inverse(c.bold(s)) });
  workers.forEach((w, i) => {
    const style = HEALTHY_STATES.has(w.state) ? undefined : w.state === 'dead' ? c.red : c.yellow;
    out.push({ text: workerRows[i]!, ...(style ? { style } : {}) });
  });
  out.push({ text: '' });

  const tenants = sortTenants(stats.tenants, options.sort);
  out.push({ text: `TENANTS ${tenants.length}  sorted by ${options.sort}`, style: c.cyan });
  if (tenants.length === 0) {
    out.push({ text: noTenantActivity(stats), style: c.dim });
  } else {
    const [tenantHead, ...tenantRows] = columns(TENANT_HEAD, tenants.map(tenantCells), TENANT_TEXT_COLUMNS);
    out.push({ text: tenantHead!, style: (s) => c.inverse(c.bold(s)) });
    // Leave room for the hint line (and one row for "… more") on a short terminal.
    const reserved = out.length + (options.keyHints === true ? 2 : 0);
    const room = options.height === undefined ? Infinity : Math.max(1, Math.floor(options.height) - reserved);
    const shown = tenantRows.length > room ? Math.max(0, room - 1) : tenantRows.length;
    tenants.slice(0, shown).forEach((t, i) => {
      out.push({ text: tenantRows[i]!, ...(t.errorsPerSecond > 0 ? { style: c.red } : {}) });
    });
    if (shown < tenantRows.length) {
      out.push({ text: `… ${tenantRows.length - shown} more`, style: c.dim });
    }
  }
  if (options.keyHints === true) {
    out.push({ text: '' });
    out.push({ text: 'sort: c cpu  r runs  e errors    q quit', style: c.dim });
  }
  return out
    .map(({ text, style }) => {
      const cut = truncate(text, width);
      return style && cut !== '' ? style(cut) : cut;
    })
    .join('\n');
}

/** The `--json` form of a snapshot (camelCase fields, `time` as ISO 8601). */
export function statsJson(stats: StatsSnapshot): Record<string, unknown> {
  return {
    time: stats.time.toISOString(),
    daemon: { ...stats.daemon },
    workers: stats.workers.map((w) => ({ ...w })),
    tenants: stats.tenants.map((t) => ({ ...t })),
  };
}
