import { Option, type Command } from 'commander';
import type { RegisterCommand } from './command-kit.js';
import { MIN_TOP_INTERVAL_MS, boundedInteger, tenantOperand, withUsageHint } from './command-kit.js';
import type { TopSortKey } from '../output/top-view.js';

/** Describes the optional TENANT argument of `stats` and `top`. */
const ONLY_TENANT_HELP = 'show only this tenant (or --tenant NAME)';

/** `vmctl stats [TENANT]`: one snapshot of the daemon's statistics (`--tenant NAME` in place of TENANT). */
export const registerStatsCommand: RegisterCommand = (program, runAction): Command =>
  withUsageHint(
    program
      .command('stats')
      .argument('[tenant]', ONLY_TENANT_HELP)
      .summary('one snapshot: daemon totals, workers, tenants (admin)')
      .description(
        'Print the daemon totals, every worker (busy, slots, warm and pinned isolates, RSS, restarts) and every tenant with activity (running, queued, rates per second, heap, sessions). A TENANT (or --tenant NAME) shows only that tenant. In secure mode this needs the admin token.',
      ),
    'vmctl stats',
  ).action(async (arg: string | undefined, _o: unknown, self: Command) => {
    await runAction(self, async (context) => {
      const tenant = tenantOperand('stats', arg, context.globals.tenant, false);
      return (await import('../handlers/top.js')).runStats(context, { tenant });
    });
  });

/** `vmctl top [TENANT]`: the live view (`--tenant NAME` in place of TENANT). */
export const registerTopCommand: RegisterCommand = (program, runAction): Command =>
  withUsageHint(
    program
      .command('top')
      .argument('[tenant]', ONLY_TENANT_HELP)
      .summary('a live view of the daemon, its workers and tenants (admin)')
      .description(
        'Show the daemon totals, the workers and the busiest tenants, refreshed every interval. Keys: c, r, e sort the tenants by cpu, runs or errors per second; q or Ctrl-C quits. When stdout is not a terminal, prints one snapshot per interval as text separated by blank lines (with --json, one JSON object per line) until interrupted.',
      )
      .option(
        '--interval <ms>',
        'time between snapshots, ms (at least 200)',
        boundedInteger('--interval', 'milliseconds', { min: MIN_TOP_INTERVAL_MS, max: 0xffff_ffff }, 1000),
        1000,
      )
      .addOption(
        new Option('--sort <key>', 'sort the tenants by cpu, runs or errors per second')
          .choices(['cpu', 'runs', 'errors'])
          .default('cpu'),
      ),
    'vmctl top',
  ).action(async (arg: string | undefined, o: { interval: number; sort: TopSortKey }, self: Command) => {
    await runAction(self, async (context) => {
      const tenant = tenantOperand('top', arg, context.globals.tenant, false);
      return (await import('../handlers/top.js')).runTop(context, {
        intervalMs: o.interval,
        sort: o.sort,
        tenant,
      });
    });
  });
