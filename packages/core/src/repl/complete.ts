/**
 * The host-side half of REPL completion: which object path and prefix the cursor is on. The
 * lookup itself runs in the isolate (the driver's `repl-complete`), reading properties only.
 */

/** What to complete: `globalThis.path[0]…path[n-1]`'s properties starting with `prefix`. */
export interface CompletionTarget {
  path: string[];
  prefix: string;
}

const IDENT = /[A-Za-z_$][\w$]*/y;
const TRAILING_PATH = /(?:[A-Za-z_$][\w$]*\s*\??\.\s*)*[A-Za-z_$]?[\w$]*$/;

/**
 * The completion target at `cursor` in `line`: `foo.bar.ba|` → path [foo, bar], prefix `ba`;
 * `con|` → path [], prefix `con`. Undefined where nothing can be completed (inside a string,
 * after a call or a literal: completing those would mean running code).
 */
export function parseCompletionTarget(line: string, cursor: number): CompletionTarget | undefined {
  const before = line.slice(0, Math.max(0, Math.min(cursor, line.length)));
  if (insideStringOrComment(before)) return undefined;
  const match = TRAILING_PATH.exec(before);
  if (match === null) return undefined;
  const text = match[0];
  const start = before.length - text.length;
  // `foo().x`, `"s".x`, `1.x`, `a[0].x`: the object is not a plain name path.
  const charBefore = before.slice(0, start).trimEnd().slice(-1);
  if (charBefore === '.' || (text === '' && before.trimEnd().endsWith('.'))) return undefined;
  const parts = text.split(/\s*\??\.\s*/);
  const prefix = parts.pop() ?? '';
  if (parts.some((p) => !isIdentifier(p))) return undefined;
  if (/^\d/.test(prefix)) return undefined;
  return { path: parts, prefix };
}

function isIdentifier(s: string): boolean {
  IDENT.lastIndex = 0;
  return IDENT.test(s) && IDENT.lastIndex === s.length;
}

/** A rough scan: true if `text` ends inside a string, template or comment. */
function insideStringOrComment(text: string): boolean {
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote !== null) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') return true;
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) return true;
      i = end + 1;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
  }
  return quote !== null;
}

const KEYWORDS = [
  'async',
  'await',
  'break',
  'case',
  'catch',
  'class',
  'const',
  'continue',
  'debugger',
  'default',
  'delete',
  'do',
  'else',
  'export',
  'extends',
  'false',
  'finally',
  'for',
  'function',
  'if',
  'import',
  'in',
  'instanceof',
  'let',
  'new',
  'null',
  'of',
  'return',
  'static',
  'super',
  'switch',
  'this',
  'throw',
  'true',
  'try',
  'typeof',
  'undefined',
  'var',
  'void',
  'while',
  'with',
  'yield',
];

/** Keywords starting with `prefix` (only for a bare word, and only once something is typed). */
export function keywordCandidates(prefix: string): string[] {
  return prefix === '' ? [] : KEYWORDS.filter((k) => k.startsWith(prefix));
}
