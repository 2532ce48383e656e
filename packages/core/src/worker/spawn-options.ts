import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Options for starting a worker process. */
export interface WorkerSpawnOptions {
  /** Extra directories or files the worker may read (besides its own installed code). */
  extraReadPaths?: string[];
  /** Heap limit of the worker's own (host) V8 heap, MiB. @default 512 */
  hostHeapMib?: number;
}

/** What `child_process.fork()` needs to start a locked-down worker. */
export interface ResolvedWorkerSpawn {
  /** Absolute path of the worker entry module. */
  modulePath: string;
  /** Node flags: permission model, no snapshot, heap limit. */
  execArgv: string[];
}

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The flags a worker process starts with (DESIGN.md, "The one rule of isolation"):
 * - `--permission` with read access only to the installed code (this package and
 *   isolated-vm with its loader), no fs write, no child processes, no worker threads;
 * - `--allow-addons` for isolated-vm's native module;
 * - `--no-node-snapshot`, required by isolated-vm on Node 20+.
 *
 * `/etc/alpine-release` is read (and normally absent) by node-gyp-build when it picks the
 * prebuilt binary; allowing that one path is enough.
 */
export function resolveWorkerSpawn(options: WorkerSpawnOptions = {}): ResolvedWorkerSpawn {
  const require = createRequire(import.meta.url);
  const coreRoot = path.resolve(here, '..', '..');
  const ivmRoot = path.dirname(require.resolve('isolated-vm/package.json'));
  const gypBuildRoot = path.dirname(
    createRequire(path.join(ivmRoot, 'package.json')).resolve('node-gyp-build/package.json'),
  );
  const readPaths = new Set([
    coreRoot,
    ivmRoot,
    gypBuildRoot,
    ...runtimeDependencyRoots(coreRoot),
    '/etc/alpine-release',
    ...(options.extraReadPaths ?? []),
  ]);
  const execArgv = [
    '--permission',
    '--allow-addons',
    ...[...readPaths].map((p) => `--allow-fs-read=${p}`),
    '--no-node-snapshot',
    `--max-old-space-size=${options.hostHeapMib ?? 512}`,
    '--disable-warning=SecurityWarning',
  ];
  return { modulePath: path.join(here, 'worker-main.js'), execArgv };
}

/**
 * The installed directories of core's own runtime dependencies (its package.json
 * `dependencies`), which the worker loads: read access to each, and to nothing else of
 * node_modules. A dependency added to core is thereby allowed without editing this file.
 */
function runtimeDependencyRoots(coreRoot: string): string[] {
  const manifest = JSON.parse(readFileSync(path.join(coreRoot, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  const require = createRequire(path.join(coreRoot, 'package.json'));
  const roots: string[] = [];
  for (const name of Object.keys(manifest.dependencies ?? {})) {
    const found = (require.resolve.paths(name) ?? [])
      .map((dir) => path.join(dir, name))
      .find((dir) => existsSync(path.join(dir, 'package.json')));
    if (found !== undefined) roots.push(found);
  }
  return roots;
}
