/**
 * Host index ↔ loopback IP literal for the synthetic broad web. Linux routes
 * all of 127.0.0.0/8 to loopback, so host i is `127.a.b.c` from 127.1.0.1
 * up (last byte 1..254, so no address ends in .0 or .255), which gives
 * 254 × 256 × 254 ≈ 16.5 million hosts before running out.
 */

const PER_BLOCK = 254;
const FIRST_BLOCK = 256; // 127.1.0.x

/** The IP literal of host `index`. */
export function hostAddress(index: number): string {
  const block = FIRST_BLOCK + Math.floor(index / PER_BLOCK);
  const last = (index % PER_BLOCK) + 1;
  return `127.${(block >> 8) & 255}.${block & 255}.${last}`;
}

/** The host index of an IP literal made by `hostAddress`, or -1 (also for `::ffff:` forms it is not). */
export function hostIndexOf(address: string): number {
  const ip = address.startsWith('::ffff:') ? address.slice(7) : address;
  const parts = ip.split('.');
  if (parts.length !== 4 || parts[0] !== '127') return -1;
  const [, a, b, c] = parts.map(Number) as [number, number, number, number];
  const block = a * 256 + b;
  if (block < FIRST_BLOCK || c < 1 || c > PER_BLOCK) return -1;
  return (block - FIRST_BLOCK) * PER_BLOCK + (c - 1);
}
