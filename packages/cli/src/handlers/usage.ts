import Table from 'cli-table3';
import type { TenantUsage } from '@vmd/client';
import type { CliContext } from '../context.js';
import { ExitCode } from '../output/exit-codes.js';
import { renderJson } from '../output/render.js';

/** `vmctl usage`: one row per tenant for people, one JSON document with `--json`. */
export async function runUsage(
  context: CliContext,
  tenant: string | undefined,
  window: { start: Date; end: Date },
): Promise<ExitCode> {
  if (tenant !== undefined) context.errorContext.tenantArgument = tenant;
  const client = context.createClient();
  try {
    const names: string[] = [];
    if (tenant !== undefined) {
      names.push(tenant);
    } else {
      let pageToken = '';
      do {
        const page = await client.tenants.list({ pageToken });
        names.push(...page.items.map((t) => t.name));
        pageToken = page.nextPageToken;
      } while (pageToken !== '');
    }
    const usage: TenantUsage[] = [];
    for (const name of names) usage.push(await client.tenants.usage(name, window));
    const iso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
    if (context.json) {
      context.io.stdout.write(
        renderJson({
          start: iso(window.start),
          end: iso(window.end),
          tenants: usage.map((u) => ({
            tenant: u.tenant,
            executions: u.executions,
            errors: u.errors,
            platformErrors: u.platformErrors,
            cpuTimeMs: u.cpuTimeMs,
            queueWaitMs: u.queueWaitMs,
            rejected: u.rejected,
          })),
        }),
      );
      return ExitCode.OK;
    }
    const t = new Table({
      head: ['tenant', 'runs', 'errors', 'cpu ms', 'avg queue ms', 'rejected', 'errors by kind'],
      style: { head: [], border: [] },
    });
    for (const u of usage) {
      // Failures of the tenant's code by kind, then runs the platform failed, by vmd error code.
      const failed = [...Object.values(u.errors), ...Object.values(u.platformErrors)].reduce(
        (a, b) => a + b,
        0,
      );
      const kinds = [
        ...Object.entries(u.errors).map(([k, n]) => `${k.toLowerCase()} ${n}`),
        ...Object.entries(u.platformErrors).map(([code, n]) => `platform ${code} ${n}`),
      ].join(', ');
      t.push([
        u.tenant,
        String(u.executions),
        String(failed),
        u.cpuTimeMs.toFixed(1),
        u.executions > 0 ? (u.queueWaitMs / u.executions).toFixed(2) : '-',
        String(u.rejected),
        kinds,
      ]);
    }
    context.io.stdout.write(`${t.toString()}\n`);
    context.io.stderr.write(context.err.dim(`usage from ${iso(window.start)} to ${iso(window.end)}\n`));
    return ExitCode.OK;
  } finally {
    client.close();
  }
}
