/**
 * `@vmd/cli`: the `vmctl` command line as a library, for embedding and in-process tests.
 * The binary is `dist/main.js`.
 *
 * @example
 * ```ts
 * import { runCli, createProcessIo } from '@vmd/cli';
 * process.exitCode = await runCli(['exec', 'main.js', '--tenant', 'acme'], createProcessIo());
 * ```
 *
 * @module
 */
export { createProgram, runCli } from './cli.js';
export { createProcessIo } from './io.js';
export type { CliIo, CliOutput } from './io.js';
export type { CliClient, CliDependencies } from './context.js';
export { CliUsageError } from './errors.js';
export {
  EXIT_CODE_BY_ERROR_CODE,
  EXIT_CODE_BY_FAILURE_KIND,
  ExitCode,
  exitCodeForError,
} from './output/exit-codes.js';
export type { ExecJsonReport, InvokeJsonReport } from './output/render.js';
