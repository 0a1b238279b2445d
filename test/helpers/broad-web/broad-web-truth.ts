/**
 * The ground truth of a synthetic broad web, computed from the generator
 * (never by crawling): every URL a polite crawl with scope `any` reaches from
 * the web's seeds, with the outcome its record must have, and the politeness
 * lower bound on the crawl's wall time.
 *
 * Rules mirrored from what a correct crawler must do:
 * - links are followed only from pages that answer 200 (pages and trap pages
 *   of normal and slow hosts); a record exists for every reachable URL;
 * - `/private/…` on a host whose robots.txt disallows it is never fetched
 *   (`robots`); `/missing/…` answers 404 (`not-found`); every URL of an
 *   unavailable, refused, reset or hanging host fails (`dead`);
 * - `/trap/x/…/x` is dropped (no record) once `x` repeats more than
 *   `maxRepeatedSegments` times; `?sessionid=` is stripped by normalisation.
 * Keys are the crawler's normalised URLs (`http://127.a.b.c:port/path`).
 */
import { classifyPath, type BroadWeb, type BroadWebPorts } from './broad-web.js';

export type ExpectedOutcome = 'ok' | 'robots' | 'not-found' | 'dead';

export interface BroadWebTruth {
  /** Every reachable URL key → the outcome its record must have. */
  expected: Map<string, ExpectedOutcome>;
  /** Reachable URL keys per expected outcome. */
  counts: Record<ExpectedOutcome, number>;
  /** Hosts with at least one reachable URL. */
  reachableHosts: number;
  /**
   * Politeness lower bound on wall time, ms: over hosts that answer, the
   * largest of (requests − 1) × Crawl-delay + latency, or
   * ⌈requests / parallelism⌉ × latency for hosts without a Crawl-delay.
   */
  lowerBoundMs: number;
  /** The host that sets the lower bound, and its fetched requests. */
  boundingHost: { index: number; requests: number; crawlDelayMs: number; latencyMs: number };
  /** Largest link depth (shortest path from a seed) of a reachable URL. */
  maxDepth: number;
}

export interface TruthOptions {
  ports: BroadWebPorts;
  /** `scope.maxRepeatedSegments` of the crawl. @default 3 */
  maxRepeatedSegments?: number;
  /** `fetch.perHostParallelism` of the crawl. @default 4 */
  perHostParallelism?: number;
}

const ANSWERS = new Set(['normal', 'slow']);

export function broadWebTruth(web: BroadWeb, options: TruthOptions): BroadWebTruth {
  const maxRepeats = options.maxRepeatedSegments ?? 3;
  const expected = new Map<string, ExpectedOutcome>();
  const requests = new Uint32Array(web.hostCount);
  const hostSeen = new Uint8Array(web.hostCount);
  const counts: Record<ExpectedOutcome, number> = { ok: 0, robots: 0, 'not-found': 0, dead: 0 };
  let frontier = web.seedUrls(options.ports).map((url, i) => ({ host: i, path: url.slice(url.indexOf('/', 8)) }));
  let depth = 0;
  let maxDepth = 0;
  while (frontier.length > 0) {
    const next: typeof frontier = [];
    for (const link of frontier) {
      const path = link.path.split('?')[0]!;
      const key = web.origin(link.host, options.ports) + path;
      if (expected.has(key)) continue;
      const host = web.host(link.host);
      const what = classifyPath(path, host.pages);
      if (what.kind === 'trap' && what.depth > maxRepeats) continue; // dropped as a trap, no record
      hostSeen[link.host] = 1;
      maxDepth = depth;
      let outcome: ExpectedOutcome;
      if (!ANSWERS.has(host.behaviour)) outcome = 'dead';
      else if (what.kind === 'private' && host.disallowPrivate) outcome = 'robots';
      else if (what.kind === 'page' || (what.kind === 'trap' && host.trap) || what.kind === 'private') outcome = 'ok';
      else outcome = 'not-found';
      expected.set(key, outcome);
      counts[outcome]++;
      if (outcome === 'ok' || outcome === 'not-found') requests[link.host]!++;
      if (outcome !== 'ok') continue;
      if (what.kind === 'page') next.push(...web.pageLinks(link.host, what.page));
      else if (what.kind === 'trap') next.push(...web.trapLinks(link.host, what.depth));
    }
    frontier = next;
    depth++;
  }
  const parallelism = options.perHostParallelism ?? 4;
  let lowerBoundMs = 0;
  let boundingHost = { index: -1, requests: 0, crawlDelayMs: 0, latencyMs: 0 };
  for (let i = 0; i < web.hostCount; i++) {
    if (requests[i] === 0) continue;
    const host = web.host(i);
    const n = requests[i]!;
    const bound = host.crawlDelayMs > 0 ? (n - 1) * host.crawlDelayMs + host.latencyMs : Math.ceil(n / parallelism) * host.latencyMs;
    if (bound > lowerBoundMs) {
      lowerBoundMs = bound;
      boundingHost = { index: i, requests: n, crawlDelayMs: host.crawlDelayMs, latencyMs: host.latencyMs };
    }
  }
  let reachableHosts = 0;
  for (const seen of hostSeen) reachableHosts += seen;
  return { expected, counts, reachableHosts, lowerBoundMs, boundingHost, maxDepth };
}
