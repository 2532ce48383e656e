import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS } from './schema.js';
import { flattenConfig } from './load-config.js';
import { defaultConfig } from './schema.js';

const doc = readFileSync(
  fileURLToPath(new URL('../../../../docs/configuration.md', import.meta.url)),
  'utf8',
);

/** Rows of the key table: | `key` | `ENV` | `--flag` or — | default | meaning | */
function documentedRows(): Map<string, { env: string; flag: string }> {
  const rows = new Map<string, { env: string; flag: string }>();
  for (const line of doc.split('\n')) {
    const m = /^\|\s*`([A-Za-z.]+)`\s*\|\s*`(VMD_[A-Z0-9_]+)`\s*\|\s*([^|]*)\|/.exec(line);
    if (m) rows.set(m[1]!, { env: m[2]!, flag: m[3]!.trim().replace(/`/g, '') });
  }
  return rows;
}

describe('docs/configuration.md', () => {
  const rows = documentedRows();

  it('documents every config key, and only those', () => {
    expect([...rows.keys()].sort()).toEqual(Object.keys(flattenConfig(defaultConfig())).sort());
  });

  it.each(Object.entries(CONFIG_KEYS))('documents %s with its env var and flag', (key, info) => {
    const row = rows.get(key);
    expect(row, `missing row for ${key}`).toBeDefined();
    expect(row!.env).toBe(info.env);
    expect(row!.flag).toBe(info.flag ?? '—');
  });
});

describe('vmd serve flags', () => {
  it('are the kebab-case of their config key (commander maps a flag to that key)', () => {
    for (const [key, info] of Object.entries(CONFIG_KEYS)) {
      if (info.flag === undefined) continue;
      expect(info.flag, key).toBe(`--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
    }
  });
});
