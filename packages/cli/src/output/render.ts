import {
  ERROR_TRAILERS,
  connectFailureReason,
  connectionProblem,
  describeSource,
  type ConfigSource,
  type ExecutionFailure,
  type ExecutionMetrics,
  type ExecutionOutcome,
  type ExecutionOutputEvent,
  type ExecutionValue,
  type InvokeResult,
  type VmdClientError,
} from '@vmd/client';
import type { Colors } from './colors.js';

/**
 * Rendering of command results, in two modes that never mix: human (live output, colours
 * only on a terminal) and `--json` (one document on stdout, nothing else).
 */

/** A tenant-code failure in `--json` documents (`vmctl exec` and `vmctl fn invoke`). */
export interface FailureJson {
  kind: string;
  name: string;
  message: string;
  stack: string;
  /** The file `line`/`column` are in (`main.js`, `lib/util.js`); `null` when unknown. */
  file: string | null;
  line: number | null;
  column: number | null;
}

/** A console line in `--json` documents. */
export interface OutputLineJson {
  stream: 'stdout' | 'stderr';
  level: string;
  text: string;
  /** When the console call happened (daemon clock), ISO 8601. */
  time: string;
}

/** The `--json` document of `vmctl exec`. */
export interface ExecJsonReport {
  ok: boolean;
  /** Present when `ok`: the parsed JSON value (absent when it has no JSON form) and preview. */
  value?: { json?: unknown; preview: string };
  /** Present when not `ok`: the tenant-code failure. */
  error?: FailureJson;
  /** Every console call, in order. */
  output: OutputLineJson[];
  metrics: ExecutionMetrics;
  /** The daemon's execution id (`''` when none was sent). */
  executionId: string;
}

/**
 * The `--json` document of `vmctl fn invoke`: the fields of {@link ExecJsonReport} with the
 * same names and nesting (an invocation has no execution id), then the invocation's own.
 */
export type InvokeJsonReport = Omit<ExecJsonReport, 'executionId'> & {
  /** The version that ran. */
  version: number;
  /** True when a warm instance served the invocation. */
  warm: boolean;
};

/** The `value` of a `--json` document. */
function valueJson(value: ExecutionValue): { json?: unknown; preview: string } {
  return value.hasJson ? { json: value.value, preview: value.preview } : { preview: value.preview };
}

/** The `error` of a `--json` document; `file` names the file of `line` (see {@link locateFailure}). */
function failureJson(failure: ExecutionFailure, filename: string | undefined): FailureJson {
  const at = locateFailure(failure, filename);
  return {
    kind: failure.kind,
    name: failure.name,
    message: failure.message,
    stack: failure.stack,
    file: at?.file ?? null,
    line: at?.line ?? null,
    column: at?.column ?? null,
  };
}

function outputJson(output: readonly ExecutionOutputEvent[]): OutputLineJson[] {
  return output.map((event) => ({
    stream: event.stream,
    level: event.level,
    text: event.text,
    time: event.time.toISOString(),
  }));
}

/** Builds the `--json` document of an execution of `filename`. */
export function toExecJsonReport(
  outcome: ExecutionOutcome,
  output: readonly ExecutionOutputEvent[],
  filename?: string,
): ExecJsonReport {
  // key order: ok, value|error, output, metrics, executionId
  return {
    ok: outcome.ok,
    ...(outcome.ok ? { value: valueJson(outcome.value) } : { error: failureJson(outcome.failure, filename) }),
    output: outputJson(output),
    metrics: outcome.metrics,
    executionId: outcome.executionId,
  };
}

/** Builds the `--json` document of a function invocation (exec's shape, plus version and warm). */
export function toInvokeJsonReport(result: InvokeResult): InvokeJsonReport {
  return {
    ok: result.ok,
    ...(result.ok ? { value: valueJson(result.value) } : { error: failureJson(result.failure, undefined) }),
    output: outputJson(result.logs),
    metrics: result.metrics,
    version: result.version,
    warm: result.warm,
  };
}

/** Where a failure happened: a file of the tenant's code, 1-based line and column. */
export interface FailureLocation {
  /** `undefined` when the failure has a line but no file is known. */
  file: string | undefined;
  line: number;
  column: number | undefined;
}

/** A frame of the tenant's code in a stack: `file:///tenant/lib/util.js:2:20`. */
const TENANT_FRAME = /file:\/\/\/tenant\/([^\s():]+):(\d+):(\d+)/;

/**
 * Where `failure` happened. With `filename` (`vmctl exec`: the code is that one file) its
 * `line`/`column` are in that file. Without (a function: a bundle of files), the first frame of
 * the tenant's code in the stack says which file (`file:///tenant/lib.js:2:20` → `lib.js`,
 * 2, 20); failing that, the failure's line and column without a file. `undefined` when nothing
 * is known.
 */
export function locateFailure(
  failure: ExecutionFailure,
  filename: string | undefined,
): FailureLocation | undefined {
  if (filename === undefined) {
    const frame = TENANT_FRAME.exec(failure.stack);
    if (frame !== null) return { file: frame[1]!, line: Number(frame[2]), column: Number(frame[3]) };
  }
  if (failure.line === undefined) return undefined;
  return { file: filename, line: failure.line, column: failure.column };
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
  TIMEOUT: 'raise the limit with --timeout MS; the tenant quota caps it',
  CPU_LIMIT: 'raise the limit with --cpu MS; the tenant quota caps it',
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
 * `filename` is the one file the code is (`vmctl exec`); without it (a function's bundle) the
 * file comes from the stack (see {@link locateFailure}). `sources` are the files available for a
 * code frame, by name (none for an invocation: the function's files are in the daemon).
 */
export function formatFailure(
  failure: ExecutionFailure,
  sources: Readonly<Record<string, string>>,
  filename: string | undefined,
  colors: Colors,
): string {
  const codeError = failure.kind === 'SYNTAX' || failure.kind === 'RUNTIME' || failure.kind === 'UNKNOWN';
  const title = codeError ? failure.name || failure.kind : failure.kind;
  const at = locateFailure(failure, filename);
  const position = at === undefined ? '' : `${at.line}${at.column === undefined ? '' : `:${at.column}`}`;
  const location =
    at === undefined ? '' : at.file === undefined ? ` (line ${position})` : ` (${at.file}:${position})`;
  const lines = [`${colors.red(colors.bold(`${title}:`))} ${failure.message}${location}`];
  const source = at?.file === undefined ? undefined : sources[at.file];
  const frame =
    source !== undefined && at !== undefined
      ? formatCodeFrame(source, at.line, at.column, colors)
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
  const full = source.split(/\r?\n/)[line - 1];
  if (full === undefined) return undefined;
  // A binary or minified file: show at most FRAME_CHARS around the column, and control
  // characters as U+FFFD (one column each, so the caret still lines up).
  const at = column !== undefined && column >= 1 && column <= full.length + 1 ? column : undefined;
  const start =
    full.length <= FRAME_CHARS
      ? 0
      : Math.max(0, Math.min((at ?? 1) - 1 - FRAME_CHARS / 2, full.length - FRAME_CHARS));
  // eslint-disable-next-line no-control-regex -- control characters are what it replaces
  const cut = full.slice(start, start + FRAME_CHARS).replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, '\ufffd');
  const before = start > 0 ? '… ' : '';
  const text = before + cut + (start + FRAME_CHARS < full.length ? ' …' : '');
  const gutter = String(line);
  const blank = ' '.repeat(gutter.length);
  const rows = [`${colors.dim(`  ${gutter} |`)} ${text}`];
  if (at !== undefined) {
    const pad = (before + cut.slice(0, at - 1 - start)).replace(/[^\t]/g, ' ');
    rows.push(`${colors.dim(`  ${blank} |`)} ${pad}${colors.red('^')}`);
  }
  return rows.join('\n');
}

/** Most characters of a source line a code frame shows. */
const FRAME_CHARS = 160;

/** Where the client configuration came from and what the command was (for hints). */
export interface ErrorRenderContext {
  /** The address as dialled. */
  address?: string | undefined;
  /** Where the address came from. */
  addressSource?: ConfigSource | undefined;
  /** True when an API key (or the admin token) was sent; false in local mode. */
  hasApiKey?: boolean | undefined;
  /** The tenant the call acted as (`--tenant`/`VMD_TENANT`), when set. */
  tenant?: string | undefined;
  /** The tenant named by a positional argument (`vmctl tenant get NAME`). */
  tenantArgument?: string | undefined;
  /** Files the command sent, by name: a `file:line:column` in the error gets a code frame. */
  files?: Readonly<Record<string, string>> | undefined;
}

/**
 * The daemon's names for things a person does with vmctl (RPC names in a message) and the
 * command that does it.
 */
const COMMAND_FOR_RPC: readonly [RegExp, string][] = [
  [/\bListApiKeys\b/g, '`vmctl key list TENANT`'],
  [/\bListTenants\b/g, '`vmctl tenant list`'],
  [/\bListFunctions\b/g, '`vmctl fn list`'],
  [/\bListFunctionVersions\b/g, '`vmctl fn versions NAME`'],
];

/** The daemon's message with RPC names replaced by the vmctl command that does the same. */
function withCommands(detail: string): string {
  let text = detail;
  for (const [rpc, command] of COMMAND_FOR_RPC) text = text.replace(rpc, command);
  return text;
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
    const from =
      context.addressSource?.startsWith('env:') === true
        ? ` (address from ${describeSource(context.addressSource)})`
        : '';
    if (connectionProblem(error.grpcDetails) !== 'unreachable') {
      // TLS trouble, or a connection lost mid-call: the client's message says which and what to do.
      return `${prefix} ${error.detail}${from}\n`;
    }
    const reason = connectFailureReason(error.grpcDetails);
    return `${prefix} cannot reach vmd at ${address}${from}${reason ? ` (${reason})` : ''} — start it with \`vmd serve\` or set VMD_ADDR (or --addr)\n`;
  }
  let line = `${prefix} ${error.code}: ${withCommands(error.detail)}`;
  if (error.field !== undefined && !error.detail.includes(error.field)) line += ` (field: ${error.field})`;
  if (error.retryAfterMs !== undefined) line += ` (retry after ${error.retryAfterMs} ms)`;
  const out = [line];
  const frame = codeFrameFor(error.detail, context.files, colors);
  if (frame !== undefined) out.push(frame);
  const hint = hintFor(error, context);
  if (hint !== undefined) out.push(colors.dim(`hint: ${hint}`));
  if (error.traceId !== undefined) out.push(colors.dim(`trace id: ${error.traceId}`));
  return `${out.join('\n')}\n`;
}

/** `broken.js:2:13: Unexpected token` in a message: the file, line and column. */
const FILE_POSITION = /(?:^|\s)([^\s:'"`]+):(\d+):(\d+)(?=:|\s|$)/;

/** The code frame of the first `file:line:column` in `detail`, when the command has that file. */
function codeFrameFor(
  detail: string,
  files: Readonly<Record<string, string>> | undefined,
  colors: Colors,
): string | undefined {
  const match = files === undefined ? null : FILE_POSITION.exec(detail);
  const source = match === null ? undefined : files?.[match[1]!];
  if (match === null || source === undefined) return undefined;
  return formatCodeFrame(source, Number(match[2]), Number(match[3]), colors);
}

/** The capability a PERMISSION_DENIED is about, from the daemon's message. */
function missingCapability(detail: string): 'kv' | 'fetch' | undefined {
  if (/\bkv capability\b/i.test(detail)) return 'kv';
  if (/\ballowed for fetch\b|\bfetch capability\b/i.test(detail)) return 'fetch';
  return undefined;
}

function hintFor(error: VmdClientError, context: ErrorRenderContext): string | undefined {
  if (error.field === 'tenant' && context.tenantArgument === undefined) {
    return 'pass --tenant NAME or set VMD_TENANT';
  }
  switch (error.code) {
    case 'UNAUTHENTICATED':
      return 'set VMD_API_KEY (or --api-key-file) to a valid key';
    case 'PERMISSION_DENIED': {
      const capability = missingCapability(error.detail);
      if (capability !== undefined) {
        // In local mode the tenant is the daemon's `default` unless --tenant names one.
        const tenant = context.tenant ?? (context.hasApiKey === true ? 'TENANT' : 'default');
        const flag = capability === 'kv' ? '--kv' : '--fetch ORIGIN';
        return `grant the capability to the tenant: vmctl tenant update ${tenant} ${flag}${context.hasApiKey === true ? ' (with the admin token)' : ''}`;
      }
      return context.hasApiKey === true
        ? 'this key may not act for that tenant, or the call needs the admin token'
        : undefined;
    }
    case 'TENANT_NOT_FOUND':
      return context.tenantArgument !== undefined
        ? 'check the tenant name; an admin creates tenants with `vmctl tenant create NAME`'
        : 'check --tenant (or VMD_TENANT); an admin creates tenants';
    case 'CODE_TOO_LARGE':
      // The message says which bound: the tenant's code_bytes quota or the daemon's maxCodeBytes.
      return 'make the code smaller, or ask an admin to raise the limit the message names';
    case 'MESSAGE_TOO_LARGE':
      return 'the request is larger than the daemon accepts in one message (its maxMessageBytes, --max-message-bytes): send less, or ask an admin to raise it';
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
