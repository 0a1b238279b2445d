/**
 * A hostile little internet for the private-network guard, run inside a
 * private network namespace (`unshare -n -m`): a "public" site on a
 * documentation address (192.0.2.10, added to loopback) whose pages link,
 * redirect and point their robots.txt and sitemaps at loopback, RFC 1918,
 * CGNAT, link-local (the cloud metadata address), IPv6 unique-local and
 * IPv4-mapped addresses in every notation, and at DNS names that resolve, or
 * rebind, to them (a stub DNS server the namespace's resolv.conf points at).
 * Servers on the internal addresses log every connection they accept.
 *
 * This module holds the cases (shared by the child that runs the crawls and
 * the test that checks them) and the namespace setup.
 */

export const PUBLIC = '192.0.2.10';
export const PUBLIC2 = '192.0.2.11';
export const PUBLIC_PORT = 8080;
export const PUBLIC_ORIGIN = `http://${PUBLIC}:${PUBLIC_PORT}`;
export const DNS_ADDRESS = '127.0.0.53';

/** Internal addresses with a connection-logging server on port 80 (and 127.0.0.1:8080 for the rebinding name). */
export const INTERNAL_V4 = ['127.0.0.1', '127.1.2.3', '10.0.0.5', '172.16.0.5', '192.168.1.5', '169.254.169.254', '100.64.0.5'];
export const INTERNAL_V6 = ['::1', 'fd00::5'];
/** The loopback site a local crawl starts from (its seed is on loopback: loopback is allowed for it). */
export const LOCAL_SITE = 'http://127.0.0.1:8081';

/** The stub DNS: name → A/AAAA answers. `rebind.test` answers the public address once, then loopback. */
export const DNS_NAMES: Record<string, { A?: string[]; AAAA?: string[] }> = {
  'public.test': { A: [PUBLIC] },
  'loopback.test': { A: ['127.0.0.1'] },
  'private.test': { A: ['10.0.0.5'] },
  'metadata.test': { A: ['169.254.169.254'] },
  'v6.test': { AAAA: ['fd00::5'] },
  'mapped.test': { AAAA: ['::ffff:127.0.0.1'] },
  'nat64.test': { AAAA: ['64:ff9b::a9fe:a9fe'] },
};
export const REBIND_NAME = 'rebind.test';

/** A hostile URL linked from the public home page, and what it is. */
export interface HostileCase {
  url: string;
  what: string;
}

/** Links on the public home page that must each end as a `blocked-address` record with no connection made. */
export const LINK_CASES: HostileCase[] = [
  { url: 'http://127.0.0.1/literal', what: 'loopback, dotted' },
  { url: 'http://127.1.2.3/other-loopback', what: 'loopback, another 127/8 address' },
  { url: 'http://2130706433/decimal', what: 'loopback, one decimal number' },
  { url: 'http://0177.0.0.1/octal', what: 'loopback, octal' },
  { url: 'http://0x7f.0.0.1/hex', what: 'loopback, hex part' },
  { url: 'http://0x7f000001/hex32', what: 'loopback, one hex number' },
  { url: 'http://127.1/short', what: 'loopback, short form' },
  { url: 'http://[::1]/v6-loopback', what: 'IPv6 loopback' },
  { url: 'http://[::ffff:127.0.0.1]/v4-mapped', what: 'IPv4-mapped loopback' },
  { url: 'http://[::ffff:7f00:2]/v4-mapped-hex', what: 'IPv4-mapped loopback, hex' },
  { url: 'http://0.0.0.0/unspecified', what: 'unspecified 0.0.0.0' },
  { url: 'http://0/zero', what: 'unspecified, short 0' },
  { url: 'http://[::]/v6-unspecified', what: 'IPv6 unspecified' },
  { url: 'http://10.0.0.5/rfc1918-a', what: 'private 10/8' },
  { url: 'http://172.16.0.5/rfc1918-b', what: 'private 172.16/12' },
  { url: 'http://192.168.1.5/rfc1918-c', what: 'private 192.168/16' },
  { url: 'http://169.254.169.254/latest/meta-data/', what: 'cloud metadata' },
  { url: 'http://0xa9.0376.43518/mixed-notation', what: 'cloud metadata, hex + octal + 16-bit decimal' },
  { url: 'http://100.64.0.5/cgnat', what: 'carrier-grade NAT' },
  { url: 'http://[fd00::5]/unique-local', what: 'IPv6 unique-local' },
  { url: 'http://[fe80::5]/link-local-v6', what: 'IPv6 link-local' },
  { url: 'http://[::ffff:a9fe:a9fe]/mapped-metadata', what: 'IPv4-mapped cloud metadata' },
  { url: 'http://[64:ff9b::a9fe:a9fe]/nat64-metadata', what: 'NAT64 cloud metadata' },
  { url: 'http://[2002:7f00:1::]/6to4-loopback', what: '6to4 loopback' },
  { url: 'http://[::127.0.0.1]/v4-compatible', what: 'IPv4-compatible loopback' },
  { url: 'http://224.0.0.1/multicast', what: 'multicast' },
  { url: 'http://[ff02::1]/multicast-v6', what: 'IPv6 multicast' },
  { url: 'http://loopback.test/name', what: 'DNS name → 127.0.0.1' },
  { url: 'http://private.test/name', what: 'DNS name → 10.0.0.5' },
  { url: 'http://metadata.test/latest/meta-data/', what: 'DNS name → 169.254.169.254' },
  { url: 'http://v6.test/name', what: 'DNS name → fd00::5 (AAAA only)' },
  { url: 'http://mapped.test/name', what: 'DNS name → ::ffff:127.0.0.1' },
  { url: 'http://nat64.test/name', what: 'DNS name → NAT64 form of the metadata address' },
  { url: `http://${REBIND_NAME}:8080/page`, what: 'DNS rebinding: public for robots.txt, loopback for the page' },
];

/** Public pages that redirect to internal addresses (each must end as `blocked-address`, no connection). */
export const REDIRECT_CASES: { path: string; location: string; status: number; what: string }[] = [
  { path: '/redirect/loopback', location: 'http://127.0.0.1/redirected', status: 302, what: 'redirect to loopback' },
  { path: '/redirect/metadata', location: 'http://169.254.169.254/latest/meta-data/iam', status: 301, what: 'redirect to cloud metadata' },
  { path: '/redirect/decimal', location: 'http://2852039166/decimal-redirect', status: 302, what: 'redirect to metadata as one decimal number' },
  { path: '/redirect/name', location: 'http://private.test/redirected-name', status: 302, what: 'redirect to a name resolving to 10.0.0.5' },
  { path: '/redirect/chain1', location: '/redirect/chain2', status: 302, what: 'two hops, then IPv6 loopback' },
  { path: '/redirect/chain2', location: 'http://[::1]/chained', status: 307, what: '(second hop of chain1)' },
  { path: '/redirect/v6mapped', location: 'http://[::ffff:10.0.0.5]/mapped-redirect', status: 308, what: 'redirect to IPv4-mapped 10.0.0.5' },
  { path: '/seed-redirect', location: 'http://10.0.0.5/seed-target', status: 302, what: 'a seed redirecting to a private address' },
];

/** URLs listed by the public sitemap. */
export const SITEMAP_CASES: HostileCase[] = [
  { url: 'http://192.168.1.5/from-sitemap', what: 'sitemap URL on 192.168/16' },
  { url: 'http://[fd00::5]/from-sitemap', what: 'sitemap URL on IPv6 unique-local' },
];

/** robots.txt `Sitemap:` line of the public host pointing at a private address (no record: a log line). */
export const PRIVATE_SITEMAP = 'http://10.0.0.5/sitemap.xml';

/** Allowed controls: a public page under a DNS name, and a second public host whose robots.txt redirects to loopback. */
export const PUBLIC_NAMED = `http://public.test:${PUBLIC_PORT}/named`;
export const PUBLIC2_PAGE = `http://${PUBLIC2}:${PUBLIC_PORT}/p2`;

/** Links of the loopback site's home page for the local crawl. */
export const LOCAL_LINKS = { allowed: 'http://127.1.2.3/local-ok', blocked: ['http://10.0.0.5/local-blocked', 'http://169.254.169.254/local-blocked'] };

/**
 * The shell lines that set up the namespace, then exec the child: loopback up with the internal
 * addresses; the public ones on a veth pair (a machine with nothing but loopback has no address
 * family "configured", and resolvers honouring AI_ADDRCONFIG then answer nothing); resolv.conf
 * → the stub DNS.
 */
export function namespaceSetup(resolvConf: string): string {
  return [
    'set -e',
    'ip link set lo up',
    'ip link add pub0 type veth peer name pub1',
    'ip link set pub0 up',
    'ip link set pub1 up',
    ...[PUBLIC, PUBLIC2].map((a) => `ip addr add ${a}/32 dev pub0`),
    'ip -6 addr add 2001:db8::10/128 dev pub0 nodad',
    ...INTERNAL_V4.filter((a) => !a.startsWith('127.')).map((a) => `ip addr add ${a}/32 dev lo`),
    ...INTERNAL_V6.filter((a) => a !== '::1').map((a) => `ip -6 addr add ${a}/128 dev lo`),
    `mount --bind ${resolvConf} /etc/resolv.conf`,
    'exec "$0" "$@"',
  ].join('\n');
}
