import { InvalidArgumentError, type Command } from 'commander';
import type { CliContext } from '../context.js';
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

/** Sets the usage hint printed after a parse error (`Usage: vmctl exec …`). */
export function withUsageHint(command: Command, path: string): Command {
  return command.showHelpAfterError(`Usage: ${path} ${command.usage()}\nRun '${path} --help' for details.`);
}
