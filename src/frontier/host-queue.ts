/**
 * One host's ready requests in BFS order: lowest depth first, then lowest
 * priority, then insertion order. O(1) amortised push (plus a binary search
 * over the few distinct (depth, priority) pairs) and shift.
 */
import type { CrawlRequest } from '../core/types.js';

/** FIFO for one (depth, priority): an array with a head index, compacted now and then. */
export interface Bucket {
  depth: number;
  priority: number;
  items: Array<CrawlRequest | undefined>;
  head: number;
}

/** One host's ready requests: buckets sorted by depth, then priority. */
export class HostQueue {
  readonly buckets: Bucket[] = [];
  size = 0;

  push(request: CrawlRequest): void {
    const depth = request.depth;
    const priority = request.priority ?? 0;
    const b = this.buckets;
    let lo = 0;
    let hi = b.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = b[mid]!;
      if (m.depth < depth || (m.depth === depth && m.priority < priority)) lo = mid + 1;
      else hi = mid;
    }
    let bucket = b[lo];
    if (!bucket || bucket.depth !== depth || bucket.priority !== priority) {
      bucket = { depth, priority, items: [], head: 0 };
      b.splice(lo, 0, bucket);
    }
    bucket.items.push(request);
    this.size++;
  }

  shift(): CrawlRequest | undefined {
    const bucket = this.buckets[0];
    if (!bucket) return undefined;
    const request = bucket.items[bucket.head];
    bucket.items[bucket.head++] = undefined;
    this.size--;
    if (bucket.head === bucket.items.length) this.buckets.shift();
    else if (bucket.head >= 1024 && bucket.head * 2 >= bucket.items.length) {
      bucket.items = bucket.items.slice(bucket.head);
      bucket.head = 0;
    }
    return request;
  }

  drain(): CrawlRequest[] {
    const out: CrawlRequest[] = [];
    for (const b of this.buckets) for (let i = b.head; i < b.items.length; i++) out.push(b.items[i]!);
    this.buckets.length = 0;
    this.size = 0;
    return out;
  }
}
