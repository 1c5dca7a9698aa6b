import { lookup } from 'node:dns/promises';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { SourceError } from '../http/domain-errors.js';

/** Addresses a pull must not reach unless allowed: loopback, private, link-local, and the like. */
const PRIVATE = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) PRIVATE.addSubnet(network, prefix, 'ipv4');
// IPv6 ranges that are private, or that carry an IPv4 address a gateway would reach (IPv4-compatible,
// NAT64, 6to4, Teredo): all refused rather than decoded.
for (const [network, prefix] of [
  ['::', 96], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
  ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['2002::', 16], ['2001::', 32], ['100::', 64],
] as const) PRIVATE.addSubnet(network, prefix, 'ipv6');

export interface Address {
  address: string;
  family: 4 | 6;
}

/**
 * Where a source's host may be reached: `ROSTERSYNC_ALLOW_HOSTS` entries are host names, addresses
 * or CIDR ranges (`sftp.internal`, `127.0.0.1`, `10.0.0.0/8`).
 */
export class HostGuard {
  private readonly names = new Set<string>();
  private readonly ranges = new BlockList();

  constructor(allow: readonly string[]) {
    for (const entry of allow) {
      const [network, prefix] = entry.split('/');
      const family = isIP(network);
      if (family && prefix !== undefined) this.ranges.addSubnet(network, Number(prefix), family === 4 ? 'ipv4' : 'ipv6');
      else if (family) this.ranges.addAddress(network, family === 4 ? 'ipv4' : 'ipv6');
      else this.names.add(entry.toLowerCase());
    }
  }

  /**
   * Resolves `host` once and returns the address to connect to (connecting to it, not to the name
   * again, leaves no room for a second answer). Refused when any of its addresses is private and
   * neither the name nor the address is allowed.
   */
  async resolve(host: string): Promise<Address> {
    const bare = host.replace(/^\[|\]$/g, '');
    let addresses: Address[];
    try {
      addresses = isIP(bare) ? [{ address: bare, family: isIP(bare) as 4 | 6 }] : ((await lookup(bare, { all: true })) as Address[]);
    } catch {
      throw new SourceError('host_not_found', `The host ${host} could not be resolved: check the source's address.`);
    }
    if (!addresses.length) throw new SourceError('host_not_found', `The host ${host} has no address.`);
    const nameAllowed = this.names.has(bare.toLowerCase());
    for (const candidate of addresses) {
      if (!nameAllowed && isPrivate(candidate) && !this.allowed(candidate)) {
        throw new SourceError(
          'host_not_allowed',
          `${candidate.address === bare ? host : `${host} resolves to ${candidate.address}, which`} is a private, loopback or link-local address: sources may not reach it unless ROSTERSYNC_ALLOW_HOSTS lists the host or address.`,
        );
      }
    }
    return addresses[0];
  }

  private allowed({ address, family }: Address): boolean {
    return this.ranges.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}

function isPrivate({ address, family }: Address): boolean {
  if (family === 6) {
    // An IPv4 address written as IPv6 (::ffff:10.0.0.1) is judged as the IPv4 address it is.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return PRIVATE.check(mapped[1], 'ipv4');
    return PRIVATE.check(address, 'ipv6');
  }
  return PRIVATE.check(address, 'ipv4');
}

/** A lookup that answers with the address the guard checked, whatever the caller asks. */
export function pinnedLookup({ address, family }: Address): LookupFunction {
  return ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  }) as LookupFunction;
}
