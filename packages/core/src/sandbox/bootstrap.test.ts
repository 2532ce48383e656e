import { describe, expect, it } from 'vitest';
import { BOOTSTRAP_SOURCE } from './bootstrap.js';

describe('bootstrap source', () => {
  // V8 stores a string with any character above U+00FF as two bytes per character, and source
  // text keeps that form in the startup snapshot that every fresh isolate deserializes: one
  // `…` in a comment made the snapshot 117 KB larger and each isolate ~0.1 ms slower to create
  // (docs/performance.md, "Bootstrap source").
  it('is ASCII only, so V8 keeps it one byte per character in every isolate', () => {
    const offenders = [...BOOTSTRAP_SOURCE.matchAll(/[^\t\n\r\x20-\x7e]/g)].map((m) => {
      const line = BOOTSTRAP_SOURCE.slice(0, m.index).split('\n').length;
      return `${JSON.stringify(m[0])} on bootstrap line ${line}`;
    });
    expect(offenders).toEqual([]);
  });
});
