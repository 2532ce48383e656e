import { describe, expect, it } from 'vitest';
import { isPublicAddress, namesAddressExplicitly, publicOnlyLookup } from './fetch-address-policy.js';

describe('isPublicAddress', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '0.0.0.0',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254', // cloud metadata
    '100.64.0.1',
    '198.18.0.1',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    'fe80::1',
    'fd00::1',
    'fc12:3456::1',
    'ff02::1',
    '::ffff:127.0.0.1', // IPv4-mapped loopback
    '::ffff:7f00:1', // the same, hex form
    '::ffff:169.254.169.254',
    '64:ff9b::a00:1', // NAT64 of 10.0.0.1
    'not an address',
  ])('%s is not public', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])(
    '%s is public',
    (address) => {
      expect(isPublicAddress(address)).toBe(true);
    },
  );
});

describe('namesAddressExplicitly', () => {
  it('is true for address literals and localhost, false for other names', () => {
    expect(namesAddressExplicitly('10.0.0.5')).toBe(true);
    expect(namesAddressExplicitly('[::1]')).toBe(true);
    expect(namesAddressExplicitly('LocalHost')).toBe(true);
    expect(namesAddressExplicitly('localhost.attacker.example')).toBe(false);
    expect(namesAddressExplicitly('api.example.com')).toBe(false);
  });
});

describe('publicOnlyLookup', () => {
  const lookupWith = (addresses: string[]) =>
    publicOnlyLookup((_host, cb) =>
      cb(
        null,
        addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
      ),
    );
  const run = (lookup: ReturnType<typeof publicOnlyLookup>, host: string, all: boolean) =>
    new Promise<{ err: NodeJS.ErrnoException | null; address: unknown; family?: number }>((resolve) =>
      lookup(host, { all }, (err, address, family) => resolve({ err, address, family })),
    );

  it('answers like dns.lookup for public addresses, in both forms', async () => {
    const lookup = lookupWith(['93.184.216.34', '2606:4700::1111']);
    expect(await run(lookup, 'api.example.com', false)).toEqual({
      err: null,
      address: '93.184.216.34',
      family: 4,
    });
    expect((await run(lookup, 'api.example.com', true)).address).toHaveLength(2);
  });

  it('fails with EACCES, naming the address, when any answer is not public', async () => {
    const r = await run(lookupWith(['93.184.216.34', '10.0.0.7']), 'api.example.com', true);
    expect(r.err?.code).toBe('EACCES');
    expect(r.err?.message).toContain('resolves to 10.0.0.7');
  });

  it('does not check localhost, which names loopback explicitly', async () => {
    expect((await run(lookupWith(['127.0.0.1']), 'localhost', false)).address).toBe('127.0.0.1');
  });
});
