import { InvalidArgumentError, type Command } from 'commander';
import type { CliContext } from '../context.js';
import { CliUsageError } from '../errors.js';
import type { ExitCode } from '../output/exit-codes.js';

/** Runs a command's handler with the context built from global flags; records its exit code. */
export type RunAction = (
  command: Command,
  handler: (context: CliContext) => Promise<ExitCode>,
) => Promise<void>;

/** How a command file adds itself to the program. */
export type RegisterCommand = (program: Command, runAction: RunAction) => Command;

/**
 * An option parser for positive integers with a unit in the message
 * (`--timeout expects a positive integer (milliseconds), e.g. --timeout 5000`).
 */
export function positiveInteger(flag: string, unit: string, example: number): (value: string) => number {
  return (value) => {
    const number = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
    if (!Number.isSafeInteger(number) || number <= 0 || number > 0xffff_ffff) {
      throw new InvalidArgumentError(`${flag} expects a positive integer (${unit}), e.g. ${flag} ${example}`);
    }
    return number;
  };
}

/**
 * The hard floor and ceiling of the run limits, whatever a quota says. A copy of `LIMIT_BOUNDS`
 * in packages/core/src/limits/limits.ts (the CLI depends on the client only); a unit test
 * compares the two.
 */
export const LIMIT_BOUNDS = {
  memoryMib: { min: 8, max: 4096 },
  cpuTimeMs: { min: 1, max: 15 * 60_000 },
  wallTimeMs: { min: 1, max: 15 * 60_000 },
} as const;

/** The shortest interval between two `vmctl top` snapshots the daemon accepts, ms. */
export const MIN_TOP_INTERVAL_MS = 200;

/**
 * An option parser for integers in `[min, max]`
 * (`--memory expects an integer from 8 to 4096 (MiB), e.g. --memory 64`); `note` is added to the
 * message, e.g. how to get the default instead.
 */
export function boundedInteger(
  flag: string,
  unit: string,
  bounds: { min: number; max: number },
  example: number,
  note = '',
): (value: string) => number {
  return (value) => {
    const number = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
    if (!Number.isSafeInteger(number) || number < bounds.min || number > bounds.max) {
      const range =
        bounds.max >= 0xffff_ffff ? `of at least ${bounds.min}` : `from ${bounds.min} to ${bounds.max}`;
      throw new InvalidArgumentError(
        `${flag} expects an integer ${range} (${unit}), e.g. ${flag} ${example}${note}`,
      );
    }
    return number;
  };
}

const OMIT_FOR_QUOTA = "; leave it out to use the tenant's quota";

/** The parsers of the run-limit flags (`--memory`, `--timeout`, `--cpu`), checked against {@link LIMIT_BOUNDS}. */
export const limitFlag = {
  memory: (): ((value: string) => number) =>
    boundedInteger('--memory', 'MiB', LIMIT_BOUNDS.memoryMib, 64, OMIT_FOR_QUOTA),
  timeout: (flag = '--timeout'): ((value: string) => number) =>
    boundedInteger(flag, 'milliseconds', LIMIT_BOUNDS.wallTimeMs, 5000, OMIT_FOR_QUOTA),
  cpu: (): ((value: string) => number) =>
    boundedInteger('--cpu', 'milliseconds', LIMIT_BOUNDS.cpuTimeMs, 1000, OMIT_FOR_QUOTA),
};

/**
 * An argument parser for positive integers (`<version>`): the message names the argument as
 * the usage line shows it and gives a whole example command.
 */
export function positiveIntegerArgument(
  name: string,
  what: string,
  example: string,
): (value: string) => number {
  return (value) => {
    const number = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
    if (!Number.isSafeInteger(number) || number <= 0 || number > 0xffff_ffff) {
      throw new InvalidArgumentError(`${name} must be a positive integer (${what}), e.g. ${example}`);
    }
    return number;
  };
}

/** Sets the usage hint printed after a parse error (`Usage: vmctl exec …`). */
export function withUsageHint(command: Command, path: string): Command {
  return command.showHelpAfterError(`Usage: ${path} ${command.usage()}\nRun '${path} --help' for details.`);
}

/** Describes a command's TENANT argument in its help (`Arguments:`). */
export const TENANT_ARGUMENT_HELP = 'the tenant (or --tenant NAME)';

/**
 * The tenant an admin command is about (`vmctl tenant get NAME`, `key list TENANT`, `usage
 * [TENANT]`, `stats [TENANT]`): its argument, or `--tenant NAME` in its place — the global flag
 * is accepted on every command, and was silently ignored by some of these (`usage --tenant T`
 * showed every tenant). `VMD_TENANT` is not read: it names the tenant to act as when running
 * code, and must never pick the tenant `tenant delete` removes or narrow `usage`.
 * @param path the command, for messages (`tenant get`)
 * @param argument the TENANT argument, if given
 * @param flag `--tenant` as given on the command line, if given
 * @throws CliUsageError when both are given with different values, or (`required`) neither
 */
export function tenantOperand(
  path: string,
  argument: string | undefined,
  flag: string | undefined,
  required: true,
): string;
export function tenantOperand(
  path: string,
  argument: string | undefined,
  flag: string | undefined,
  required: false,
): string | undefined;
export function tenantOperand(
  path: string,
  argument: string | undefined,
  flag: string | undefined,
  required: boolean,
): string | undefined {
  if (argument !== undefined && flag !== undefined && argument !== flag) {
    throw new CliUsageError(
      `${path}: two tenants given, ${argument} and --tenant ${flag}; give one: vmctl ${path} ${argument}`,
    );
  }
  const tenant = argument ?? flag;
  if (tenant === undefined && required) {
    throw new CliUsageError(`${path}: name the tenant: vmctl ${path} NAME (or --tenant NAME)`);
  }
  return tenant;
}
