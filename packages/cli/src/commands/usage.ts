import { InvalidArgumentError, type Command } from 'commander';
import type { RegisterCommand } from './command-kit.js';
import { tenantOperand, withUsageHint } from './command-kit.js';

/** The default window: the last 24 hours. */
const DEFAULT_WINDOW_MS = 86_400_000;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A point in time for `--since`/`--until`: a duration back from now (`90s`, `15m`, `6h`, `7d`)
 * or an ISO 8601 date/time (`2026-11-28`, `2026-11-28T10:00:00Z`).
 */
export function parseWhen(flag: string, now: () => number = Date.now): (value: string) => Date {
  return (value) => {
    const v = value.trim();
    const duration = /^(\d+(?:\.\d+)?)([smhd])$/.exec(v);
    if (duration) return new Date(now() - Number(duration[1]) * UNIT_MS[duration[2]!]!);
    const date = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) ? new Date(v) : undefined;
    if (date === undefined || Number.isNaN(date.getTime())) {
      throw new InvalidArgumentError(
        `${flag} expects a duration back from now (90s, 15m, 6h, 7d) or an ISO date/time (2026-11-28T10:00:00Z), got '${value}'`,
      );
    }
    return date;
  };
}

/** `vmctl usage [TENANT] [--since WHEN] [--until WHEN]` (`--tenant NAME` in place of TENANT). */
export const registerUsageCommand: RegisterCommand = (program, runAction): Command =>
  withUsageHint(
    program
      .command('usage')
      .argument('[tenant]', 'one tenant (or --tenant NAME; default: every tenant)')
      .option(
        '--since <when>',
        'window start: a duration back from now (15m, 6h, 7d) or an ISO time (default: 24h)',
        parseWhen('--since'),
      )
      .option('--until <when>', 'window end (default: now)', parseWhen('--until'))
      .summary("tenants' usage: runs, errors by kind, cpu time, queue wait (admin)")
      .description(
        'Executions, failures by kind, cpu time, queue wait and quota refusals per tenant over a window, counted per minute. In secure mode this needs the admin token.',
      ),
    'vmctl usage',
  ).action(async (arg: string | undefined, o: { since?: Date; until?: Date }, self: Command) => {
    const end = o.until ?? new Date();
    const start = o.since ?? new Date(end.getTime() - DEFAULT_WINDOW_MS);
    await runAction(self, async (context) => {
      const tenant = tenantOperand('usage', arg, context.globals.tenant, false);
      return (await import('../handlers/usage.js')).runUsage(context, tenant, { start, end });
    });
  });
