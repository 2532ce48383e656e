/**
 * Where the fetch capability may connect. An admin allow-lists origins; an origin named by a
 * host name must also resolve to public addresses only, checked on the address each
 * connection is actually made to. Otherwise tenant code could reach the daemon's own network
 * through a name it controls: a DNS answer that points an allowed name at 127.0.0.1, the cloud
 * metadata service (169.254.169.254) or a private range, or that changes between two requests
 * (DNS rebinding).
 *
 * An origin that names an address (`http://10.0.0.5:8080`) or `localhost` is the admin's
 * explicit choice of that address and is not checked.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/** Address ranges that are not the public internet (IANA special-purpose registries). */
const NOT_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  NOT_PUBLIC.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard-only
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  NOT_PUBLIC.addSubnet(net, prefix, 'ipv6');
}

/** The IPv4 address an IPv6 address carries (IPv4-mapped, NAT64 or 6to4 forms), if any. */
function embeddedIpv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const hi = parseInt(hex[1]!, 16);
    const lo = parseInt(hex[2]!, 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return undefined;
}

/** True if `address` (an IPv4 or IPv6 literal) is a public internet address. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !NOT_PUBLIC.check(address, 'ipv4');
  if (family === 6) {
    const v4 = embeddedIpv4(address);
    if (v4 !== undefined) return isPublicAddress(v4);
    return !NOT_PUBLIC.check(address, 'ipv6');
  }
  return false;
}

/** True when connections to `hostname` need no address check (see the module comment). */
export function namesAddressExplicitly(hostname: string): boolean {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return isIP(bare) !== 0 || bare.toLowerCase() === 'localhost';
}

/** The resolver a connection uses: `dns.lookup` in `{ all: true }` form. */
export type Resolver = (
  hostname: string,
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

const systemResolver: Resolver = (hostname, callback) => dnsLookup(hostname, { all: true }, callback);

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for `net.connect` (and undici's `connect.lookup`) that resolves with `resolver`
 * and fails with EACCES when a name resolves to any address that is not public.
 */
export function publicOnlyLookup(resolver: Resolver = systemResolver) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    resolver(hostname, (err, addresses) => {
      if (err) {
        callback(err, []);
        return;
      }
      if (!namesAddressExplicitly(hostname)) {
        const blocked = addresses.find((a) => !isPublicAddress(a.address));
        if (blocked !== undefined || addresses.length === 0) {
          const refusal: NodeJS.ErrnoException = new Error(
            blocked === undefined
              ? `${hostname} resolves to no address`
              : `${hostname} resolves to ${blocked.address}, which is not a public address; allow-list the address itself (an admin's choice) to reach it`,
          );
          refusal.code = 'EACCES';
          callback(refusal, []);
          return;
        }
      }
      if (options.all === true) callback(null, addresses);
      else callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}
