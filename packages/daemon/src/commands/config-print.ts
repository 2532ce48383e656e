import { ConfigError, flattenConfig, loadConfig } from '../config/load-config.js';
import { CONFIG_KEYS } from '../config/schema.js';

/** `vmd config print [--json]`: the effective config with the source of each value. */
export function configPrintCommand(opts: { json?: boolean; config?: string }): void {
  let loaded;
  try {
    loaded = loadConfig({ flags: opts.config ? { config: opts.config } : {} });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`vmd: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const flat = flattenConfig(loaded.config);
  if (opts.json) {
    const out = Object.fromEntries(
      Object.entries(flat).map(([k, v]) => [k, { value: v, source: loaded.sources[k] }]),
    );
    process.stdout.write(
      `${JSON.stringify({ configFile: loaded.configFile ?? null, values: out }, null, 2)}\n`,
    );
    return;
  }
  const width = Math.max(...Object.keys(flat).map((k) => k.length));
  for (const [k, v] of Object.entries(flat)) {
    const source = loaded.sources[k] ?? 'default';
    const where =
      source === 'env'
        ? `env ${CONFIG_KEYS[k]?.env}`
        : source === 'file'
          ? `file ${loaded.configFile}`
          : source;
    process.stdout.write(`${k.padEnd(width)}  ${JSON.stringify(v)}  (${where})\n`);
  }
}
