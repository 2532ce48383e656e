import { InvalidArgumentError, type Command } from 'commander';
import type { AuditOutcome } from '@vmd/client';
import type { RegisterCommand } from './command-kit.js';
import { TENANT_ARGUMENT_HELP, boundedInteger, tenantOperand, withUsageHint } from './command-kit.js';
import { parseWhen } from './usage.js';

/** Entries shown when `--limit` is not given. */
export const DEFAULT_AUDIT_LIMIT = 50;
/** The most `--limit` accepts. */
export const MAX_AUDIT_LIMIT = 10_000;

const OUTCOMES: readonly AuditOutcome[] = ['ok', 'denied', 'failed'];

function parseOutcome(value: string): AuditOutcome {
  const v = value.trim().toLowerCase();
  if (!(OUTCOMES as readonly string[]).includes(v)) {
    throw new InvalidArgumentError(`--outcome expects ok, denied or failed, got '${value}'`);
  }
  return v as AuditOutcome;
}

/** What `vmctl audit` filters by. */
export interface AuditOptions {
  action?: string;
  actor?: string;
  outcome?: AuditOutcome;
  since?: Date;
  until?: Date;
  limit: number;
}

/** `vmctl audit [TENANT] [--action A] [--actor A] [--outcome O] [--since WHEN] [--until WHEN] [--limit N]`. */
export const registerAuditCommand: RegisterCommand = (program, runAction): Command =>
  withUsageHint(
    program
      .command('audit')
      .argument('[tenant]', `${TENANT_ARGUMENT_HELP}; default: every tenant`)
      .option('--action <action>', 'only this action, e.g. kv.put, apikey.revoke, function.deploy')
      .option('--actor <actor>', 'only this actor, e.g. admin, tenant:acme/key:<id>, function:<name>')
      .option('--outcome <outcome>', 'only ok, denied or failed', parseOutcome)
      .option(
        '--since <when>',
        'entries from: a duration back from now (15m, 6h, 7d) or an ISO time',
        parseWhen('--since'),
      )
      .option(
        '--until <when>',
        'entries before: a duration back from now or an ISO time',
        parseWhen('--until'),
      )
      .option(
        '--limit <n>',
        'at most this many entries, newest first',
        boundedInteger('--limit', 'entries', { min: 1, max: MAX_AUDIT_LIMIT }, 200),
        DEFAULT_AUDIT_LIMIT,
      )
      .summary('the audit log: who changed what, and capability calls (admin)')
      .description(
        "Audit log entries, newest first: tenants, API keys and functions created, changed or deleted, and every kv or fetch call tenant code made, allowed or denied. A tenant's entries are its own record and everything under tenant/<name>/. In secure mode this needs the admin token.",
      ),
    'vmctl audit',
  ).action(async (arg: string | undefined, o: AuditOptions, self: Command) => {
    await runAction(self, async (context) => {
      const tenant = tenantOperand('audit', arg, context.globals.tenant, false);
      return (await import('../handlers/audit.js')).runAudit(context, tenant, o);
    });
  });
