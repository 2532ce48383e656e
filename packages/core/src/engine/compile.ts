/**
 * Script vs ES module compilation of tenant code.
 *
 * - Script: compiled with origin `file:///tenant/<filename>`; its completion value is the result
 *   (awaited inside the isolate when it is a thenable). A script that uses top-level `await` does
 *   not compile as a classic script; it is then recompiled as the body of an async function,
 *   `(async () => {⏎<code>⏎})()`, with `lineOffset: -1` so every line/column still refers to the
 *   tenant's own text. Its last expression statement is turned into a `return` first
 *   (completion-value.ts), so its result is what the same script would give without `await` —
 *   documented in docs/results.md. When V8 refused the script with its top-level-await message,
 *   acorn usually confirms it on the host (completion-value.ts) and these compiles are skipped.
 * - Module: compiled as an ES module (top-level await works natively). `import` of anything is
 *   refused before linking: vmd modules are self-contained, there is no module resolution.
 *   Completion is observed through a tiny wrapper module that imports the tenant module's
 *   namespace and hands it to the driver's one-shot hook (isolated-vm's `evaluate()` does not
 *   expose the evaluation promise of a module that awaits a timer).
 */
import { parse } from 'acorn';
import type ivm from 'isolated-vm';
import { isTopLevelAwaitSyntaxError, parseSyntaxErrorLocation } from '../errors/classify-isolate-error.js';
import { FailureKind, type ExecutionFailure } from '../errors/execution-failure.js';
import { TENANT_URL_PREFIX } from '../errors/trim-stack.js';

/** The file name of the module wrapper; its frames never reach tenant-visible stacks. */
export const MODULE_WRAPPER_FILENAME = 'vmd:module-wrapper';

/** `file:///tenant/<filename>`, with the file name reduced to a safe relative path. */
export function tenantUrl(filename: string): string {
  const cleaned = filename
    .split(/[\\/]+/)
    .filter((part) => part !== '' && part !== '.' && part !== '..')
    .map((part) => part.replace(/[^A-Za-z0-9._-]/g, '_'))
    .join('/');
  return TENANT_URL_PREFIX + (cleaned === '' ? 'main.js' : cleaned);
}

export type CompileResult<T> =
  { ok: true; value: T; wrappedAsync: boolean } | { ok: false; failure: ExecutionFailure };

/** Turns a compile error into a SYNTAX failure with the tenant's line/column. */
export function syntaxFailure(err: unknown): ExecutionFailure {
  const e = err instanceof Error ? err : new Error(String(err));
  const { message, file, line, column } = parseSyntaxErrorLocation(String(e.message));
  const name = e.name === 'Error' ? 'SyntaxError' : e.name;
  const inTenant = file.startsWith(TENANT_URL_PREFIX) && line > 0;
  return {
    kind: FailureKind.SYNTAX,
    name,
    message,
    stack: inTenant ? `${name}: ${message}\n    at ${file}:${line}:${column}` : `${name}: ${message}`,
    line: inTenant ? line : 0,
    column: inTenant ? column : 0,
  };
}

/**
 * Compiles tenant code as a classic script (retrying as an async body for top-level await).
 * The engine runs scripts inside the isolate and uses this to confirm a SyntaxError and locate
 * it exactly (an eval SyntaxError has no position), and to detect top-level await.
 */
export async function compileScript(
  isolate: ivm.Isolate,
  code: string,
  url: string,
  forceAsync = false,
): Promise<CompileResult<ivm.Script>> {
  if (forceAsync) {
    try {
      const script = await isolate.compileScript(`(async () => {\n${code}\n})()`, {
        filename: url,
        lineOffset: -1,
      });
      return { ok: true, value: script, wrappedAsync: true };
    } catch (err) {
      return { ok: false, failure: syntaxFailure(err) };
    }
  }
  try {
    return { ok: true, value: await isolate.compileScript(code, { filename: url }), wrappedAsync: false };
  } catch (err) {
    if (!isTopLevelAwaitSyntaxError(err)) return { ok: false, failure: syntaxFailure(err) };
    try {
      const wrapped = `(async () => {\n${code}\n})()`;
      const script = await isolate.compileScript(wrapped, { filename: url, lineOffset: -1 });
      return { ok: true, value: script, wrappedAsync: true };
    } catch {
      // Report the original error: its position refers to the tenant's text as written.
      return { ok: false, failure: syntaxFailure(err) };
    }
  }
}

/** A compiled, linked module ready to evaluate (the wrapper imports the tenant module). */
export interface LinkedModule {
  tenant: ivm.Module;
  wrapper: ivm.Module;
}

/**
 * Compiles tenant code as an ES module plus the wrapper that calls `hookName` with its namespace,
 * and links them. An `import` of anything fails here with a RUNTIME failure naming the specifier.
 */
export async function compileModule(
  isolate: ivm.Isolate,
  context: ivm.Context,
  code: string,
  url: string,
  hookName: string,
): Promise<CompileResult<LinkedModule>> {
  let tenant: ivm.Module;
  try {
    tenant = await isolate.compileModule(code, { filename: url });
  } catch (err) {
    return { ok: false, failure: syntaxFailure(err) };
  }
  const specifiers = tenant.dependencySpecifiers;
  const first = specifiers[0];
  if (first !== undefined) {
    return {
      ok: false,
      failure: {
        kind: FailureKind.RUNTIME,
        name: 'Error',
        message: `Cannot import '${first}': vmd runs self-contained code, so modules cannot import anything`,
        stack: '',
        line: 0,
        column: 0,
      },
    };
  }
  const wrapper = await isolate.compileModule(
    `import * as ns from ${JSON.stringify(url)};\n${hookName}(ns);\n`,
    { filename: MODULE_WRAPPER_FILENAME },
  );
  await wrapper.instantiate(context, (specifier) => {
    if (specifier === url) return tenant;
    // Unreachable for the tenant module (refused above); kept so no resolution can ever happen.
    throw new Error(`Cannot import '${specifier}': modules cannot import anything`);
  });
  return { ok: true, value: { tenant, wrapper }, wrappedAsync: false };
}

/**
 * V8 answers `import()` in a sandbox that loads no modules with a bare `Error: Not supported`.
 * When a run fails with exactly that and its code calls `import()` (found with acorn, on this
 * failure path only), the failure says what happened, as a static `import` does. The first
 * call's literal specifier is named.
 */
export function explainDynamicImport(
  failure: ExecutionFailure,
  code: string,
  sourceType: 'script' | 'module',
  parseOnHost: <T>(parse: () => T) => T,
): ExecutionFailure {
  if (failure.name !== 'Error' || failure.message !== 'Not supported' || !code.includes('import'))
    return failure;
  const specifier = parseOnHost(() => firstDynamicImport(code, sourceType));
  if (specifier === undefined) return failure;
  const what = specifier === null ? 'import()' : `import('${specifier}')`;
  const message = `Cannot ${what}: vmd runs self-contained code, so modules cannot import anything`;
  return { ...failure, message, stack: failure.stack.replace(/^Error: Not supported/, `Error: ${message}`) };
}

/** The literal specifier of the code's first `import()` (null if computed), or undefined if none. */
function firstDynamicImport(code: string, sourceType: 'script' | 'module'): string | null | undefined {
  let program: unknown;
  try {
    program = parse(code, {
      ecmaVersion: 'latest',
      sourceType,
      allowAwaitOutsideFunction: true,
      allowReturnOutsideFunction: sourceType === 'script',
      allowHashBang: true,
    });
  } catch {
    return undefined;
  }
  let found: string | null | undefined;
  const visit = (value: unknown): void => {
    if (found !== undefined || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const v of value) visit(v);
      return;
    }
    const node = value as { type?: unknown; source?: { type?: string; value?: unknown } } & Record<
      string,
      unknown
    >;
    if (node.type === 'ImportExpression') {
      found =
        node.source?.type === 'Literal' && typeof node.source.value === 'string' ? node.source.value : null;
      return;
    }
    for (const key of Object.keys(node)) if (key !== 'loc' && key !== 'type') visit(node[key]);
  };
  visit(program);
  return found;
}
