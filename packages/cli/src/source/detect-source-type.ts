import { parse, type Options } from 'acorn';

/**
 * Decides whether a file is an ES module or a classic script: an explicit flag wins, then the
 * extension (`.mjs` module, `.cjs` script), then the code itself, as Node decides for a `.js`
 * file outside a package with a "type": code is a module when parsing it as a script stops at
 * module syntax (`import`/`export` statements, `import.meta`), and a script otherwise; a syntax
 * error is then reported by the daemon for the kind chosen.
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

const COMMON: Options = {
  ecmaVersion: 'latest',
  allowHashBang: true,
  // vmd scripts may use top-level await and `return` (docs/results.md).
  allowAwaitOutsideFunction: true,
  allowReturnOutsideFunction: true,
};

/** acorn's errors for module-only syntax in a script (Node's detection looks for the same). */
const MODULE_ONLY = [/'import' and 'export' may appear only with 'sourceType: module'/, /'import\.meta'/];

/**
 * True when the source is a module: parsing it as a script (with acorn) fails on `import`,
 * `export` or `import.meta`, as Node's detection of ES module syntax does.
 */
export function hasModuleSyntax(source: string): boolean {
  try {
    parse(source, { ...COMMON, sourceType: 'script' });
    return false;
  } catch (err) {
    const message = err instanceof Error ? err.message : '';
    return MODULE_ONLY.some((re) => re.test(message));
  }
}
