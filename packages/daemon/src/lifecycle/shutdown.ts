import type { Logger } from 'pino';

/** What {@link installShutdownHandlers} needs. */
export interface ShutdownOptions {
  /** Graceful stop (drain within the grace period, stop workers). */
  stop: () => Promise<void>;
  logger: Logger;
  /** Exits the process. @default process.exit */
  exit?: (code: number) => void;
  /** Signals to handle. @default ['SIGTERM', 'SIGINT'] */
  signals?: NodeJS.Signals[];
}

/** Exit code when a second signal cuts the graceful shutdown short. */
export const FORCED_EXIT_CODE = 130;

/**
 * SIGTERM/SIGINT → graceful stop, then exit 0 (1 if stopping failed). A second signal exits at
 * once with {@link FORCED_EXIT_CODE}. Returns a function that removes the handlers.
 */
export function installShutdownHandlers(options: ShutdownOptions): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) {
      options.logger.warn({ signal }, 'shutdown: second signal; exiting now');
      exit(FORCED_EXIT_CODE);
      return;
    }
    signalled = true;
    options.logger.info({ signal }, 'shutdown: signal received');
    options.stop().then(
      () => exit(0),
      (err: unknown) => {
        options.logger.error({ err }, 'shutdown: failed');
        exit(1);
      },
    );
  };
  for (const s of signals) process.on(s, onSignal);
  return () => {
    for (const s of signals) process.off(s, onSignal);
  };
}
