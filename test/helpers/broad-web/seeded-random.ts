/**
 * Deterministic randomness for the synthetic broad web: a small seeded PRNG
 * (mulberry32) and a 32-bit mix of several integers, so that any page's
 * links can be recomputed from (web seed, host, page) alone, in any process,
 * without storing the graph.
 */
import { prng } from '../../../src/demo/generated-site.js';

/** A seeded generator of floats in [0, 1). */
export type Random = () => number;

/** mulberry32 (the demo site's generator): tiny, fast, well spread. */
export const seededRandom: (seed: number) => Random = prng;

/** Mixes integers into one well-spread 32-bit seed (murmur3's finaliser per step). */
export function mixSeed(...values: number[]): number {
  let h = 0x9e3779b9;
  for (const value of values) {
    h = Math.imul(h ^ (value >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** An integer in [0, n). */
export function randomInt(random: Random, n: number): number {
  return Math.floor(random() * n);
}
