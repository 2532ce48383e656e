import { InvalidArgumentError, Option, type Command } from 'commander';
import type { TenantFields } from '@vmd/client';
import type { RegisterCommand } from './command-kit.js';
import { CliUsageError } from '../errors.js';
import {
  LIMIT_BOUNDS,
  TENANT_ARGUMENT_HELP,
  boundedInteger,
  positiveInteger,
  tenantOperand,
  withUsageHint,
} from './command-kit.js';

/** Quota flags shared by `tenant create` and `tenant update` (flag → quota field). */
const QUOTA_FLAGS = [
  ['--memory <mib>', 'memoryMib', 'heap per isolate, MiB'],
  ['--cpu <ms>', 'cpuTimeMs', 'cpu time per run, ms'],
  ['--wall <ms>', 'wallTimeMs', 'wall time per run, ms (also --timeout, as for exec)'],
  ['--concurrency <n>', 'maxConcurrent', 'runs in progress at once'],
  ['--rate <n>', 'ratePerSecond', 'sustained requests per second'],
  ['--burst <n>', 'burst', 'requests allowed in a burst'],
  ['--queue <n>', 'queueDepth', 'requests that may wait in the queue'],
  ['--output-bytes <n>', 'outputBytes', 'console output per run, bytes'],
  [
    '--code-bytes <n>',
    'codeBytes',
    "source code per run or function bundle, bytes (at most the daemon's maxCodeBytes)",
  ],
  ['--weight <n>', 'weight', 'scheduler share relative to other tenants'],
] as const;

type QuotaKey = (typeof QUOTA_FLAGS)[number][1];
type FieldOptions = Record<string, unknown> & {
  displayName?: string;
  kv?: boolean;
  fetch?: string[];
  isolation?: string;
};

/** Quota fields with a hard floor and ceiling (a quota outside them would be clamped at run time). */
const BOUNDED_QUOTAS: Partial<
  Record<QuotaKey, { bounds: { min: number; max: number }; unit: string; example: number }>
> = {
  memoryMib: { bounds: LIMIT_BOUNDS.memoryMib, unit: 'MiB', example: 64 },
  cpuTimeMs: { bounds: LIMIT_BOUNDS.cpuTimeMs, unit: 'milliseconds', example: 1000 },
  wallTimeMs: { bounds: LIMIT_BOUNDS.wallTimeMs, unit: 'milliseconds', example: 5000 },
};

/** The flags of `tenant create|update` that set a field, for messages. */
export const TENANT_FIELD_FLAGS: readonly string[] = [
  '--display-name',
  ...QUOTA_FLAGS.map(([flag]) => flag.split(' ')[0]!),
  '--kv',
  '--no-kv',
  '--fetch',
  '--isolation',
];

function withFieldOptions(command: Command): Command {
  command.option('--display-name <text>', 'a label for people');
  for (const [flag, key, help] of QUOTA_FLAGS) {
    const name = flag.split(' ')[0]!;
    const bounded = BOUNDED_QUOTAS[key];
    command.option(
      flag,
      bounded === undefined ? help : `${help} (${bounded.bounds.min} to ${bounded.bounds.max})`,
      bounded === undefined
        ? positiveInteger(name, key, 100)
        : boundedInteger(name, bounded.unit, bounded.bounds, bounded.example),
    );
  }
  // `--timeout` as `vmctl exec` names the wall-time limit.
  command.addOption(
    new Option('--timeout <ms>')
      .hideHelp()
      .argParser(boundedInteger('--timeout', 'milliseconds', LIMIT_BOUNDS.wallTimeMs, 5000)),
  );
  command
    .option('--kv', 'grant the kv capability')
    .option('--no-kv', 'take the kv capability away')
    .option('--fetch <origin...>', 'origins fetch() may reach (replaces the list)')
    .option('--isolation <mode>', 'isolate (default) or context', (v: string) => {
      if (v !== 'isolate' && v !== 'context')
        throw new InvalidArgumentError('--isolation expects isolate or context');
      return v;
    });
  return command;
}

/** The property commander stores a flag under (`--output-bytes <n>` → `outputBytes`). */
function attributeName(flag: string): string {
  return flag
    .split(' ')[0]!
    .slice(2)
    .replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** The fields a command's flags set. */
export function fieldsFromOptions(o: FieldOptions): TenantFields {
  const fields: TenantFields = {};
  if (o.displayName !== undefined) fields.displayName = o.displayName;
  const quotas: Partial<Record<QuotaKey, number>> = {};
  for (const [flag, key] of QUOTA_FLAGS) {
    const value = o[attributeName(flag)];
    if (typeof value === 'number') quotas[key] = value;
  }
  if (typeof o['timeout'] === 'number') {
    if (quotas.wallTimeMs !== undefined && quotas.wallTimeMs !== o['timeout']) {
      throw new CliUsageError(
        '--wall and --timeout are the same quota (wall time per run); give one of them',
      );
    }
    quotas.wallTimeMs = o['timeout'];
  }
  if (Object.keys(quotas).length > 0) fields.quotas = quotas;
  if (o.kv !== undefined || o.fetch !== undefined) {
    fields.capabilities = {
      ...(o.kv !== undefined ? { kv: o.kv } : {}),
      ...(o.fetch !== undefined ? { fetchOrigins: o.fetch } : {}),
    };
  }
  if (o.isolation === 'isolate' || o.isolation === 'context') fields.isolation = o.isolation;
  return fields;
}

/**
 * Adds the TENANT argument of an admin command about one tenant. Commander sees it as optional,
 * so that `--tenant NAME` may stand in its place ({@link tenantOperand} checks that one of the
 * two is given); the usage line shows it as required.
 */
function tenantArgument(command: Command, name: 'name' | 'tenant'): Command {
  return command.argument(`[${name}]`, TENANT_ARGUMENT_HELP).usage(`[options] <${name}>`);
}

/** Lists a group's commands with their usage lines (`get [options] <name>`), as their help shows them. */
function listWithUsage(group: Command): Command {
  return group.configureHelp({
    ...group.configureHelp(),
    subcommandTerm: (command: Command) => `${command.name()} ${command.usage()}`,
  });
}

/**
 * `vmctl tenant create|get|list|update|delete`. The tenant is an argument, as in every admin
 * command about one tenant (`key create|list TENANT`, `usage [TENANT]`, `stats [TENANT]`);
 * `--tenant NAME` is accepted in its place.
 */
export const registerTenantCommand: RegisterCommand = (program, runAction): Command => {
  const tenant = listWithUsage(program.command('tenant'))
    .summary('manage tenants: quotas, capabilities (admin)')
    .description(
      'Create, inspect, change and delete tenants. The tenant is an argument (--tenant NAME works in its place). In secure mode this needs the admin token.',
    );
  withUsageHint(
    withFieldOptions(tenantArgument(tenant.command('create'), 'name').summary('create a tenant')),
    'vmctl tenant create',
  ).action(async (arg: string | undefined, o: FieldOptions, self: Command) => {
    await runAction(self, async (context) => {
      const name = tenantOperand('tenant create', arg, context.globals.tenant, true);
      const { runTenantCreate } = await import('../handlers/tenant.js');
      return runTenantCreate(context, name, fieldsFromOptions(o));
    });
  });
  withUsageHint(
    tenantArgument(tenant.command('get'), 'name').summary('show one tenant'),
    'vmctl tenant get',
  ).action(async (arg: string | undefined, _o: unknown, self: Command) => {
    await runAction(self, async (context) => {
      const name = tenantOperand('tenant get', arg, context.globals.tenant, true);
      return (await import('../handlers/tenant.js')).runTenantGet(context, name);
    });
  });
  tenant
    .command('list')
    .summary('list tenants')
    .action(async (_o: unknown, self: Command) => {
      await runAction(self, async (context) =>
        (await import('../handlers/tenant.js')).runTenantList(context),
      );
    });
  withUsageHint(
    withFieldOptions(
      tenantArgument(tenant.command('update'), 'name').summary('change a tenant (only the flags given)'),
    ),
    'vmctl tenant update',
  ).action(async (arg: string | undefined, o: FieldOptions, self: Command) => {
    await runAction(self, async (context) => {
      const name = tenantOperand('tenant update', arg, context.globals.tenant, true);
      const fields = fieldsFromOptions(o);
      if (Object.keys(fields).length === 0) {
        // An update without fields would send an empty request; say so instead of guessing.
        throw new CliUsageError(
          `tenant update ${name}: nothing would change; give at least one of ${TENANT_FIELD_FLAGS.join(', ')}`,
        );
      }
      return (await import('../handlers/tenant.js')).runTenantUpdate(context, name, fields);
    });
  });
  withUsageHint(
    tenantArgument(tenant.command('delete'), 'name').summary('delete a tenant and its keys'),
    'vmctl tenant delete',
  ).action(async (arg: string | undefined, _o: unknown, self: Command) => {
    await runAction(self, async (context) => {
      const name = tenantOperand('tenant delete', arg, context.globals.tenant, true);
      return (await import('../handlers/tenant.js')).runTenantDelete(context, name);
    });
  });
  return tenant;
};

/** `vmctl key create|list|revoke`. */
export const registerKeyCommand: RegisterCommand = (program, runAction): Command => {
  const key = listWithUsage(program.command('key'))
    .summary("manage tenants' API keys (admin)")
    .description('API keys act as one tenant in secure mode. The secret is shown once, at creation.');
  withUsageHint(
    tenantArgument(key.command('create'), 'tenant')
      .option('--description <text>', 'what the key is for')
      .summary('create an API key (prints the secret once)'),
    'vmctl key create',
  ).action(async (arg: string | undefined, o: { description?: string }, self: Command) => {
    await runAction(self, async (context) => {
      const tenantName = tenantOperand('key create', arg, context.globals.tenant, true);
      return (await import('../handlers/tenant.js')).runKeyCreate(context, tenantName, o.description ?? '');
    });
  });
  withUsageHint(
    tenantArgument(key.command('list'), 'tenant').summary("list a tenant's keys (never their secrets)"),
    'vmctl key list',
  ).action(async (arg: string | undefined, _o: unknown, self: Command) => {
    await runAction(self, async (context) => {
      const tenantName = tenantOperand('key list', arg, context.globals.tenant, true);
      return (await import('../handlers/tenant.js')).runKeyList(context, tenantName);
    });
  });
  key
    .command('revoke')
    .argument('<id>')
    .summary('revoke an API key')
    .action(async (id: string, _o: unknown, self: Command) => {
      await runAction(self, async (context) =>
        (await import('../handlers/tenant.js')).runKeyRevoke(context, id),
      );
    });
  return key;
};
