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
  let program: Program;
  try {
    program = parse(code, {
      ecmaVersion: 'latest',
      sourceType: 'script',
      allowAwaitOutsideFunction: true,
      allowReturnOutsideFunction: true,
      allowHashBang: true,
      // `(a, b)` stays one node that covers its parentheses.
      preserveParens: true,
      locations: true,
    });
  } catch {
    return { code, insertedAt: null };
  }
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
