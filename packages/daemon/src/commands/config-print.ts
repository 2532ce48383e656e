import { describeAdminTokenSource } from '../config/admin-token.js';
import { ConfigError, flattenConfig, loadConfig } from '../config/load-config.js';
import { CONFIG_KEYS } from '../config/schema.js';
import { flagsToConfig, type ServeFlags } from './serve.js';

/**
 * `vmd config print [--json] [serve flags]`: the effective config with the source of each value.
 * It takes the flags of `vmd serve` (`--listen`, `--config`, …), so it shows what `vmd serve`
 * with the same flags, environment and config file would use, and reports the same problems
 * (exit 2) and warnings (on stderr). In secure mode it says where the admin token comes from,
 * never the token.
 */
export function configPrintCommand(opts: ServeFlags & { json?: boolean }): void {
  const { json, ...flags } = opts;
  let loaded;
  try {
    loaded = loadConfig({ flags: flagsToConfig(flags) });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`vmd: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  for (const w of loaded.warnings) process.stderr.write(`vmd: warning: ${w.text}\n`);
  const flat = flattenConfig(loaded.config);
  const token = loaded.adminToken?.source;
  if (json === true) {
    const out = Object.fromEntries(
      Object.entries(flat).map(([k, v]) => [k, { value: v, source: loaded.sources[k] }]),
    );
    const doc = {
      configFile: loaded.configFile ?? null,
      values: out,
      // Where the token comes from; the token itself is never printed.
      adminToken: token === undefined ? null : token,
      warnings: loaded.warnings.map((w) => w.text),
    };
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    return;
  }
  const width = Math.max(...Object.keys(flat).map((k) => k.length));
  // One write: a reader that stops early (`| head`) then does not break a write in the middle.
  const lines: string[] = [];
  for (const [k, v] of Object.entries(flat)) {
    const source = loaded.sources[k] ?? 'default';
    const where =
      source === 'env'
        ? `env ${CONFIG_KEYS[k]?.env}`
        : source === 'file'
          ? `file ${loaded.configFile}`
          : source === 'flag'
            ? `flag ${CONFIG_KEYS[k]?.flag}`
            : source;
    lines.push(`${k.padEnd(width)}  ${JSON.stringify(v)}  (${where})\n`);
  }
  if (token !== undefined) lines.push(`admin token from ${describeAdminTokenSource(token)} (not shown)\n`);
  process.stdout.write(lines.join(''));
}
