import path from 'node:path';
import type { ExecutionOutputEvent } from '@vmd/client';
import type { ExecCommandOptions } from '../commands/exec.js';
import type { CliContext } from '../context.js';
import { CliUsageError, describeReadError } from '../errors.js';
import { EXIT_CODE_BY_FAILURE_KIND, ExitCode } from '../output/exit-codes.js';
import { formatFailure, formatResult, renderJson, toExecJsonReport } from '../output/render.js';
import { detectSourceType } from '../source/detect-source-type.js';
import { resolveInput } from '../source/parse-input.js';

/** The file name sent for code read from stdin (shown in stack traces). */
export const STDIN_FILENAME = 'stdin.js';

/**
 * `vmctl exec`: reads the code, runs it, streams output live (human mode) or collects it
 * (`--json`), prints the result or the failure, and returns the exit code. Platform errors
 * are thrown (the caller prints them and exits 2). Ctrl-C cancels the run: exit 130; a second
 * Ctrl-C kills vmctl at once (Node's default, restored after the first).
 */
export async function runExec(
  context: CliContext,
  file: string,
  options: ExecCommandOptions,
): Promise<ExitCode> {
  const { io } = context;
  if (file === '-' && options.input === '@-') {
    throw new CliUsageError(
      'the code and --input cannot both come from stdin: use --input @file.json or JSON text',
    );
  }
  const filename = file === '-' ? STDIN_FILENAME : path.basename(file);
  let source: string;
  try {
    source = file === '-' ? await io.readStdin() : await io.readFile(file);
  } catch (error) {
    throw new CliUsageError(`cannot read ${file}: ${describeReadError(error)}`);
  }
  const inputJson =
    options.input === undefined
      ? undefined
      : await resolveInput(options.input, { file: (path) => io.readFile(path), stdin: () => io.readStdin() });
  const sourceType = detectSourceType(
    source,
    filename,
    options.module === true ? 'module' : options.script === true ? 'script' : undefined,
  );

  const client = context.createClient();
  const abort = new AbortController();
  let interrupted = false;
  const stopListening = io.onInterrupt(() => {
    interrupted = true;
    stopListening(); // a second Ctrl-C gets Node's default: exit at once
    abort.abort(new Error('interrupted (Ctrl-C)'));
  });
  try {
    const execution = client.execute(source, {
      sourceType,
      filename,
      signal: abort.signal,
      ...(inputJson === undefined ? {} : { inputJson }),
      ...(options.timeout === undefined ? {} : { timeoutMs: options.timeout }),
      ...(options.memory === undefined ? {} : { memoryMib: options.memory }),
      ...(options.cpu === undefined ? {} : { cpuTimeMs: options.cpu }),
    });
    const output: ExecutionOutputEvent[] = [];
    for await (const event of execution) {
      if (context.json) output.push(event);
      else (event.stream === 'stderr' ? io.stderr : io.stdout).write(`${event.text}\n`);
    }
    const outcome = await execution.outcome;
    if (interrupted) return interruptedExit(context);
    if (context.json) {
      io.stdout.write(renderJson(toExecJsonReport(outcome, output, filename)));
    } else if (outcome.ok) {
      const result = formatResult(outcome.value, context.out);
      if (result !== undefined) io.stdout.write(result);
    } else {
      io.stderr.write(formatFailure(outcome.failure, { [filename]: source }, filename, context.err));
    }
    return outcome.ok ? ExitCode.OK : EXIT_CODE_BY_FAILURE_KIND[outcome.failure.kind];
  } catch (error) {
    if (interrupted) return interruptedExit(context);
    throw error;
  } finally {
    stopListening();
    client.close();
  }
}

function interruptedExit(context: CliContext): ExitCode {
  context.io.stderr.write(`${context.err.yellow('vmctl:')} interrupted; the execution was cancelled\n`);
  return ExitCode.INTERRUPTED;
}
