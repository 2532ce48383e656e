/**
 * The ONLY place that matches on isolated-vm's (and V8's) error messages. Each pattern has a
 * unit test in classify-isolate-error.test.ts, so an isolated-vm upgrade that changes a message
 * fails a test instead of silently misclassifying runs.
 *
 * The engine prefers what it knows itself (it disposed the isolate for the wall limit, the cpu
 * limit, an output limit or a cancel) and only falls back to these patterns when it did not.
 */

/** What an error that escaped an isolated-vm call means. */
export type IsolateErrorClass =
  /** The `timeout` option of an isolated-vm call fired. */
  | { type: 'timeout' }
  /** isolated-vm disposed the isolate because its heap passed `memoryLimit`. */
  | { type: 'memory-limit' }
  /** The isolate was disposed (by the host) while or before the call ran. */
  | { type: 'disposed' }
  /** Tenant code threw something that is not an Error and could not be converted. */
  | { type: 'non-error-thrown' }
  /** A tenant exception, converted to a host error by isolated-vm. */
  | { type: 'tenant'; name: string; message: string; stack: string };

const TIMEOUT_RE = /^Script execution timed out\.?$/;
const MEMORY_RE = /^Isolate was disposed during execution due to memory limit/;
const DISPOSED_RE = /^(Isolate was disposed during execution|Isolate is disposed)/;
const NON_ERROR_RE =
  /^An object was thrown from supplied code within isolated-vm, but that object was not an instance of `Error`/;
const TLA_RE = /^await is only valid in async functions and the top level bodies of modules/;
const SYNTAX_LOCATION_RE = /\s*\[([^\]\n]*):(\d+):(\d+)\]$/;

/** Classifies an error thrown by an isolated-vm call (`run`, `apply`, `evaluate`, …). */
export function classifyIsolateError(err: unknown): IsolateErrorClass {
  if (err instanceof Error) {
    const message = String(err.message);
    if (TIMEOUT_RE.test(message)) return { type: 'timeout' };
    if (MEMORY_RE.test(message)) return { type: 'memory-limit' };
    if (DISPOSED_RE.test(message)) return { type: 'disposed' };
    if (NON_ERROR_RE.test(message)) return { type: 'non-error-thrown' };
    return {
      type: 'tenant',
      name: String(err.name),
      message,
      stack: typeof err.stack === 'string' ? err.stack : '',
    };
  }
  // isolated-vm rethrows primitives as they are (`throw 42` arrives as the number 42).
  return { type: 'tenant', name: 'Error', message: `Uncaught ${describePrimitive(err)}`, stack: '' };
}

function describePrimitive(value: unknown): string {
  if (typeof value === 'string') return `'${value.length > 8192 ? `${value.slice(0, 8192)}…` : value}'`;
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol') return value.toString();
  if (typeof value === 'object' && value !== null) return '[object]';
  return String(value);
}

/**
 * True if a script failed to compile only because it uses top-level `await` (V8's message for
 * `await` outside an async function). The engine then retries it as an async function body.
 */
export function isTopLevelAwaitSyntaxError(err: unknown): boolean {
  return err instanceof Error && err.name === 'SyntaxError' && isTopLevelAwaitMessage(err.message);
}

/** True if `message` is V8's message for `await` outside an async function. */
export function isTopLevelAwaitMessage(message: string | undefined): boolean {
  return message !== undefined && TLA_RE.test(message);
}

/**
 * True if `message` is one V8 gives for top-level await in a script: `await` outside an async
 * function, or `for await` at the top level ("Unexpected reserved word", also given for other
 * misuses of reserved words: acorn tells them apart).
 */
export function mayBeTopLevelAwaitMessage(message: string | undefined): boolean {
  return isTopLevelAwaitMessage(message) || message === 'Unexpected reserved word';
}

/**
 * Splits isolated-vm's compile-error message `"<message> [<file>:<line>:<column>]"` into the
 * message and a 1-based location.
 */
export function parseSyntaxErrorLocation(message: string): {
  message: string;
  file: string;
  line: number;
  column: number;
} {
  const m = SYNTAX_LOCATION_RE.exec(message);
  if (m === null) return { message, file: '', line: 0, column: 0 };
  return { message: message.slice(0, m.index), file: m[1] ?? '', line: Number(m[2]), column: Number(m[3]) };
}
