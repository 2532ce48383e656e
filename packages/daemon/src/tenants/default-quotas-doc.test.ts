import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, defaultConfig } from '../config/schema.js';
import { defaultTenantQuotas } from '../daemon.js';
import { TENANT_QUOTA_FIELDS } from '../store/store.js';

const doc = readFileSync(
  fileURLToPath(new URL('../../../../docs/configuration.md', import.meta.url)),
  'utf8',
);

/** Rows of "Default tenant quotas": | `snake_field` | `value` … | set by | flag | */
function documentedDefaults(): Map<string, { value: number; setBy: string }> {
  const section = doc.slice(doc.indexOf('## Default tenant quotas'));
  const rows = new Map<string, { value: number; setBy: string }>();
  for (const line of section.slice(0, section.indexOf('\n## ', 4)).split('\n')) {
    const m = /^\|\s*`([a-z_]+)`\s*\|\s*`([\d.]+)`[^|]*\|\s*([^|]+?)\s*\|/.exec(line);
    if (m) rows.set(m[1]!, { value: Number(m[2]), setBy: m[3]!.replace(/`/g, '') });
  }
  return rows;
}

const snake = (field: string): string => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

describe('docs/configuration.md, "Default tenant quotas"', () => {
  it('lists every quota with the default a new tenant gets', () => {
    const rows = documentedDefaults();
    const defaults = defaultTenantQuotas(defaultConfig());
    expect([...rows.keys()].sort()).toEqual(TENANT_QUOTA_FIELDS.map(snake).sort());
    for (const field of TENANT_QUOTA_FIELDS) {
      expect(rows.get(snake(field))?.value, field).toBe(defaults[field]);
    }
  });

  it('names a configuration key for the defaults the daemon takes from its configuration', () => {
    for (const [field, row] of documentedDefaults()) {
      if (row.setBy === 'fixed') continue;
      expect(CONFIG_KEYS[row.setBy], `${field}: ${row.setBy}`).toBeDefined();
    }
  });
});
