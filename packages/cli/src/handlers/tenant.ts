import Table from 'cli-table3';
import type { ApiKeyInfo, TenantFields, TenantInfo } from '@vmd/client';
import type { CliContext } from '../context.js';
import { ExitCode } from '../output/exit-codes.js';
import { renderJson } from '../output/render.js';

/**
 * Handlers of `vmctl tenant …` and `vmctl key …`: a table or a few lines for people, one JSON
 * document with `--json`. Errors propagate (vmctl prints them and exits 2).
 */

function table(head: string[], rows: string[][]): string {
  const t = new Table({ head, style: { head: [], border: [] } });
  t.push(...rows);
  return `${t.toString()}\n`;
}

const when = (d: Date | undefined): string => (d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : '');

function tenantLines(t: TenantInfo): string {
  const q = t.quotas;
  const rows: [string, string][] = [
    ['name', t.name],
    ['display name', t.displayName],
    ['isolation', t.isolation],
    ['memory', `${q.memoryMib} MiB`],
    ['cpu / wall per run', `${q.cpuTimeMs} ms / ${q.wallTimeMs} ms`],
    ['concurrency', String(q.maxConcurrent)],
    ['rate / burst', `${q.ratePerSecond}/s / ${q.burst}`],
    ['queue depth', String(q.queueDepth)],
    ['output / result / code bytes', `${q.outputBytes} / ${q.resultBytes} / ${q.codeBytes}`],
    ['weight', String(q.weight)],
    ['kv', t.capabilities.kv ? 'yes' : 'no'],
    ['fetch origins', t.capabilities.fetchOrigins.join(', ') || '(none)'],
    ['created', when(t.createdAt)],
    ['updated', when(t.updatedAt)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n';
}

function tenantJson(t: TenantInfo): unknown {
  return { ...t, createdAt: when(t.createdAt), updatedAt: when(t.updatedAt) };
}

function keyJson(k: ApiKeyInfo): unknown {
  return { ...k, createdAt: when(k.createdAt), revokedAt: k.revokedAt ? when(k.revokedAt) : null };
}

function showTenant(context: CliContext, t: TenantInfo): ExitCode {
  context.io.stdout.write(context.json ? renderJson(tenantJson(t)) : tenantLines(t));
  return ExitCode.OK;
}

/**
 * Notes that the command names its tenant as an argument, so that a TENANT_NOT_FOUND hint
 * speaks of that name, not of --tenant.
 */
function naming(context: CliContext, tenant: string): CliContext {
  context.errorContext.tenantArgument = tenant;
  return context;
}

export const runTenantCreate = (context: CliContext, name: string, fields: TenantFields): Promise<ExitCode> =>
  context.withClient(async (c) => showTenant(context, await c.tenants.create(name, fields)));

export const runTenantGet = (context: CliContext, name: string): Promise<ExitCode> =>
  naming(context, name).withClient(async (c) => showTenant(context, await c.tenants.get(name)));

export const runTenantUpdate = (context: CliContext, name: string, fields: TenantFields): Promise<ExitCode> =>
  naming(context, name).withClient(async (c) => showTenant(context, await c.tenants.update(name, fields)));

export const runTenantDelete = (context: CliContext, name: string): Promise<ExitCode> =>
  naming(context, name).withClient(async (c) => {
    await c.tenants.delete(name);
    context.io.stdout.write(context.json ? renderJson({ deleted: name }) : `deleted tenant ${name}\n`);
    return ExitCode.OK;
  });

export const runTenantList = (context: CliContext): Promise<ExitCode> =>
  context.withClient(async (c) => {
    const all: TenantInfo[] = [];
    let pageToken = '';
    do {
      const page = await c.tenants.list({ pageToken });
      all.push(...page.items);
      pageToken = page.nextPageToken;
    } while (pageToken !== '');
    if (context.json) {
      context.io.stdout.write(renderJson({ tenants: all.map(tenantJson) }));
    } else {
      context.io.stdout.write(
        table(
          ['name', 'memory MiB', 'cpu ms', 'wall ms', 'conc', 'rate/s', 'weight', 'kv', 'created'],
          all.map((t) => [
            t.name,
            String(t.quotas.memoryMib),
            String(t.quotas.cpuTimeMs),
            String(t.quotas.wallTimeMs),
            String(t.quotas.maxConcurrent),
            String(t.quotas.ratePerSecond),
            String(t.quotas.weight),
            t.capabilities.kv ? 'yes' : 'no',
            when(t.createdAt),
          ]),
        ),
      );
    }
    return ExitCode.OK;
  });

export const runKeyCreate = (context: CliContext, tenant: string, description: string): Promise<ExitCode> =>
  naming(context, tenant).withClient(async (c) => {
    const { key, secret } = await c.tenants.createKey(tenant, description);
    if (context.json) {
      context.io.stdout.write(renderJson({ key: keyJson(key), secret }));
    } else {
      context.io.stdout.write(`${secret}\n`);
      context.io.stderr.write(
        context.err.dim(
          `API key ${key.id} for tenant ${tenant}. The secret above is shown once: store it now (e.g. VMD_API_KEY).\n`,
        ),
      );
    }
    return ExitCode.OK;
  });

export const runKeyList = (context: CliContext, tenant: string): Promise<ExitCode> =>
  naming(context, tenant).withClient(async (c) => {
    const all: ApiKeyInfo[] = [];
    let pageToken = '';
    do {
      const page = await c.tenants.listKeys(tenant, { pageToken });
      all.push(...page.items);
      pageToken = page.nextPageToken;
    } while (pageToken !== '');
    context.io.stdout.write(
      context.json
        ? renderJson({ keys: all.map(keyJson) })
        : table(
            ['id', 'description', 'created', 'revoked'],
            all.map((k) => [k.id, k.description, when(k.createdAt), when(k.revokedAt)]),
          ),
    );
    return ExitCode.OK;
  });

export const runKeyRevoke = (context: CliContext, id: string): Promise<ExitCode> =>
  context.withClient(async (c) => {
    const { alreadyRevoked, ...key } = await c.tenants.revokeKey(id);
    // Revoking twice is not an error (the key is revoked either way), but it changed nothing.
    const line = alreadyRevoked
      ? `API key ${key.id} of tenant ${key.tenant} was already revoked${key.revokedAt ? ` (at ${when(key.revokedAt)})` : ''}; nothing changed\n`
      : `revoked API key ${key.id} of tenant ${key.tenant}\n`;
    context.io.stdout.write(context.json ? renderJson({ key: keyJson(key), alreadyRevoked }) : line);
    return ExitCode.OK;
  });
