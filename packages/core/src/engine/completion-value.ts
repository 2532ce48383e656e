/**
 * The completion value of a script that uses top-level `await`.
 *
 * Such a script runs as the body of an async function (compile.ts), and a function body has no
 * completion value. Like Node's REPL, the last top-level expression statement is rewritten into
 * a `return (…)` so `await f(); "done"` gives `"done"`, as the same script without `await` would.
 * The rewrite is found with a real parser (acorn), on the host, without running anything; code
 * acorn cannot parse is left as it is (V8 then reports the syntax error itself).
 */
import { parse, type Node, type Program } from 'acorn';

/** Text inserted before the last expression; columns after it on that line shift by its length. */
export const RETURN_PREFIX = 'return (';

/** The rewritten code, and where the prefix went (1-based line, 1-based column), if anywhere. */
export interface CompletionRewrite {
  code: string;
  insertedAt: { line: number; column: number } | null;
}

/** Rewrites the last top-level expression statement of `code` into `return (expression);`. */
export function returnLastExpression(code: string): CompletionRewrite {
  const program = parseScript(code, true);
  return program === null ? { code, insertedAt: null } : rewriteLastExpression(code, program);
}

/**
 * The rewrite of `code` when it is a script with top-level `await`: acorn finds an `await`
 * outside every function, and the code is not a valid script without it. Null otherwise, or when
 * acorn cannot parse it. The engine asks after V8 refused the code with its top-level-await
 * message: a yes spares the two compiles in the isolate that would tell it the same (about
 * 0.5 ms of CPU per run: docs/performance.md). "Not a valid script" also means V8 cannot have
 * run any of it, so the async form never runs code a second time (V8 gives the same message
 * for an `eval('await 1')` that a valid script makes at run time).
 */
export function topLevelAwaitRewrite(code: string): CompletionRewrite | null {
  // A top-level `return` is a SyntaxError in a script: acorn refuses it too, so such code takes
  // the slow path and fails (or not) exactly as before.
  const program = parseScript(code, false);
  if (program === null || !hasTopLevelAwait(program)) return null;
  try {
    // `await` may also be an identifier in a script (`var await = 1; await + 1`).
    parse(code, { ecmaVersion: 'latest', sourceType: 'script', allowHashBang: true });
    return null;
  } catch {
    return rewriteLastExpression(code, program);
  }
}

function parseScript(code: string, allowReturn: boolean): Program | null {
  try {
    return parse(code, {
      ecmaVersion: 'latest',
      sourceType: 'script',
      allowAwaitOutsideFunction: true,
      allowReturnOutsideFunction: allowReturn,
      allowHashBang: true,
      // `(a, b)` stays one node that covers its parentheses.
      preserveParens: true,
      locations: true,
    });
  } catch {
    return null;
  }
}

function rewriteLastExpression(code: string, program: Program): CompletionRewrite {
  const last = program.body.at(-1);
  if (last?.type !== 'ExpressionStatement') return { code, insertedAt: null };
  const expression = (last as Node & { expression: Node }).expression;
  const start = expression.start;
  const end = expression.end;
  const loc = expression.loc?.start;
  return {
    code: `${code.slice(0, start)}${RETURN_PREFIX}${code.slice(start, end)});${code.slice(last.end)}`,
    insertedAt: loc ? { line: loc.line, column: loc.column + 1 } : null,
  };
}

/**
 * Where a top-level `await` cannot be: inside functions (class methods are functions too), and
 * in class field initializers and static blocks, where `await` is not allowed at all.
 */
const AWAIT_BOUNDARIES = new Set([
  'FunctionDeclaration',
  'FunctionExpression',
  'ArrowFunctionExpression',
  'PropertyDefinition',
  'StaticBlock',
]);

/** Whether `await` (an expression, or `for await`) occurs outside every function. */
function hasTopLevelAwait(program: Program): boolean {
  const stack: unknown[] = [program];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      for (const item of value) stack.push(item);
      continue;
    }
    if (typeof value !== 'object' || value === null || typeof (value as Node).type !== 'string') continue;
    const node = value as Node & { await?: boolean };
    if (node.type === 'AwaitExpression' || (node.type === 'ForOfStatement' && node.await === true))
      return true;
    if (AWAIT_BOUNDARIES.has(node.type)) continue;
    for (const [key, child] of Object.entries(node)) {
      if (key !== 'loc' && typeof child === 'object' && child !== null) stack.push(child);
    }
  }
  return false;
}
