import { constants } from 'node:os';
import type { Logger } from 'pino';

/** What {@link installShutdownHandlers} needs. */
export interface ShutdownOptions {
  /** Graceful stop (drain within the grace period, stop workers). */
  stop: () => Promise<void>;
  logger: Logger;
  /** Exits the process. @default process.exit */
  exit?: (code: number) => void;
  /** Signals that stop the daemon. @default ['SIGTERM', 'SIGINT'] */
  signals?: NodeJS.Signals[];
  /**
   * Signals that are logged and otherwise ignored. Without a handler, SIGHUP would end the
   * process at once (no drain, no log line); vmd reloads nothing on it.
   * @default ['SIGHUP']
   */
  ignoredSignals?: NodeJS.Signals[];
}

/**
 * Exit code when `signal` cuts the graceful shutdown short: 128 + the signal's number, the
 * shell's convention (143 for SIGTERM, 130 for SIGINT).
 */
export function forcedExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}

/**
 * SIGTERM/SIGINT → graceful stop, then exit 0 (1 if stopping failed). A second one exits at
 * once with {@link forcedExitCode} of that signal. SIGHUP is logged as a warning (vmd reloads
 * neither its configuration nor its certificates) and the daemon keeps serving. Returns a
 * function that removes the handlers.
 */
export function installShutdownHandlers(options: ShutdownOptions): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const ignored = options.ignoredSignals ?? ['SIGHUP'];
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) {
      const code = forcedExitCode(signal);
      options.logger.warn({ signal, exit_code: code }, 'shutdown: second signal; exiting now');
      exit(code);
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
  const onIgnored = (signal: NodeJS.Signals): void => {
    options.logger.warn(
      { signal },
      'signal ignored: vmd does not reload its configuration or certificates; restart the daemon to apply changes',
    );
  };
  for (const s of signals) process.on(s, onSignal);
  for (const s of ignored) process.on(s, onIgnored);
  return () => {
    for (const s of signals) process.off(s, onSignal);
    for (const s of ignored) process.off(s, onIgnored);
  };
}
