/**
 * What a REPL input means before it runs: parsed on the host with acorn (nothing runs), it is
 * either incomplete (the user is still typing: an open brace, template literal, unfinished
 * expression), a syntax error with its position, or code rewritten so that state persists
 * across inputs the way Node's REPL does:
 *
 * - top-level `let`, `const` and `class` declarations become properties of the global object,
 *   defined by the sandbox's `__replDeclare` (REPL sessions only): later inputs see them and may
 *   declare them again, and a `const` cannot be assigned (TypeError, as for a const binding);
 * - top-level `var` declarations stay as they are (already global), except in an input using
 *   top-level await, where they become assignments to global variables declared with `var`;
 * - an input that uses top-level `await` runs as the body of an async function whose last
 *   expression statement is returned (`const x = await f()` works, the names stay global:
 *   their `var` declarations and any function declarations go before the function);
 * - an input that starts with `{` and parses as an expression is an object literal, not a block.
 *
 * Each statement is rewritten in place, and the rewrite keeps a map from every position of its
 * code back to the input, so stack traces and errors point at what the user typed.
 */
import { parse, type Node, type Options, type Program } from 'acorn';
import { RETURN_PREFIX } from '../engine/completion-value.js';

/** The input's own 1-based line/column for one in the rewritten code, or null for the wrapper. */
export type PositionMap = (line: number, column: number) => { line: number; column: number } | null;

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
      /**
       * The input's own 1-based line/column for one in `code` (stack traces report the latter),
       * or null for the rewrite's wrapper, which is none of the input's.
       */
      originalPosition: PositionMap;
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
    if ('program' in asExpression) return rewrite(`(${input}\n)`, asExpression.program, input, 1);
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
  return rewrite(input, parsed.program, input, 0);
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

/**
 * Where the text of a rewritten input came from: each piece is either copied from the input (at
 * offset `from`) or inserted by the rewrite (`from` null, shown at the input's offset `at`; the
 * async wrapper's closing `})()` has neither and belongs to no line of the input).
 */
interface Piece {
  outStart: number;
  length: number;
  from: number | null;
  at: number | null;
}

/** Builds the rewritten code and remembers where each piece of it came from. */
class Builder {
  text = '';
  readonly pieces: Piece[] = [];
  constructor(private readonly code: string) {}

  copy(start: number, end: number): void {
    if (end <= start) return;
    this.pieces.push({ outStart: this.text.length, length: end - start, from: start, at: null });
    this.text += this.code.slice(start, end);
  }

  insert(text: string, at: number | null): void {
    if (text === '') return;
    this.pieces.push({ outStart: this.text.length, length: text.length, from: null, at });
    this.text += text;
  }
}

/** Offsets where each line of `text` starts (every ECMAScript line terminator ends a line). */
function lineStarts(text: string): number[] {
  const starts = [0];
  const re = /\r\n|[\n\r\u2028\u2029]/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) starts.push(m.index + m[0].length);
  return starts;
}

/**
 * Maps a 1-based line/column of the rewritten code (as V8 reports it) to the input's own, or
 * null for the rewrite's wrapper. `base` is where the input starts in the parsed text.
 */
function positionMap(out: string, pieces: readonly Piece[], input: string, base: number): PositionMap {
  const outLines = lineStarts(out);
  const inLines = lineStarts(input);
  return (line, column) => {
    const lineStart = outLines[line - 1];
    if (lineStart === undefined || column < 1) return null;
    const offset = lineStart + column - 1;
    let piece: Piece | undefined;
    for (const p of pieces) {
      if (p.outStart > offset) break;
      piece = p;
    }
    if (piece === undefined) return null;
    const parsedOffset =
      piece.from !== null ? piece.from + Math.min(offset - piece.outStart, piece.length - 1) : piece.at;
    if (parsedOffset === null) return null;
    const at = Math.max(0, Math.min(input.length, parsedOffset - base));
    let l = 0;
    while (l + 1 < inLines.length && inLines[l + 1]! <= at) l++;
    return { line: l + 1, column: at - inLines[l]! + 1 };
  };
}

interface Edit {
  start: number;
  end: number;
  /** Writes the statement's replacement. */
  emit: (b: Builder) => void;
}

function rewrite(code: string, program: Program, input: string, base: number): PreparedInput {
  const awaitResult = hasTopLevelAwait(program.body);
  const globals: string[] = [];
  const edits: Edit[] = [];
  const hoisted: AnyNode[] = [];
  const body = program.body as unknown as AnyNode[];

  for (const statement of body) {
    if (statement.type === 'VariableDeclaration') {
      const kind = statement['kind'] as string;
      const declarations = statement['declarations'] as AnyNode[];
      if (kind === 'var') {
        if (!awaitResult) continue; // already global; redeclaring is allowed
        // Inside the async wrapper a var would be local: declare it global, assign in place.
        const parts: { id: AnyNode; init: AnyNode }[] = [];
        for (const d of declarations) {
          const id = d['id'] as AnyNode;
          boundNames(id, globals);
          const init = d['init'] as AnyNode | null;
          if (init) parts.push({ id, init });
        }
        // `void`: a declaration's value in the REPL is undefined, as in Node.
        edits.push({
          start: statement.start,
          end: statement.end,
          emit: (b) => {
            b.insert('void (', statement.start);
            if (parts.length === 0) b.insert('0', statement.start);
            parts.forEach(({ id, init }, i) => {
              b.insert(i === 0 ? '(' : ', (', id.start);
              b.copy(id.start, id.end);
              b.insert(' = ', id.end);
              b.copy(init.start, init.end);
              b.insert(')', init.end);
            });
            b.insert(');', statement.end);
          },
        });
        continue;
      }
      // let/const: each declarator's names become globals through __replDeclare (a const
      // one cannot be assigned, in this input or a later one; both may be declared again).
      edits.push({
        start: statement.start,
        end: statement.end,
        emit: (b) => {
          b.insert('void (', statement.start);
          declarations.forEach((d, i) => {
            const id = d['id'] as AnyNode;
            const init = d['init'] as AnyNode | null;
            b.insert(`${i === 0 ? '' : ', '}__replDeclare('${kind}', `, d.start);
            if (id.type === 'Identifier') {
              // `{ name: value }` names an anonymous function or class after its binding, as a
              // declaration does; `__proto__` needs a computed key to be a property.
              const name = id['name'] as string;
              b.insert(name === '__proto__' ? "{ ['__proto__']: " : '{ ', id.start);
              if (name !== '__proto__') {
                b.copy(id.start, id.end);
                b.insert(': ', id.end);
              }
              if (init) b.copy(init.start, init.end);
              else b.insert('undefined', id.end);
              b.insert(' }', d.end);
            } else {
              // A pattern binds through an arrow function's parameter, which returns the names.
              const names: string[] = [];
              boundNames(id, names);
              b.insert('((', id.start);
              b.copy(id.start, id.end);
              b.insert(`) => ({ ${names.join(', ')} }))(`, id.end);
              if (init) b.copy(init.start, init.end);
              else b.insert('undefined', id.end);
              b.insert(')', d.end);
            }
            b.insert(')', d.end);
          });
          b.insert(');', statement.end);
        },
      });
    } else if (statement.type === 'ClassDeclaration') {
      const id = statement['id'] as AnyNode;
      const name = id['name'] as string;
      edits.push({
        start: statement.start,
        end: statement.end,
        emit: (b) => {
          b.insert(
            `void __replDeclare('let', { ${name === '__proto__' ? "['__proto__']" : name}: `,
            statement.start,
          );
          b.copy(statement.start, statement.end);
          b.insert(' });', statement.end);
        },
      });
    } else if (statement.type === 'FunctionDeclaration' && awaitResult) {
      // Inside the async wrapper a function declaration would be local: hoist it out.
      hoisted.push(statement);
      edits.push({ start: statement.start, end: statement.end, emit: () => undefined });
    }
  }

  // The last expression statement becomes the async function's return value.
  const last = body.at(-1);
  if (awaitResult && last?.type === 'ExpressionStatement' && !edits.some((e) => e.start === last.start)) {
    const expression = last['expression'] as AnyNode;
    edits.push({
      start: expression.start,
      end: last.end,
      emit: (b) => {
        b.insert(RETURN_PREFIX, expression.start);
        b.copy(expression.start, expression.end);
        b.insert(');', expression.end);
      },
    });
  }

  const b = new Builder(code);
  const unique = [...new Set(globals)];
  if (unique.length > 0) b.insert(`var ${unique.join(', ')}; `, 0);
  hoisted.forEach((f, i) => {
    if (i > 0) b.insert(' ', f.start);
    b.copy(f.start, f.end);
  });
  if (awaitResult) b.insert('(async () => {', 0);
  let at = 0;
  for (const e of edits.sort((x, y) => x.start - y.start)) {
    b.copy(at, e.start);
    e.emit(b);
    at = e.end;
  }
  b.copy(at, code.length);
  if (awaitResult) b.insert('\n})()', null);
  return {
    kind: 'code',
    code: b.text,
    awaitResult,
    originalPosition: positionMap(b.text, b.pieces, input, base),
  };
}
