/**
 * `vmctl stats` (one snapshot) and `vmctl top` (the live view of the WatchStats stream). On a
 * terminal, `top` takes the alternate screen, hides the cursor and reads keys in raw mode; it
 * gives all of it back however it ends. Errors propagate (vmctl prints them and exits 2).
 */
import Table from 'cli-table3';
import type { StatsSnapshot } from '@vmd/client';
import type { CliClient, CliContext } from '../context.js';
import { ExitCode } from '../output/exit-codes.js';
import { renderJson } from '../output/render.js';
import {
  TENANT_HEAD,
  TENANT_TEXT_COLUMNS,
  WORKER_HEAD,
  WORKER_TEXT_COLUMNS,
  daemonLine,
  noTenantActivity,
  renderTop,
  statsJson,
  tenantCells,
  workerCells,
  type TopSortKey,
} from '../output/top-view.js';

/** Terminal control sequences of the live view. */
const ALT_SCREEN_ON = '\x1b[?1049h';
const ALT_SCREEN_OFF = '\x1b[?1049l';
const CURSOR_HIDE = '\x1b[?25l';
const CURSOR_SHOW = '\x1b[?25h';
const HOME = '\x1b[H';
const CLEAR_LINE_END = '\x1b[K';
const CLEAR_SCREEN_END = '\x1b[J';

/** Keys of the live view. */
const SORT_KEYS: Readonly<Record<string, TopSortKey>> = { c: 'cpu', r: 'runs', e: 'errors' };
const QUIT_KEYS = new Set(['q', 'Q', '\x03' /* Ctrl-C */, '\x04' /* Ctrl-D */]);

/** Options of `vmctl top`. */
export interface TopCommandOptions {
  intervalMs: number;
  sort: TopSortKey;
  tenant?: string | undefined;
}

function table(head: string[], rows: string[][], text: ReadonlySet<number>): string {
  const t = new Table({
    head,
    style: { head: [], border: [] },
    colAligns: head.map((_h, i) => (text.has(i) ? 'left' : 'right')),
  });
  t.push(...rows);
  return `${t.toString()}\n`;
}

/** `vmctl stats`: the daemon line and two tables for people, one JSON document with `--json`. */
export async function runStats(
  context: CliContext,
  options: { tenant?: string | undefined },
): Promise<ExitCode> {
  const client = context.createClient();
  try {
    const stats = await client.monitor.stats(options.tenant !== undefined ? { tenant: options.tenant } : {});
    if (context.json) {
      context.io.stdout.write(renderJson(statsJson(stats)));
      return ExitCode.OK;
    }
    const out = context.out;
    let text = `${out.bold(daemonLine(stats))}\n`;
    text += `${out.cyan('workers')}\n`;
    text += table(
      WORKER_HEAD,
      [...stats.workers].sort((a, b) => a.workerId - b.workerId).map(workerCells),
      WORKER_TEXT_COLUMNS,
    );
    text += `${out.cyan('tenants')}\n`;
    text +=
      stats.tenants.length === 0
        ? `${out.dim(noTenantActivity(stats))}\n`
        : table(TENANT_HEAD, stats.tenants.map(tenantCells), TENANT_TEXT_COLUMNS);
    context.io.stdout.write(text);
    return ExitCode.OK;
  } finally {
    client.close();
  }
}

/**
 * `vmctl top`: on a terminal, a full-screen view redrawn at every snapshot until `q` or
 * Ctrl-C (exit 0). Otherwise (a pipe, or `--json`) one snapshot per interval as text separated
 * by blank lines, or one JSON object per line, until interrupted (exit 0).
 */
export async function runTop(context: CliContext, options: TopCommandOptions): Promise<ExitCode> {
  const stdin = process.stdin;
  const interactive = !context.json && context.io.stdout.isTTY === true && stdin.isTTY === true;
  const client = context.createClient();
  const controller = new AbortController();
  const unsubscribe = context.io.onInterrupt(() => controller.abort());
  try {
    const snapshots = client.monitor.watch({
      intervalMs: options.intervalMs,
      signal: controller.signal,
      ...(options.tenant !== undefined ? { tenant: options.tenant } : {}),
    });
    if (interactive) {
      await liveView(context, client, snapshots, options.sort, controller);
      return ExitCode.OK;
    }
    let first = true;
    for await (const stats of snapshots) {
      if (context.json) {
        context.io.stdout.write(`${JSON.stringify(statsJson(stats))}\n`);
      } else {
        // Blank lines only between snapshots, so that scripts can split on them.
        const text = renderTop(stats, { sort: options.sort, width: Infinity, colors: context.out })
          .split('\n')
          .filter((line) => line !== '')
          .join('\n');
        context.io.stdout.write(`${first ? '' : '\n'}${text}\n`);
      }
      first = false;
    }
    return ExitCode.OK;
  } finally {
    unsubscribe();
    client.close();
  }
}

/** The full-screen view on process.stdin/stdout; restores the terminal however it ends. */
async function liveView(
  context: CliContext,
  client: CliClient,
  snapshots: AsyncIterable<StatsSnapshot>,
  initialSort: TopSortKey,
  controller: AbortController,
): Promise<void> {
  const stdin = process.stdin;
  const stdout = process.stdout;
  const write = (text: string): void => context.io.stdout.write(text);
  let sort = initialSort;
  let last: StatsSnapshot | undefined;

  const draw = (): void => {
    const body =
      last === undefined
        ? `vmctl top: connecting to ${client.address}…`
        : renderTop(last, {
            sort,
            width: stdout.columns || 80,
            height: stdout.rows || 24,
            colors: context.out,
            keyHints: true,
          });
    write(`${HOME}${body.split('\n').join(`${CLEAR_LINE_END}\n`)}${CLEAR_LINE_END}${CLEAR_SCREEN_END}`);
  };
  const onKey = (data: string): void => {
    for (const key of data) {
      if (QUIT_KEYS.has(key)) {
        controller.abort();
        return;
      }
      const next = SORT_KEYS[key.toLowerCase()];
      if (next !== undefined && next !== sort) {
        sort = next;
        draw();
      }
    }
  };

  write(`${ALT_SCREEN_ON}${CURSOR_HIDE}\x1b[2J`);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.on('data', onKey);
  stdin.resume();
  stdout.on('resize', draw);
  try {
    draw();
    for await (const stats of snapshots) {
      last = stats;
      draw();
    }
  } finally {
    stdout.removeListener('resize', draw);
    stdin.removeListener('data', onKey);
    stdin.setRawMode(false);
    stdin.pause();
    write(`${CURSOR_SHOW}${ALT_SCREEN_OFF}`);
  }
}
