/**
 * A mistake in how vmctl was called (bad flag value, unreadable file, invalid --input): exit
 * code 2, printed with the command's usage. The message says what was wrong and what to do.
 */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}
