import type { Command } from 'commander';
import type { RegisterCommand } from './command-kit.js';
import { withUsageHint } from './command-kit.js';

/** `vmctl health`: ask the daemon whether it is serving. */
export const registerHealthCommand: RegisterCommand = (program, runAction): Command => {
  const command = program
    .command('health')
    .summary('check that the daemon is up and serving')
    .description(
      "Ask the daemon's gRPC health service. Prints SERVING and exits 0, or says what is wrong " +
        'and exits 2. With --json: {"status", "address"}; the status is UNREACHABLE when the ' +
        'daemon cannot be reached.',
    )
    .action(async (_options: unknown, self: Command) => {
      await runAction(self, async (context) => {
        const { runHealth } = await import('../handlers/health.js');
        return runHealth(context);
      });
    });
  return withUsageHint(command, 'vmctl health');
};
