/** Structured fields of a log line (snake_case keys, see STYLE §F). */
export type LogFields = Record<string, unknown>;

/**
 * The minimal logger core needs: a pino-compatible subset (`logger.info({ fields }, 'msg')`),
 * so the daemon can pass its pino child logger and core never imports pino.
 */
export interface Logger {
  debug(fields: LogFields, msg: string): void;
  info(fields: LogFields, msg: string): void;
  warn(fields: LogFields, msg: string): void;
  error(fields: LogFields, msg: string): void;
}

/** A logger that drops everything (the default in core). */
export const NOOP_LOGGER: Logger = Object.freeze({
  debug() {},
  info() {},
  warn() {},
  error() {},
});
