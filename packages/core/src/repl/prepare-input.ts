/**
 * What a REPL input means before it runs: parsed on the host with acorn (nothing runs), it is
 * either incomplete (the user is still typing: an open brace, template literal, unfinished
 * expression), a syntax error with its position, or code rewritten so that state persists
 * across inputs the way Node's REPL does:
 *
 * - top-level `let`, `const` and `class` declarations become assignments to global variables
 *   (declared with `var`), so later inputs see them and may declare them again;
 * - an input that uses top-level `await` runs as the body of an async function whose last
 *   expression statement is returned (`const x = await f()` works, the names stay global:
 *   their `var` declarations and any function declarations go before the function);
 * - an input that starts with `{` and parses as an expression is an object literal, not a block.
 *
 * Line numbers are kept: each statement is rewritten in place and the `var` prefix goes on
 * line 1 (columns on line 1 shift; REPL inputs are short).
 */
import { parse, type Node, type Options, type Program } from 'acorn';
import { RETURN_PREFIX } from '../engine/completion-value.js';

/** The outcome of {@link prepareReplInput}. */
export type PreparedInput =
  | { kind: 'empty' }
  | { kind: 'incomplete' }
  | { kind: 'syntax-error'; message: string; line: number; column: number }
  | {
      kind: 'code';
      /** The code to evaluate as a classic script (global scope). */
      code: string;
      /** The completion value is a promise of the input's value: await it (top-level await). */
      awaitResult: boolean;
    };

const PARSE_OPTIONS: Options = {
  ecmaVersion: 'latest',
  sourceType: 'script',
  allowAwaitOutsideFunction: true,
  allowHashBang: false,
  preserveParens: true,
  locations: true,
};

/** acorn messages that mean "the input stops inside a construct that continues". */
const CONTINUES = [/^Unterminated template/, /^Unterminated comment/];

interface ParseError {
  message: string;
  pos: number;
  loc?: { line: number; column: number };
}

function tryParse(code: string): { program: Program } | { error: ParseError } {
  try {
    return { program: parse(code, PARSE_OPTIONS) };
  } catch (err) {
    return { error: err as ParseError };
  }
}

/** True if the parse error is at the very end of the input (more text could fix it). */
function atEnd(code: string, error: ParseError): boolean {
  if (CONTINUES.some((re) => re.test(error.message))) return true;
  // The offending token is the end of input itself (a real token there has a width).
  return error.pos >= code.trimEnd().length;
}

/** Parses and rewrites one REPL input. Never runs anything. */
export function prepareReplInput(input: string): PreparedInput {
  if (input.trim() === '') return { kind: 'empty' };
  // Like Node: `{ a: 1 }` is an object literal when it parses as one.
  const trimmed = input.trim();
  if (trimmed.startsWith('{') && !trimmed.endsWith(';')) {
    const asExpression = tryParse(`(${input}\n)`);
    if ('program' in asExpression) return rewrite(`(${input}\n)`, asExpression.program);
  }
  const parsed = tryParse(input);
  if ('error' in parsed) {
    if (atEnd(input, parsed.error)) return { kind: 'incomplete' };
    return {
      kind: 'syntax-error',
      message: parsed.error.message.replace(/\s*\(\d+:\d+\)$/, ''),
      line: parsed.error.loc?.line ?? 0,
      column: (parsed.error.loc?.column ?? 0) + 1,
    };
  }
  return rewrite(input, parsed.program);
}

type AnyNode = Node & Record<string, unknown>;

/** Names bound by a declaration pattern (`a`, `{ b, c: [d] }`, `...e`, `f = 1`). */
function boundNames(pattern: AnyNode, out: string[]): void {
  switch (pattern.type) {
    case 'Identifier':
      out.push(pattern['name'] as string);
      break;
    case 'ObjectPattern':
      for (const p of pattern['properties'] as AnyNode[]) {
        boundNames((p.type === 'RestElement' ? p['argument'] : p['value']) as AnyNode, out);
      }
      break;
    case 'ArrayPattern':
      for (const e of pattern['elements'] as (AnyNode | null)[]) if (e) boundNames(e, out);
      break;
    case 'RestElement':
      boundNames(pattern['argument'] as AnyNode, out);
      break;
    case 'AssignmentPattern':
      boundNames(pattern['left'] as AnyNode, out);
      break;
  }
}

/** True if `node` contains an `await` (or `for await`) outside any nested function. */
function hasTopLevelAwait(node: unknown): boolean {
  if (node === null || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some(hasTopLevelAwait);
  const n = node as AnyNode;
  if (typeof n.type !== 'string') return false;
  if (n.type === 'AwaitExpression') return true;
  if (n.type === 'ForOfStatement' && n['await'] === true) return true;
  if (
    n.type === 'FunctionDeclaration' ||
    n.type === 'FunctionExpression' ||
    n.type === 'ArrowFunctionExpression'
  ) {
    return false;
  }
  for (const key of Object.keys(n)) {
    if (key === 'loc' || key === 'type' || key === 'start' || key === 'end') continue;
    if (hasTopLevelAwait(n[key])) return true;
  }
  return false;
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

function rewrite(code: string, program: Program): PreparedInput {
  const awaitResult = hasTopLevelAwait(program.body);
  const globals: string[] = [];
  const edits: Edit[] = [];
  const hoisted: string[] = [];
  const body = program.body as unknown as AnyNode[];

  for (const statement of body) {
    if (statement.type === 'VariableDeclaration') {
      const kind = statement['kind'] as string;
      const declarations = statement['declarations'] as AnyNode[];
      if (kind === 'var' && !awaitResult) continue; // already global; redeclaring is allowed
      const parts: string[] = [];
      for (const d of declarations) {
        const id = d['id'] as AnyNode;
        boundNames(id, globals);
        const init = d['init'] as AnyNode | null;
        const target = code.slice(id.start, id.end);
        if (init) parts.push(`(${target} = ${code.slice(init.start, init.end)})`);
        else if (kind !== 'var') parts.push(`(${target} = undefined)`);
      }
      // `void`: a declaration's value in the REPL is undefined, as in Node.
      edits.push({ start: statement.start, end: statement.end, text: `void (${parts.join(', ') || '0'});` });
    } else if (statement.type === 'ClassDeclaration') {
      const name = (statement['id'] as AnyNode)['name'] as string;
      globals.push(name);
      edits.push({
        start: statement.start,
        end: statement.end,
        text: `void (${name} = ${code.slice(statement.start, statement.end)});`,
      });
    } else if (statement.type === 'FunctionDeclaration' && awaitResult) {
      // Inside the async wrapper a function declaration would be local: hoist it out.
      hoisted.push(code.slice(statement.start, statement.end));
      edits.push({ start: statement.start, end: statement.end, text: '' });
    }
  }

  let out = applyEdits(code, edits);
  const unique = [...new Set(globals)];
  const prefix = (unique.length > 0 ? `var ${unique.join(', ')}; ` : '') + hoisted.join(' ');
  if (awaitResult) {
    // The last expression statement becomes the async function's return value.
    const last = body.at(-1);
    if (last?.type === 'ExpressionStatement') {
      const replaced = edits.find((e) => e.start === last.start);
      if (replaced === undefined) {
        const expression = last['expression'] as AnyNode;
        const shifted = shift(edits, expression.start);
        out =
          out.slice(0, expression.start + shifted) +
          RETURN_PREFIX +
          out.slice(expression.start + shifted, expression.end + shifted) +
          ');' +
          out.slice(last.end + shifted);
      }
    }
    out = `${prefix}(async () => {${out}\n})()`;
  } else {
    out = prefix + out;
  }
  return { kind: 'code', code: out, awaitResult };
}

function applyEdits(code: string, edits: Edit[]): string {
  let out = '';
  let at = 0;
  for (const e of [...edits].sort((a, b) => a.start - b.start)) {
    out += code.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + code.slice(at);
}

/** How far text at `pos` moved because of the edits before it. */
function shift(edits: Edit[], pos: number): number {
  let delta = 0;
  for (const e of edits) if (e.end <= pos) delta += e.text.length - (e.end - e.start);
  return delta;
}
