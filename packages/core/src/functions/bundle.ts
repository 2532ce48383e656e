/**
 * A deployed function's bundle: a set of source files with an entry point. Checked at deploy
 * (syntax, module kind, imports and literal requires that stay inside the bundle) on the host
 * with acorn, without running anything, and resolved again by the worker when it loads an
 * instance.
 *
 * Kinds: `.mjs` files and `.js` files with `import`/`export` are ES modules (the handler is the
 * default export, or a named `handler`); other files are CommonJS scripts (`module.exports =
 * handler` or `exports.handler = …`, with `require('./other')` inside the bundle).
 */
import { parse, type Node } from 'acorn';

export interface BundleFile {
  path: string;
  content: string;
}

/** A problem that makes the bundle undeployable, located in one of its files. */
export interface BundleProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

export type ModuleKind = 'esm' | 'cjs';

const PATH_RE = /^(?!\/)(?!.*(?:^|\/)\.\.?(?:\/|$))[A-Za-z0-9_.\-/]{1,200}$/;

/** Normalizes a bundle path (`./a/b.js` → `a/b.js`); undefined if it is not a safe relative path. */
export function normalizeBundlePath(p: string): string | undefined {
  const cleaned = p.replace(/^\.\//, '');
  return PATH_RE.test(cleaned) ? cleaned : undefined;
}

/** Resolves `specifier` imported from `from` to a bundle path (relative specifiers only). */
export function resolveInBundle(
  specifier: string,
  from: string,
  paths: ReadonlySet<string>,
): string | undefined {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined;
  const parts = from.split('/').slice(0, -1);
  for (const seg of specifier.split('/')) {
    if (seg === '.' || seg === '') continue;
    if (seg === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(seg);
  }
  const base = parts.join('/');
  for (const candidate of [
    base,
    `${base}.js`,
    `${base}.mjs`,
    `${base}.cjs`,
    `${base}.json`,
    `${base}/index.js`,
  ]) {
    if (paths.has(candidate)) return candidate;
  }
  return undefined;
}

type AnyNode = Node & Record<string, unknown>;

/** What {@link analyzeFile} finds in a file that parses. */
export interface FileAnalysis {
  kind: ModuleKind;
  /** Specifiers it imports (ES module) or requires with a literal (CommonJS). */
  imports: Array<{ specifier: string; line: number; column: number }>;
  /** Nothing but whitespace, comments, directives (`'use strict'`) and empty statements. */
  empty: boolean;
  /**
   * ES module: whether it exports a `default` or `handler`, the names a handler is taken from:
   * `yes`, `no`, or `maybe` where that depends on another module (`export * from`) or a
   * destructuring export. Always `maybe` for CommonJS, whose exports are known only once it ran.
   */
  exportsHandler: 'yes' | 'no' | 'maybe';
}

/** The kind of `file`, the specifiers it imports and what it exports — or its syntax error. */
export function analyzeFile(file: BundleFile): FileAnalysis | BundleProblem {
  const wantModule =
    file.path.endsWith('.mjs') || (file.path.endsWith('.js') && /\b(?:import|export)\b/.test(file.content));
  if (file.path.endsWith('.json')) {
    try {
      JSON.parse(file.content);
      return { kind: 'cjs', imports: [], empty: false, exportsHandler: 'no' };
    } catch (err) {
      return { file: file.path, line: 1, column: 1, message: `invalid JSON: ${(err as Error).message}` };
    }
  }
  const attempt = (sourceType: 'module' | 'script') =>
    parse(file.content, {
      ecmaVersion: 'latest',
      sourceType,
      locations: true,
      allowHashBang: true,
      // A CommonJS file runs as a function body (see __fnLoadCjs), where `return` is allowed.
      allowReturnOutsideFunction: sourceType === 'script',
    });
  let program: ReturnType<typeof attempt>;
  let kind: ModuleKind;
  try {
    if (wantModule && !file.path.endsWith('.cjs')) {
      program = attempt('module');
      const hasModuleSyntax = (program.body as unknown as AnyNode[]).some((n) =>
        /^(Import|Export)/.test(n.type),
      );
      kind = hasModuleSyntax || file.path.endsWith('.mjs') ? 'esm' : 'cjs';
      if (kind === 'cjs') program = attempt('script');
    } else {
      program = attempt('script');
      kind = 'cjs';
    }
  } catch (err) {
    const e = err as { message: string; loc?: { line: number; column: number } };
    return {
      file: file.path,
      line: e.loc?.line ?? 0,
      column: (e.loc?.column ?? 0) + 1,
      message: topLevelAwaitInScript(file.content)
        ? 'await is only valid in async functions and the top level bodies of modules: this file is CommonJS (make it an ES module, .mjs or with import/export, or await inside the handler)'
        : e.message.replace(/\s*\(\d+:\d+\)$/, ''),
    };
  }
  const body = program.body as unknown as AnyNode[];
  const empty = body.every(
    (n) => n.type === 'EmptyStatement' || (n.type === 'ExpressionStatement' && 'directive' in n),
  );
  if (kind === 'cjs') {
    return { kind, imports: staticRequires(program as unknown as AnyNode), empty, exportsHandler: 'maybe' };
  }
  const imports: Array<{ specifier: string; line: number; column: number }> = [];
  for (const node of body) {
    const source = node['source'] as (AnyNode & { value?: unknown }) | null | undefined;
    if (/^(ImportDeclaration|ExportNamedDeclaration|ExportAllDeclaration)$/.test(node.type) && source) {
      imports.push({
        specifier: String(source.value),
        line: source.loc?.start.line ?? 0,
        column: (source.loc?.start.column ?? 0) + 1,
      });
    }
  }
  return { kind, imports, empty, exportsHandler: esmExportsHandler(body) };
}

/** The names the worker takes a handler from (`__fnPick`): the export itself, or these. */
const HANDLER_EXPORTS: ReadonlySet<string> = new Set(['default', 'handler']);

/** Whether an ES module's top-level statements export `default` or `handler` (see FileAnalysis). */
function esmExportsHandler(body: readonly AnyNode[]): 'yes' | 'no' | 'maybe' {
  let answer: 'no' | 'maybe' = 'no';
  const nameOf = (n: unknown): string | undefined => {
    const node = n as (AnyNode & { name?: unknown; value?: unknown }) | null | undefined;
    if (node?.type === 'Identifier') return String(node.name);
    if (node?.type === 'Literal') return String(node.value);
    return undefined;
  };
  for (const node of body) {
    if (node.type === 'ExportDefaultDeclaration') return 'yes';
    if (node.type === 'ExportAllDeclaration') {
      // `export * from` may bring a handler from a module not read here; `export * as handler`
      // names a namespace, which the worker refuses at load with its own message.
      if (HANDLER_EXPORTS.has(nameOf(node['exported']) ?? '')) return 'yes';
      answer = 'maybe';
      continue;
    }
    if (node.type !== 'ExportNamedDeclaration') continue;
    for (const specifier of (node['specifiers'] as AnyNode[] | undefined) ?? []) {
      if (HANDLER_EXPORTS.has(nameOf(specifier['exported']) ?? '')) return 'yes';
    }
    const declaration = node['declaration'] as AnyNode | null | undefined;
    if (declaration === null || declaration === undefined) continue;
    if (declaration.type === 'VariableDeclaration') {
      for (const declarator of declaration['declarations'] as AnyNode[]) {
        const id = declarator['id'] as AnyNode;
        if (id.type !== 'Identifier') answer = 'maybe';
        else if (HANDLER_EXPORTS.has(nameOf(id) ?? '')) return 'yes';
      }
    } else if (HANDLER_EXPORTS.has(nameOf(declaration['id']) ?? '')) {
      return 'yes';
    }
  }
  return answer;
}

/** True when `code` fails as a script only because of a top-level `await` (acorn's own message is bare). */
function topLevelAwaitInScript(code: string): boolean {
  try {
    parse(code, {
      ecmaVersion: 'latest',
      sourceType: 'script',
      allowHashBang: true,
      allowReturnOutsideFunction: true,
      allowAwaitOutsideFunction: true,
    });
    return true;
  } catch {
    return false;
  }
}

/**
 * The specifiers a CommonJS file requires with a literal string (`require('./util')`), where it
 * does not declare a `require` of its own. A computed `require(name)` is left to load time.
 */
function staticRequires(program: AnyNode): Array<{ specifier: string; line: number; column: number }> {
  const found: Array<{ specifier: string; line: number; column: number }> = [];
  let shadowed = false;
  const isRequire = (n: unknown): boolean =>
    n !== null &&
    typeof n === 'object' &&
    (n as AnyNode).type === 'Identifier' &&
    (n as AnyNode)['name'] === 'require';
  const visit = (value: unknown): void => {
    if (shadowed || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const v of value) visit(v);
      return;
    }
    const node = value as AnyNode;
    if (typeof node.type !== 'string') return;
    if (
      (node.type === 'VariableDeclarator' && isRequire(node['id'])) ||
      (/^Function/.test(node.type) &&
        (isRequire(node['id']) || (node['params'] as unknown[]).some(isRequire))) ||
      (node.type === 'ArrowFunctionExpression' && (node['params'] as unknown[]).some(isRequire))
    ) {
      shadowed = true;
      return;
    }
    if (node.type === 'CallExpression' && isRequire(node['callee'])) {
      const args = node['arguments'] as AnyNode[];
      const arg = args[0];
      const literal =
        arg?.type === 'Literal' && typeof arg['value'] === 'string'
          ? arg['value']
          : arg?.type === 'TemplateLiteral' && (arg['expressions'] as unknown[]).length === 0
            ? ((arg['quasis'] as AnyNode[])[0]!['value'] as { cooked: string }).cooked
            : undefined;
      if (args.length === 1 && literal !== undefined) {
        found.push({
          specifier: literal,
          line: arg!.loc?.start.line ?? 0,
          column: (arg!.loc?.start.column ?? 0) + 1,
        });
      }
    }
    for (const key of Object.keys(node)) {
      if (key !== 'loc' && key !== 'type' && key !== 'start' && key !== 'end') visit(node[key]);
    }
  };
  visit(program);
  return shadowed ? [] : found;
}

/** How a bundle's entry exports its handler, for deploy messages. */
const HANDLER_FORMS =
  'a handler is module.exports = async (event, ctx) => …, exports.handler = …, or export default async function (event, ctx) { … }';

/**
 * Why the entry of a bundle cannot give a handler, when that is certain without running it: it
 * has no code, it is an ES module exporting neither `default` nor `handler`, or it is JSON.
 * Otherwise (CommonJS with code, `export * from`, …) the worker finds out when it loads it.
 */
function entryHandlerProblem(path: string, analyzed: FileAnalysis): BundleProblem | undefined {
  let why: string | undefined;
  if (path.endsWith('.json')) {
    why =
      'the entry point is a JSON file, which cannot export a function (make the entry a .js or .mjs file)';
  } else if (analyzed.empty) {
    why = 'the entry point has no code (only whitespace, comments or directives), so it exports no handler';
  } else if (analyzed.exportsHandler === 'no') {
    why =
      'the entry point is an ES module that exports neither default nor handler (add `export default` to the handler function)';
  }
  return why === undefined
    ? undefined
    : { file: path, line: 0, column: 0, message: `${why}; ${HANDLER_FORMS}` };
}

/**
 * Checks a bundle: safe unique paths, the entry among them, every file parses, ES module imports
 * and CommonJS requires of literal paths resolve inside the bundle, and the entry can give a
 * handler ({@link entryHandlerProblem}: not empty, an ES module that exports one). Returns the
 * entry's kind, or the problems.
 */
export function checkBundle(
  files: readonly BundleFile[],
  entry: string,
): { ok: true; kind: ModuleKind } | { ok: false; problems: BundleProblem[] } {
  const problems: BundleProblem[] = [];
  const paths = new Set<string>();
  for (const f of files) {
    const p = normalizeBundlePath(f.path);
    if (p === undefined) {
      problems.push({
        file: f.path,
        line: 0,
        column: 0,
        message: 'not a safe relative path (letters, digits, . _ - /)',
      });
    } else if (paths.has(p)) {
      problems.push({ file: f.path, line: 0, column: 0, message: 'appears twice in the bundle' });
    } else paths.add(p);
  }
  const entryPath = normalizeBundlePath(entry);
  if (entryPath === undefined || !paths.has(entryPath)) {
    problems.push({ file: entry, line: 0, column: 0, message: 'the entry point is not one of the files' });
  }
  let kind: ModuleKind = 'cjs';
  for (const f of files) {
    const p = normalizeBundlePath(f.path);
    if (p === undefined) continue;
    const analyzed = analyzeFile({ path: p, content: f.content });
    if ('message' in analyzed) {
      problems.push(analyzed);
      continue;
    }
    if (p === entryPath) {
      kind = analyzed.kind;
      const problem = entryHandlerProblem(p, analyzed);
      if (problem !== undefined) problems.push(problem);
    }
    const verb = analyzed.kind === 'esm' ? 'imports' : 'requires';
    for (const imp of analyzed.imports) {
      if (resolveInBundle(imp.specifier, p, paths) === undefined) {
        problems.push({
          file: p,
          line: imp.line,
          column: imp.column,
          message: `${verb} '${imp.specifier}', which is not a file of the bundle (only relative ${verb === 'imports' ? 'imports' : 'requires'} of deployed files work; bundle dependencies with a bundler)`,
        });
      }
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, kind };
}
