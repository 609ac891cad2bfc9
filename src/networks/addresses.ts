import { invalidParameter } from '../errdefs';

/** An IPv4 subnet as numbers: `base` is the network address, `bits` the prefix length. */
export interface Subnet {
  base: number;
  bits: number;
}

export function parseIPv4(value: string): number | undefined {
  const parts = value.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function formatIPv4(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

const mask = (bits: number) => (bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0);

/** `172.18.0.0/16`; the address part is masked as Docker does. A malformed value is a 400. */
export function parseSubnet(cidr: string): Subnet {
  const [ip = '', len = ''] = cidr.split('/');
  const addr = parseIPv4(ip);
  const bits = /^\d{1,2}$/.test(len) ? Number(len) : NaN;
  if (addr === undefined || !(bits >= 8 && bits <= 30)) throw invalidParameter(`invalid subnet ${cidr}: give an IPv4 CIDR with a prefix between /8 and /30`);
  return { base: (addr & mask(bits)) >>> 0, bits };
}

export function formatSubnet(s: Subnet): string {
  return `${formatIPv4(s.base)}/${s.bits}`;
}

export function contains(s: Subnet, ip: number): boolean {
  return ((ip & mask(s.bits)) >>> 0) === s.base;
}

export function overlaps(a: Subnet, b: Subnet): boolean {
  return contains(a, b.base) || contains(b, a.base);
}

/** Usable host addresses: network and broadcast excluded. */
export function hostRange(s: Subnet): { first: number; last: number } {
  return { first: s.base + 1, last: s.base + 2 ** (32 - s.bits) - 2 };
}

/**
 * Docker's default local address pools, in the order dockerd hands them out: 172.17–31.0.0/16
 * (172.17 is the default bridge), then 192.168.0.0/20 steps.
 */
export function* defaultPools(): Generator<Subnet> {
  for (let b = 17; b <= 31; b++) yield { base: parseIPv4(`172.${b}.0.0`)!, bits: 16 };
  for (let c = 0; c < 256; c += 16) yield { base: parseIPv4(`192.168.${c}.0`)!, bits: 20 };
}

/** dockerd derives a container's MAC from its IPv4 address: 02:42 followed by the four octets. */
export function macFor(ip: number): string {
  return ['02', '42', ...[24, 16, 8, 0].map((s) => ((ip >>> s) & 255).toString(16).padStart(2, '0'))].join(':');
}
