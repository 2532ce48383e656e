import Table from 'cli-table3';
import type { AuditEventInfo } from '@vmd/client';
import type { AuditOptions } from '../commands/audit.js';
import type { CliContext } from '../context.js';
import { ExitCode } from '../output/exit-codes.js';
import { renderJson } from '../output/render.js';

/** Longest details text in a table cell; `--json` has them whole. */
const MAX_DETAILS_CHARS = 80;

/**
 * `vmctl audit`: up to `--limit` entries, newest first, as a table for people or one JSON
 * document with `--json` (`{ events, more }`: `more` says entries were left out).
 */
export async function runAudit(
  context: CliContext,
  tenant: string | undefined,
  options: AuditOptions,
): Promise<ExitCode> {
  if (tenant !== undefined) context.errorContext.tenantArgument = tenant;
  const client = context.createClient();
  try {
    const events: AuditEventInfo[] = [];
    let pageToken = '';
    let more = false;
    do {
      const page = await client.tenants.audit({
        ...(tenant !== undefined ? { tenant } : {}),
        ...(options.action !== undefined ? { action: options.action } : {}),
        ...(options.actor !== undefined ? { actor: options.actor } : {}),
        ...(options.outcome !== undefined ? { outcome: options.outcome } : {}),
        ...(options.since !== undefined ? { since: options.since } : {}),
        ...(options.until !== undefined ? { until: options.until } : {}),
        pageSize: Math.min(options.limit - events.length, 1000),
        pageToken,
      });
      events.push(...page.items);
      pageToken = page.nextPageToken;
      if (events.length >= options.limit) {
        more = pageToken !== '' || events.length > options.limit;
        events.length = Math.min(events.length, options.limit);
        break;
      }
    } while (pageToken !== '');

    const iso = (d: Date | undefined): string => d?.toISOString() ?? '';
    if (context.json) {
      context.io.stdout.write(
        renderJson({
          events: events.map((e) => ({ ...e, time: iso(e.time) })),
          more,
        }),
      );
      return ExitCode.OK;
    }
    if (events.length === 0) {
      context.io.stderr.write(context.err.dim('no audit entries match\n'));
      return ExitCode.OK;
    }
    const t = new Table({
      head: ['time', 'actor', 'action', 'target', 'outcome', 'details'],
      style: { head: [], border: [] },
    });
    for (const e of events) {
      const details = JSON.stringify(e.details);
      t.push([
        iso(e.time).replace(/\.\d{3}Z$/, 'Z'),
        e.actor,
        e.action,
        e.target,
        e.outcome === 'ok' ? e.outcome : context.out.red(e.outcome),
        details === '{}'
          ? ''
          : details.length > MAX_DETAILS_CHARS
            ? `${details.slice(0, MAX_DETAILS_CHARS - 1)}…`
            : details,
      ]);
    }
    context.io.stdout.write(`${t.toString()}\n`);
    if (more) {
      context.io.stderr.write(
        context.err.dim(
          `showing the newest ${events.length}; there are more: raise --limit or narrow with --since, --action, …\n`,
        ),
      );
    }
    return ExitCode.OK;
  } finally {
    client.close();
  }
}
