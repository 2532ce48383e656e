/**
 * Compiles and links an ES module bundle inside an isolate: every import is resolved to a file of
 * the same bundle (nothing else can be imported), and a wrapper module hands the entry's
 * namespace to the driver's one-shot hook so the handler can be kept for later invocations.
 */
import type ivm from 'isolated-vm';
import { syntaxFailure, tenantUrl, MODULE_WRAPPER_FILENAME, type CompileResult } from '../engine/compile.js';
import { FailureKind } from '../errors/execution-failure.js';
import { normalizeBundlePath, resolveInBundle, type BundleFile } from './bundle.js';

export async function linkBundle(
  isolate: ivm.Isolate,
  context: ivm.Context,
  files: readonly BundleFile[],
  entry: string,
  hookName: string,
): Promise<CompileResult<ivm.Module>> {
  const sources = new Map<string, string>();
  for (const f of files) {
    const p = normalizeBundlePath(f.path);
    if (p !== undefined) sources.set(p, f.content);
  }
  const paths = new Set(sources.keys());
  const entryPath = normalizeBundlePath(entry) ?? entry;
  const compiled = new Map<string, ivm.Module>();
  const urlToPath = new Map<string, string>();
  let failure: CompileResult<ivm.Module> | undefined;

  const compile = async (p: string): Promise<ivm.Module> => {
    const existing = compiled.get(p);
    if (existing !== undefined) return existing;
    const url = tenantUrl(p);
    const module = await isolate.compileModule(sources.get(p) ?? '', { filename: url });
    compiled.set(p, module);
    urlToPath.set(url, p);
    return module;
  };

  let entryModule: ivm.Module;
  try {
    entryModule = await compile(entryPath);
  } catch (err) {
    return { ok: false, failure: syntaxFailure(err) };
  }
  const wrapper = await isolate.compileModule(
    `import * as ns from ${JSON.stringify(entryPath)};\n${hookName}(ns);\n`,
    { filename: MODULE_WRAPPER_FILENAME },
  );
  try {
    await wrapper.instantiate(context, async (specifier, referrer) => {
      if (referrer === wrapper) return entryModule;
      const from = [...compiled.entries()].find(([, m]) => m === referrer)?.[0] ?? entryPath;
      const target = resolveInBundle(specifier, from, paths);
      if (target === undefined) {
        throw new Error(
          `Cannot import '${specifier}' from ${from}: only files of the function's bundle can be imported`,
        );
      }
      try {
        return await compile(target);
      } catch (err) {
        failure = { ok: false, failure: syntaxFailure(err) };
        throw err;
      }
    });
  } catch (err) {
    if (failure !== undefined) return failure;
    return {
      ok: false,
      failure: {
        kind: FailureKind.RUNTIME,
        name: 'Error',
        message: err instanceof Error ? err.message : String(err),
        stack: '',
        line: 0,
        column: 0,
      },
    };
  }
  return { ok: true, value: wrapper, wrappedAsync: false };
}
