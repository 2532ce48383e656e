/**
 * Decides whether a file is an ES module or a classic script, without a parser:
 * an explicit flag wins, then the extension (`.mjs` module, `.cjs` script), then a look for
 * top-level `import`/`export` statements at the start of a line (after comments are removed).
 * The heuristic errs towards "script"; `--module`/`--script` override it.
 */
export function detectSourceType(
  source: string,
  filename: string,
  flag: 'module' | 'script' | undefined,
): 'module' | 'script' {
  if (flag !== undefined) return flag;
  if (/\.mjs$/i.test(filename)) return 'module';
  if (/\.cjs$/i.test(filename)) return 'script';
  return hasModuleSyntax(source) ? 'module' : 'script';
}

const MODULE_STATEMENT =
  /^[ \t]*(?:import[ \t]*(?:[\w$]+[ \t]*(?:,|from\b)|\{|\*|['"])|export[ \t]+(?:default\b|const\b|let\b|var\b|function\b|async[ \t]+function\b|class\b|\{|\*))|^[ \t]*export[ \t]*\{/m;

/** True when the source has a line that starts with an import or export statement. */
export function hasModuleSyntax(source: string): boolean {
  const withoutComments = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^[ \t]*\/\/.*$/gm, '');
  return MODULE_STATEMENT.test(withoutComments);
}
