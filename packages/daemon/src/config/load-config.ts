import { readFileSync } from 'node:fs';
import { resolveAdminToken, type AdminTokenSource, type AdminTokenWarning } from './admin-token.js';
import {
  CONFIG_KEYS,
  DaemonConfigSchema,
  crossKeyProblems,
  defaultConfig,
  type DaemonConfig,
} from './schema.js';

/** Where an effective value came from. */
export type ConfigSource = 'default' | 'file' | 'env' | 'flag';

/** Options for {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Flag values by config key (dotted path), as parsed by the CLI (strings, numbers or booleans). */
  flags?: Record<string, unknown>;
  /** Environment. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Config file (JSON). @default flags.config ?? env.VMD_CONFIG */
  configFile?: string;
  /** Reads a file: the config file, the admin token file. @default fs.readFileSync(path, 'utf8') */
  readFile?: (file: string) => string;
  /** A file's mode (the admin token file's permissions). @default fs.statSync(path).mode */
  fileMode?: (file: string) => number;
}

/** Something in the configuration that works but should be fixed; `vmd serve` logs it. */
export type ConfigWarning = AdminTokenWarning;

/** The result of {@link loadConfig}. */
export interface LoadedConfig {
  /** The deep-frozen effective configuration. */
  config: DaemonConfig;
  /** Where each leaf key's value came from. */
  sources: Readonly<Record<string, ConfigSource>>;
  /** The config file that was read, if any. */
  configFile: string | undefined;
  /** Secure mode: where the admin token comes from (never the token itself). */
  adminToken: { source: AdminTokenSource } | undefined;
  /** Things that work but should be fixed (a token file other users can read). */
  warnings: readonly ConfigWarning[];
}

/**
 * Thrown by {@link loadConfig} when the configuration is invalid. `problems` lists every problem
 * (key, source, bad value, expected form); `vmd` prints them and exits with code 2.
 */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Layer = { source: ConfigSource; label: (key: string) => string; values: Map<string, unknown> };

/**
 * Loads the configuration: embedded defaults < config file (JSON; `--config` / `VMD_CONFIG`) <
 * `VMD_*` environment variables < flags. Validates everything at once, including, with `auth`
 * on, the admin token it names (missing, unreadable or too short is a problem; a token file
 * other users can read, a warning).
 *
 * @throws ConfigError naming each bad key, its source, the bad value and the expected form.
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const flags = options.flags ?? {};
  const readFile = options.readFile ?? ((file: string) => readFileSync(file, 'utf8'));
  const problems: string[] = [];
  const defaults = defaultConfig(env);

  const configFile =
    options.configFile ??
    (typeof flags['config'] === 'string' ? flags['config'] : undefined) ??
    (env['VMD_CONFIG'] || undefined);

  const layers: Layer[] = [];
  // 1. file
  if (configFile !== undefined) {
    const values = new Map<string, unknown>();
    try {
      const parsed: unknown = JSON.parse(readFile(configFile));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        problems.push(`config file ${configFile}: expected a JSON object at the top level`);
      } else {
        flatten(parsed as Record<string, unknown>, '', values);
      }
    } catch (err) {
      problems.push(`config file ${configFile}: cannot be read as JSON (${(err as Error).message})`);
    }
    for (const key of values.keys()) {
      if (!(key in CONFIG_KEYS)) {
        problems.push(
          `${key} (from config file ${configFile}): unknown key; known keys: ${Object.keys(CONFIG_KEYS).join(', ')}`,
        );
        values.delete(key);
      }
    }
    layers.push({ source: 'file', label: (k) => `${k} (from config file ${configFile})`, values });
  }
  // 2. env
  {
    const values = new Map<string, unknown>();
    for (const [key, info] of Object.entries(CONFIG_KEYS)) {
      const raw = env[info.env];
      if (raw !== undefined && raw !== '') values.set(key, parseString(raw, info.kind));
    }
    layers.push({ source: 'env', label: (k) => `${k} (from env ${CONFIG_KEYS[k]?.env ?? '?'})`, values });
  }
  // 3. flags
  {
    const values = new Map<string, unknown>();
    for (const [key, raw] of Object.entries(flags)) {
      if (key === 'config' || raw === undefined) continue;
      const info = CONFIG_KEYS[key];
      if (!info) {
        problems.push(`${key} (from flags): unknown key`);
        continue;
      }
      values.set(key, typeof raw === 'string' ? parseString(raw, info.kind) : raw);
    }
    layers.push({ source: 'flag', label: (k) => `${k} (from flag ${CONFIG_KEYS[k]?.flag ?? '?'})`, values });
  }

  const merged = flattenToMap(defaults);
  const sources: Record<string, ConfigSource> = {};
  const labels: Record<string, string> = {};
  for (const key of merged.keys()) {
    sources[key] = 'default';
    labels[key] = `${key} (default)`;
  }
  for (const layer of layers) {
    for (const [key, value] of layer.values) {
      merged.set(key, value);
      sources[key] = layer.source;
      labels[key] = layer.label(key);
    }
  }

  const candidate = unflatten(merged);
  const result = DaemonConfigSchema.safeParse(candidate);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = issue.path.map(String).join('.');
      const info = CONFIG_KEYS[key];
      const value = merged.get(key);
      const expected = `expected ${info?.expected ?? issue.message}`;
      problems.push(`${labels[key] ?? key}: got ${JSON.stringify(value)}; ${expected}`);
    }
  }
  for (const [key, message] of crossKeyProblems(candidate)) {
    problems.push(`${labels[key] ?? key}: got ${JSON.stringify(merged.get(key))}; ${message}`);
  }
  let adminToken: LoadedConfig['adminToken'];
  const warnings: ConfigWarning[] = [];
  const tokenFile = merged.get('adminTokenFile');
  if (merged.get('auth') === true && typeof tokenFile === 'string') {
    const resolved = resolveAdminToken(
      { adminTokenFile: tokenFile },
      { env, readFile, ...(options.fileMode ? { fileMode: options.fileMode } : {}) },
    );
    problems.push(...resolved.problems);
    warnings.push(...resolved.warnings);
    adminToken = { source: resolved.source };
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);

  return {
    config: deepFreeze(result.data),
    sources: Object.freeze(sources),
    configFile,
    adminToken,
    warnings: Object.freeze(warnings),
  };
}

function parseString(raw: string, kind: string): unknown {
  if (kind === 'int') {
    const trimmed = raw.trim();
    return /^-?\d+$/.test(trimmed) ? Number(trimmed) : raw;
  }
  if (kind === 'boolean') {
    const v = raw.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    return raw;
  }
  return raw;
}

function flatten(obj: Record<string, unknown>, prefix: string, out: Map<string, unknown>): void {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && !(key in CONFIG_KEYS))
      flatten(v as Record<string, unknown>, key, out);
    else out.set(key, v);
  }
}

function flattenToMap(obj: object): Map<string, unknown> {
  const out = new Map<string, unknown>();
  flatten(obj as Record<string, unknown>, '', out);
  return out;
}

function unflatten(values: Map<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of values) {
    const parts = key.split('.');
    let node = out;
    for (const part of parts.slice(0, -1)) {
      node[part] ??= {};
      node = node[part] as Record<string, unknown>;
    }
    node[parts[parts.length - 1]!] = value;
  }
  return out;
}

/** Freezes an object and everything reachable from it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Flattens a config to dotted keys (for `vmd config print`). */
export function flattenConfig(config: DaemonConfig): Record<string, unknown> {
  return Object.fromEntries(flattenToMap(config));
}
