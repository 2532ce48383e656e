import { describe, expect, it } from 'vitest';
import { BundleCache } from './bundle-cache.js';

const bundle = (chars: number) => [{ path: 'i.js', content: 'x'.repeat(chars - 'i.js'.length) }];

describe('BundleCache', () => {
  it('keeps bundles by key and evicts the least recently used past its bytes (UTF-16)', () => {
    const cache = new BundleCache(3 * 2 * 1000); // three 1,000-character bundles
    cache.put('a', bundle(1000));
    cache.put('b', bundle(1000));
    cache.put('c', bundle(1000));
    expect(cache.get('a')).toBeDefined(); // a is now the most recently used
    cache.put('d', bundle(1000));
    expect(cache.get('b')).toBeUndefined();
    expect([cache.get('a'), cache.get('c'), cache.get('d')].every((f) => f !== undefined)).toBe(true);
    expect(cache.size).toBe(3);
  });

  it('replaces a key without counting it twice, and never keeps a bundle larger than itself', () => {
    const cache = new BundleCache(2 * 1000);
    cache.put('a', bundle(600));
    cache.put('a', bundle(600));
    cache.put('b', bundle(400));
    expect(cache.size).toBe(2);
    cache.put('huge', bundle(5000));
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.size).toBe(2);
  });

  it('drops every bundle under a prefix (a deleted tenant or function)', () => {
    const cache = new BundleCache(1e6);
    for (const k of ['t/f/1/a', 't/f/2/b', 't/g/1/c', 'u/f/1/a']) cache.put(k, bundle(10));
    cache.dropPrefix('t/f/');
    expect(['t/f/1/a', 't/f/2/b', 't/g/1/c', 'u/f/1/a'].map((k) => cache.get(k) !== undefined)).toEqual([
      false,
      false,
      true,
      true,
    ]);
  });
});
