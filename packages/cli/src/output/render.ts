import {
  ERROR_TRAILERS,
  connectFailureReason,
  describeSource,
  type ConfigSource,
  type ExecutionFailure,
  type ExecutionMetrics,
  type ExecutionOutcome,
  type ExecutionOutputEvent,
  type ExecutionValue,
  type VmdClientError,
} from '@vmd/client';
import type { Colors } from './colors.js';

/**
 * Rendering of command results, in two modes that never mix: human (live output, colours
 * only on a terminal) and `--json` (one document on stdout, nothing else).
 */

/** The `--json` document of `vmctl exec`. */
export interface ExecJsonReport {
  ok: boolean;
  /** Present when `ok`: the parsed JSON value (absent when it has no JSON form) and preview. */
  value?: { json?: unknown; preview: string };
  /** Present when not `ok`: the tenant-code failure. */
  error?: {
    kind: string;
    name: string;
    message: string;
    stack: string;
    line: number | null;
    column: number | null;
  };
  /** Every console call, in order. */
  output: { stream: 'stdout' | 'stderr'; level: string; text: string; time: string }[];
  metrics: ExecutionMetrics;
  /** The daemon's execution id (`''` when none was sent). */
  executionId: string;
}

/** Builds the `--json` document of an execution. */
export function toExecJsonReport(
  outcome: ExecutionOutcome,
  output: readonly ExecutionOutputEvent[],
): ExecJsonReport {
  const report: ExecJsonReport = {
    ok: outcome.ok,
    output: output.map((event) => ({
      stream: event.stream,
      level: event.level,
      text: event.text,
      time: event.time.toISOString(),
    })),
    metrics: outcome.metrics,
    executionId: outcome.executionId,
  };
  if (outcome.ok) {
    report.value = outcome.value.hasJson
      ? { json: outcome.value.value, preview: outcome.value.preview }
      : { preview: outcome.value.preview };
  } else {
    const f = outcome.failure;
    report.error = {
      kind: f.kind,
      name: f.name,
      message: f.message,
      stack: f.stack,
      line: f.line ?? null,
      column: f.column ?? null,
    };
  }
  // key order: ok, value|error, output, metrics, executionId
  const { ok, value, error, ...rest } = report;
  return {
    ok,
    ...(value === undefined ? {} : { value }),
    ...(error === undefined ? {} : { error }),
    ...rest,
  };
}

/** Serializes a JSON document for stdout (pretty, one trailing newline). */
export function renderJson(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/**
 * The result line of a successful run, coloured by JSON type like Node's REPL (strings
 * green, numbers and booleans yellow, null bold, undefined grey). `undefined` results print
 * nothing: a script that only logs ends with its own output.
 */
export function formatResult(value: ExecutionValue, colors: Colors): string | undefined {
  if (!value.hasJson && value.preview === 'undefined') return undefined;
  const v = value.value;
  let text = value.preview;
  if (!value.hasJson) text = colors.gray(text);
  else if (typeof v === 'string') text = colors.green(text);
  else if (typeof v === 'number' || typeof v === 'boolean') text = colors.yellow(text);
  else if (v === null) text = colors.bold(text);
  return `${text}\n`;
}

const FAILURE_HINTS: Partial<Record<ExecutionFailure['kind'], string>> = {
  TIMEOUT: 'raise the limit with --timeout MS (or --cpu MS); the tenant quota caps both',
  MEMORY_LIMIT: 'raise the limit with --memory MIB; the tenant quota caps it',
  OUTPUT_LIMIT: 'the code printed more than its output limit allows; print less',
  RESULT_TOO_LARGE: 'return a smaller value (the result limit is set by the tenant quota)',
};

/**
 * A tenant-code failure for a person:
 * ```
 * SyntaxError: Unexpected token (main.js:3:9)
 *   3 | let x = ;
 *     |         ^
 * ```
 * then the tenant's stack frames for runtime errors, and a hint for limit failures.
 */
export function formatFailure(
  failure: ExecutionFailure,
  source: string | undefined,
  filename: string,
  colors: Colors,
): string {
  const codeError = failure.kind === 'SYNTAX' || failure.kind === 'RUNTIME' || failure.kind === 'UNKNOWN';
  const title = codeError ? failure.name || failure.kind : failure.kind;
  const location =
    failure.line === undefined
      ? ''
      : ` (${filename}:${failure.line}${failure.column === undefined ? '' : `:${failure.column}`})`;
  const lines = [`${colors.red(colors.bold(`${title}:`))} ${failure.message}${location}`];
  const frame =
    source !== undefined && failure.line !== undefined
      ? formatCodeFrame(source, failure.line, failure.column, colors)
      : undefined;
  if (frame !== undefined) lines.push(frame);
  if (failure.kind === 'RUNTIME' || failure.kind === 'UNKNOWN') {
    const frames = failure.stack.split('\n').filter((line) => /^\s+at\s/.test(line));
    for (const stackLine of frames) lines.push(colors.dim(stackLine));
  }
  const hint = FAILURE_HINTS[failure.kind];
  if (hint !== undefined) lines.push(colors.dim(`hint: ${hint}`));
  return `${lines.join('\n')}\n`;
}

/**
 * The offending source line with a caret under `column` (1-based). Tabs before the column
 * are kept so the caret lines up in a terminal. `undefined` when the line does not exist.
 */
export function formatCodeFrame(
  source: string,
  line: number,
  column: number | undefined,
  colors: Colors,
): string | undefined {
  const text = source.split(/\r?\n/)[line - 1];
  if (text === undefined) return undefined;
  const gutter = String(line);
  const blank = ' '.repeat(gutter.length);
  const rows = [`${colors.dim(`  ${gutter} |`)} ${text}`];
  if (column !== undefined && column >= 1 && column <= text.length + 1) {
    const pad = text.slice(0, column - 1).replace(/[^\t]/g, ' ');
    rows.push(`${colors.dim(`  ${blank} |`)} ${pad}${colors.red('^')}`);
  }
  return rows.join('\n');
}

/** Where the client configuration came from (for hints). */
export interface ErrorRenderContext {
  /** The address as dialled. */
  address?: string | undefined;
  /** Where the address came from. */
  addressSource?: ConfigSource | undefined;
}

/**
 * A platform error for a person, on one or two lines:
 * `vmctl: QUEUE_FULL: … (retry after 200 ms)` then a dim `hint:` line saying what to do.
 */
export function formatClientError(
  error: VmdClientError,
  context: ErrorRenderContext,
  colors: Colors,
): string {
  const prefix = colors.red('vmctl:');
  const address = error.address ?? context.address ?? 'the configured address';
  if (
    error.code === 'UNAVAILABLE' &&
    error.traceId === undefined &&
    error.metadata.get(ERROR_TRAILERS.code).length === 0
  ) {
    const reason = connectFailureReason(error.grpcDetails);
    const from =
      context.addressSource?.startsWith('env:') === true
        ? ` (address from ${describeSource(context.addressSource)})`
        : '';
    return `${prefix} cannot reach vmd at ${address}${from}${reason ? ` (${reason})` : ''} — start it with \`vmd serve\` or set VMD_ADDR (or --addr)\n`;
  }
  let line = `${prefix} ${error.code}: ${error.detail}`;
  if (error.field !== undefined && !error.detail.includes(error.field)) line += ` (field: ${error.field})`;
  if (error.retryAfterMs !== undefined) line += ` (retry after ${error.retryAfterMs} ms)`;
  const out = [line];
  const hint = hintFor(error);
  if (hint !== undefined) out.push(colors.dim(`hint: ${hint}`));
  if (error.traceId !== undefined) out.push(colors.dim(`trace id: ${error.traceId}`));
  return `${out.join('\n')}\n`;
}

function hintFor(error: VmdClientError): string | undefined {
  if (error.field === 'tenant') return 'pass --tenant NAME or set VMD_TENANT';
  switch (error.code) {
    case 'UNAUTHENTICATED':
      return 'set VMD_API_KEY (or --api-key-file) to a valid key';
    case 'PERMISSION_DENIED':
      return 'this key may not act for that tenant, or the call needs the admin token';
    case 'TENANT_NOT_FOUND':
      return 'check --tenant (or VMD_TENANT); an admin creates tenants';
    case 'CODE_TOO_LARGE':
    case 'MESSAGE_TOO_LARGE':
      return 'the code or input is larger than the tenant quota allows';
    case 'RATE_LIMITED':
    case 'QUEUE_FULL':
    case 'CONCURRENCY_LIMITED':
      return 'the tenant is over its quota right now; retry later';
    case 'QUOTA_EXCEEDED':
      return 'a tenant quota is exhausted; free some resources or ask an admin to raise it';
    case 'DEADLINE_EXCEEDED':
      return 'the daemon did not answer in time; it may be overloaded (or raise --timeout)';
    case 'SHUTTING_DOWN':
    case 'NO_HEALTHY_WORKER':
    case 'WORKER_CRASHED':
      return 'retry in a moment; if it persists, check the daemon logs';
    case 'UNIMPLEMENTED':
      return 'the daemon is older than this vmctl; upgrade it';
    case 'INTERNAL':
    case 'UNKNOWN':
      return 'this is a vmd bug: report it with the trace id and the daemon logs';
    default:
      return undefined;
  }
}
