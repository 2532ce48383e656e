import { CliUsageError } from '../errors.js';

/**
 * Resolves `--input`: JSON text, or `@path` to read it from a file (`@-` for stdin). Returns
 * the JSON text, validated, so the daemon never sees malformed input.
 *
 * @throws CliUsageError when the file cannot be read or the text is not JSON.
 */
export async function resolveInput(
  option: string,
  read: { file: (path: string) => Promise<string>; stdin: () => Promise<string> },
): Promise<string> {
  let text = option;
  let from = '--input';
  if (option.startsWith('@')) {
    const path = option.slice(1);
    if (path === '') throw new CliUsageError('--input @ needs a file name, e.g. --input @input.json');
    from = path === '-' ? 'stdin' : path;
    try {
      text = path === '-' ? await read.stdin() : await read.file(path);
    } catch (error) {
      throw new CliUsageError(`cannot read --input file '${path}': ${reason(error)}`);
    }
  }
  try {
    JSON.parse(text);
  } catch (error) {
    throw new CliUsageError(
      `the input from ${from} is not valid JSON (${reason(error)}); pass JSON text such as --input '{"n": 1}', or --input @file.json`,
    );
  }
  return text.trim();
}

function reason(error: unknown): string {
  if (error instanceof Error)
    return 'code' in error && error.code === 'ENOENT' ? 'no such file' : error.message;
  return String(error);
}
