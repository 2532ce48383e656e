import path from 'node:path';
import Table from 'cli-table3';
import type { FunctionInfo, InvokeResult } from '@vmd/client';
import type { FnDeployOptions, FnInvokeOptions } from '../commands/fn.js';
import type { CliContext } from '../context.js';
import { CliUsageError, describeReadError } from '../errors.js';
import { EXIT_CODE_BY_FAILURE_KIND, ExitCode } from '../output/exit-codes.js';
import { formatFailure, formatResult, renderJson, toInvokeJsonReport } from '../output/render.js';

/** Handlers of `vmctl fn …`: lines and tables for people, one JSON document with `--json`. */

const when = (d: Date | undefined): string => (d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : '');

function fnJson(f: FunctionInfo): unknown {
  return { ...f, createdAt: when(f.createdAt), updatedAt: when(f.updatedAt) };
}

/** The bundle: each file's path relative to the files' common directory. */
export function bundlePaths(files: string[]): { base: string; relative: string[] } {
  const absolute = files.map((f) => path.resolve(f));
  let base = path.dirname(absolute[0]!);
  for (const f of absolute) {
    while (!(f + path.sep).startsWith(base + path.sep) && base !== path.dirname(base))
      base = path.dirname(base);
  }
  return { base, relative: absolute.map((f) => path.relative(base, f).split(path.sep).join('/')) };
}

export async function runFnDeploy(
  context: CliContext,
  name: string,
  files: string[],
  o: FnDeployOptions,
): Promise<ExitCode> {
  // A file named twice (a.js a.js, or ./a.js a.js) is one file of the bundle.
  const byPath = new Map<string, string>();
  for (const f of files) if (!byPath.has(path.resolve(f))) byPath.set(path.resolve(f), f);
  files = [...byPath.values()];
  const { base, relative } = bundlePaths(files);
  const bundle: Record<string, string> = {};
  for (let i = 0; i < files.length; i++) {
    try {
      bundle[relative[i]!] = await context.io.readFile(files[i]!);
    } catch (err) {
      throw new CliUsageError(`cannot read ${files[i]}: ${describeReadError(err)}`);
    }
  }
  const entry =
    o.entry === undefined ? undefined : path.relative(base, path.resolve(o.entry)).split(path.sep).join('/');
  checkEntry(entry, o.entry, relative);
  // A `file:line:column` in the daemon's answer (a syntax error) gets a code frame from these.
  context.errorContext.files = bundle;
  return context.withClient(async (c) => {
    const { function: fn, version } = await c.functions.deploy(name, bundle, {
      ...(entry !== undefined ? { entry } : {}),
      ...(o.memory !== undefined ? { memoryMb: o.memory } : {}),
      ...(o.timeout !== undefined ? { timeoutMs: o.timeout } : {}),
      ...(o.cpu !== undefined ? { cpuTimeMs: o.cpu } : {}),
      env: o.env ?? {},
      freshIsolatePerInvocation: o.fresh === true,
      ...(o.capability !== undefined ? { capabilities: o.capability } : {}),
    });
    context.io.stdout.write(
      context.json
        ? renderJson({ function: fnJson(fn), version })
        : `deployed ${fn.name} version ${version} (${relative.length} file${relative.length === 1 ? '' : 's'}); it is now active\n`,
    );
    return ExitCode.OK;
  });
}

/** The entry file the daemon picks when `--entry` is not given (see `--entry`'s help). */
const DEFAULT_ENTRY = 'index.js';

/**
 * Refuses a bundle whose entry point is not one of its files before sending it: the daemon
 * would refuse it too, without saying that `--entry` chooses the entry.
 * @throws CliUsageError naming --entry and the files.
 */
function checkEntry(entry: string | undefined, given: string | undefined, paths: string[]): void {
  if (entry === undefined && paths.length === 1) return; // the only file is the entry
  const chosen = entry ?? DEFAULT_ENTRY;
  if (paths.includes(chosen)) return;
  const list = paths.join(', ');
  throw new CliUsageError(
    given === undefined
      ? `the bundle has no ${DEFAULT_ENTRY}, the default entry point: name the entry file with --entry FILE (one of ${list})`
      : `--entry ${given} is not one of the files given (${list}): name one of them, or add it to the files`,
  );
}

/**
 * Resolves `--event`: JSON text, `@file.json`, or `@-` for stdin. Returns the parsed event.
 * @throws CliUsageError naming --event when the file cannot be read or the text is not JSON.
 */
async function resolveEvent(option: string, io: CliContext['io']): Promise<unknown> {
  let text = option;
  let from = '--event';
  if (option.startsWith('@')) {
    const file = option.slice(1);
    if (file === '') throw new CliUsageError('--event @ needs a file name, e.g. --event @event.json');
    from = file === '-' ? '--event @- (stdin)' : `--event file '${file}'`;
    try {
      text = file === '-' ? await io.readStdin() : await io.readFile(file);
    } catch (error) {
      throw new CliUsageError(`cannot read --event file '${file}': ${describeReadError(error)}`);
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliUsageError(
      `the event from ${from} is not valid JSON (${error instanceof Error ? error.message : String(error)}); pass JSON text such as --event '{"name": "vmd"}', or --event @event.json`,
    );
  }
}

export async function runFnInvoke(context: CliContext, name: string, o: FnInvokeOptions): Promise<ExitCode> {
  if (o.event !== undefined && o.input !== undefined && o.event !== o.input) {
    throw new CliUsageError('--event and --input are the same option (the event); give one of them');
  }
  const given = o.event ?? o.input;
  const event = given === undefined ? null : await resolveEvent(given, context.io);
  return context.withClient(async (c) => {
    const r: InvokeResult = await c.functions.invoke(name, event, {
      ...(o.version !== undefined ? { version: o.version } : {}),
      ...(o.memory !== undefined ? { memoryMb: o.memory } : {}),
      ...(o.timeout !== undefined ? { timeoutMs: o.timeout } : {}),
      ...(o.cpu !== undefined ? { cpuTimeMs: o.cpu } : {}),
      ...(context.json
        ? {}
        : {
            onLog: (e) =>
              (e.stream === 'stderr' ? context.io.stderr : context.io.stdout).write(`${e.text}\n`),
          }),
    });
    if (context.json) {
      context.io.stdout.write(renderJson(toInvokeJsonReport(r)));
    } else if (r.ok) {
      const text = formatResult(r.value, context.out);
      if (text !== undefined) context.io.stdout.write(text);
      context.io.stderr.write(
        context.err.dim(
          `version ${r.version}, ${r.warm ? 'warm' : 'cold'} start, ${r.metrics.wallTimeMs.toFixed(1)} ms\n`,
        ),
      );
    } else {
      // The function's files stay in the daemon: the file and line come from the stack, no code frame.
      context.io.stderr.write(formatFailure(r.failure, {}, undefined, context.err));
    }
    return r.ok ? ExitCode.OK : EXIT_CODE_BY_FAILURE_KIND[r.failure.kind];
  });
}

export const runFnList = (context: CliContext): Promise<ExitCode> =>
  context.withClient(async (c) => {
    const all: FunctionInfo[] = [];
    let pageToken = '';
    do {
      const page = await c.functions.list({ pageToken });
      all.push(...page.items);
      pageToken = page.nextPageToken;
    } while (pageToken !== '');
    if (context.json) context.io.stdout.write(renderJson({ functions: all.map(fnJson) }));
    else {
      const t = new Table({ head: ['name', 'active', 'latest', 'updated'], style: { head: [], border: [] } });
      t.push(
        ...all.map((f) => [f.name, String(f.activeVersion), String(f.latestVersion), when(f.updatedAt)]),
      );
      context.io.stdout.write(`${t.toString()}\n`);
    }
    return ExitCode.OK;
  });

export const runFnVersions = (context: CliContext, name: string): Promise<ExitCode> =>
  context.withClient(async (c) => {
    const { function: fn } = await c.functions.get(name);
    const page = await c.functions.versions(name, { pageSize: 1000 });
    if (context.json) {
      context.io.stdout.write(
        renderJson({
          active: fn.activeVersion,
          versions: page.items.map((v) => ({
            version: v.version,
            entry: v.entry,
            sha256: v.sha256,
            createdAt: when(v.createdAt),
          })),
        }),
      );
    } else {
      const t = new Table({
        head: ['version', 'entry', 'sha256', 'created', ''],
        style: { head: [], border: [] },
      });
      t.push(
        ...page.items.map((v) => [
          String(v.version),
          v.entry,
          v.sha256.slice(0, 12),
          when(v.createdAt),
          v.version === fn.activeVersion ? 'active' : '',
        ]),
      );
      context.io.stdout.write(`${t.toString()}\n`);
    }
    return ExitCode.OK;
  });

export const runFnGet = (context: CliContext, name: string): Promise<ExitCode> =>
  context.withClient(async (c) => {
    const { function: fn, active } = await c.functions.get(name);
    if (context.json) {
      context.io.stdout.write(
        renderJson({ function: fnJson(fn), active: { ...active, createdAt: when(active.createdAt) } }),
      );
    } else {
      const rows: [string, string][] = [
        ['name', fn.name],
        ['active version', `${fn.activeVersion} of ${fn.latestVersion}`],
        ['entry', active.entry],
        ['files', active.files.map((f) => `${f.path} (${Buffer.byteLength(f.content)} bytes)`).join(', ')],
        ['env', Object.keys(active.env).join(', ') || '(none)'],
        ['instances', active.freshIsolatePerInvocation ? 'fresh per invocation' : 'warm when possible'],
        ['capabilities', active.capabilities.join(', ') || '(none)'],
        ['sha256', active.sha256],
        ['updated', when(fn.updatedAt)],
      ];
      const width = Math.max(...rows.map(([k]) => k.length));
      context.io.stdout.write(rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n');
    }
    return ExitCode.OK;
  });

export const runFnDelete = (context: CliContext, name: string): Promise<ExitCode> =>
  context.withClient(async (c) => {
    await c.functions.delete(name);
    context.io.stdout.write(context.json ? renderJson({ deleted: name }) : `deleted function ${name}\n`);
    return ExitCode.OK;
  });

export const runFnRollback = (context: CliContext, name: string, version: number): Promise<ExitCode> =>
  context.withClient(async (c) => {
    const fn = await c.functions.rollback(name, version);
    context.io.stdout.write(
      context.json
        ? renderJson({ function: fnJson(fn) })
        : `${name}: version ${fn.activeVersion} is active again\n`,
    );
    return ExitCode.OK;
  });
