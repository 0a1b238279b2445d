/**
 * Which IP addresses a crawler must not connect to by default: the ranges where
 * internal systems live (loopback, RFC 1918 private networks, link-local with
 * the cloud metadata service at 169.254.169.254, carrier-grade NAT, IPv6
 * unique-local and link-local), and addresses that are not one host (unspecified,
 * multicast, broadcast, reserved). IPv6 forms that carry an IPv4 address
 * (IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible `::a.b.c.d`, IPv4-translated,
 * NAT64 `64:ff9b::/96` and 6to4 `2002::/16`) are judged by the IPv4 address they
 * carry. Pure; addresses are parsed by ipaddr.js.
 *
 * Documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
 * 2001:db8::/32) are not blocked: nothing internal can live there (they are not
 * routed anywhere), and tests use them as stand-ins for public hosts.
 */
import ipaddr from 'ipaddr.js';

/** A range the guard blocks: its CIDR and what it is, e.g. `{ cidr: '127.0.0.0/8', kind: 'loopback' }`. */
export interface BlockedRange {
  cidr: string;
  kind: string;
}

type Parsed = ipaddr.IPv4 | ipaddr.IPv6;

interface Range extends BlockedRange {
  network: [Parsed, number];
}

function ranges(list: [string, string][]): Range[] {
  return list.map(([cidr, kind]) => ({ cidr, kind, network: ipaddr.parseCIDR(cidr) }));
}

/** Blocked IPv4 ranges, most specific first where they overlap. */
const IPV4_BLOCKED = ranges([
  ['0.0.0.0/8', 'unspecified ("this network")'],
  ['10.0.0.0/8', 'private (RFC 1918)'],
  ['100.64.0.0/10', 'carrier-grade NAT'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local (cloud metadata)'],
  ['172.16.0.0/12', 'private (RFC 1918)'],
  ['192.0.0.0/24', 'IETF protocol assignments'],
  ['192.168.0.0/16', 'private (RFC 1918)'],
  ['198.18.0.0/15', 'benchmarking'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved / broadcast'],
]);

/** Blocked IPv6 ranges (those carrying an IPv4 address are handled apart: `embeddedIPv4`). */
const IPV6_BLOCKED = ranges([
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['64:ff9b:1::/48', 'local-use NAT64'],
  ['100::/64', 'discard-only'],
  ['2001::/32', 'Teredo tunnel'],
  ['fc00::/7', 'unique-local'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'site-local (deprecated)'],
  ['ff00::/8', 'multicast'],
]);

/** IPv6 prefixes whose address carries an IPv4 one, and where (first 16-bit part). */
const IPV4_CARRIERS: { network: [Parsed, number]; form: string; at: number }[] = [
  { network: ipaddr.parseCIDR('::ffff:0:0/96'), form: 'IPv4-mapped', at: 6 },
  { network: ipaddr.parseCIDR('::ffff:0:0:0/96'), form: 'IPv4-translated', at: 6 },
  { network: ipaddr.parseCIDR('64:ff9b::/96'), form: 'NAT64', at: 6 },
  { network: ipaddr.parseCIDR('2002::/16'), form: '6to4', at: 1 },
  // IPv4-compatible (deprecated); ::/128 and ::1/128 are matched before as themselves.
  { network: ipaddr.parseCIDR('::/96'), form: 'IPv4-compatible', at: 6 },
];

/** Parses an address as a resolver or the WHATWG URL parser writes it (brackets allowed); undefined when it is not one. */
export function parseAddress(address: string): Parsed | undefined {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  // Strict forms only: a resolver never answers "0x7f.1"; URLs are normalised before they get here.
  if (ipaddr.IPv4.isValidFourPartDecimal(bare)) return ipaddr.IPv4.parse(bare);
  if (ipaddr.IPv6.isValid(bare)) return ipaddr.IPv6.parse(bare);
  return undefined;
}

/** True when `host` (a URL's hostname, brackets allowed) is an IP literal. */
export function isIpLiteral(host: string): boolean {
  return parseAddress(host) !== undefined;
}

/**
 * The blocked range `address` is in, or undefined for an address the guard lets through.
 * An IPv6 address carrying an IPv4 one is judged by that IPv4 address (its kind says the form).
 */
export function blockedRangeOf(address: string | Parsed): BlockedRange | undefined {
  const ip = typeof address === 'string' ? parseAddress(address) : address;
  if (!ip) return undefined;
  if (ip.kind() === 'ipv4') return find(ip, IPV4_BLOCKED);
  const v6 = ip as ipaddr.IPv6;
  const own = find(v6, IPV6_BLOCKED);
  if (own) return own;
  const carried = embeddedIPv4(v6);
  if (!carried) return undefined;
  const range = find(carried.ipv4, IPV4_BLOCKED);
  return range ? { cidr: range.cidr, kind: `${range.kind}, ${carried.form} (${carried.ipv4.toString()})` } : undefined;
}

/** The IPv4 address an IPv6 one carries (IPv4-mapped, -compatible, -translated, NAT64, 6to4), if any. */
export function embeddedIPv4(ip: ipaddr.IPv6): { ipv4: ipaddr.IPv4; form: string } | undefined {
  for (const carrier of IPV4_CARRIERS) {
    if (!ip.match(carrier.network)) continue;
    const high = ip.parts[carrier.at]!;
    const low = ip.parts[carrier.at + 1]!;
    return { ipv4: new ipaddr.IPv4([high >> 8, high & 255, low >> 8, low & 255]), form: carrier.form };
  }
  return undefined;
}

/**
 * A list of CIDR ranges (or single addresses) to allow, as a user writes them: `10.1.0.0/16`,
 * `fd00::/8`, `192.168.1.20`. Throws a plain Error naming the first bad entry (its index).
 */
export function parseCidrList(list: readonly string[]): [Parsed, number][] {
  return list.map((entry, index) => {
    const parsed = parseCidr(entry);
    if (!parsed) throw new Error(`entry [${index}] ${JSON.stringify(entry)} is not a CIDR range such as "10.0.0.0/8" or "fd00::/8"`);
    return parsed;
  });
}

/** One CIDR range or address (as a /32 or /128), strict decimal IPv4; undefined when malformed. */
export function parseCidr(entry: string): [Parsed, number] | undefined {
  const text = entry.trim();
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const ip = parseAddress(address);
  if (!ip) return undefined;
  const max = ip.kind() === 'ipv4' ? 32 : 128;
  if (slash === -1) return [ip, max];
  const bitsText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText) || Number(bitsText) > max) return undefined;
  return [ip, Number(bitsText)];
}

/** True when `address` is in one of `networks` (an IPv6 address carrying an IPv4 one also matches by that). */
export function inNetworks(address: string | Parsed, networks: readonly [Parsed, number][]): boolean {
  const ip = typeof address === 'string' ? parseAddress(address) : address;
  if (!ip) return false;
  const carried = ip.kind() === 'ipv6' ? embeddedIPv4(ip as ipaddr.IPv6)?.ipv4 : undefined;
  return networks.some((network) => matches(ip, network) || (carried !== undefined && matches(carried, network)));
}

function matches(ip: Parsed, network: [Parsed, number]): boolean {
  return ip.kind() === network[0].kind() && ip.match(network);
}

function find(ip: Parsed, list: Range[]): Range | undefined {
  return list.find((range) => matches(ip, range.network));
}
