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

/**
 * Why a file could not be read, in words (`no such file`, `is a directory`, `permission
 * denied`), for messages such as `cannot read nope.js: no such file`.
 */
export function describeReadError(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'is a directory, not a file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
