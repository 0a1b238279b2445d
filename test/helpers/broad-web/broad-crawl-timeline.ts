/**
 * Where a broad crawl's wall time went, from the server's per-host spans
 * (first and last request arrival, server clock): when the host that sets
 * the politeness bound was first and last requested, how evenly its
 * requests followed its Crawl-delay, and which hosts were still being
 * requested after it was done (by behaviour: dead hosts retried, slow hosts,
 * hosts found late). For the benchmark's report, not a pass/fail check.
 */
import type { BroadWeb } from './broad-web.js';
import type { BroadWebServerReport } from './broad-web-server.js';
import type { BroadWebTruth } from './broad-web-truth.js';

export interface BroadCrawlTimeline {
  /** The bounding host: first and last request, seconds after the crawl started, and its requests. */
  boundingHost: { firstS: number; lastS: number; requests: number; meanGapMs: number; delayMs: number };
  /** Seconds from the bounding host's last request to the crawl's end. */
  tailS: number;
  /** Hosts requested after the bounding host's last request, by behaviour: hosts, and the last request (s). */
  lateHosts: Record<string, { hosts: number; lastS: number }>;
  /** The host requested last: index, behaviour, first and last request (s), requests. */
  lastHost: { index: number; behaviour: string; firstS: number; lastS: number; requests: number };
  /**
   * The Crawl-delay host that could end last once first requested: its first request plus
   * its pages' delays (s). Unlike the politeness bound, this counts when each host was found
   * (a host linked only from pages crawled late cannot start early): a crawl ending near it
   * wasted no time on any host it knew of.
   */
  knownHostBound: { index: number; firstS: number; endS: number; requests: number; delayMs: number };
}

export function broadCrawlTimeline(web: BroadWeb, truth: BroadWebTruth, server: BroadWebServerReport, startedAtMs: number, endedAtMs: number): BroadCrawlTimeline {
  const s = (atMs: number): number => Math.round((atMs - startedAtMs) / 100) / 10;
  const bound = truth.boundingHost;
  const [bFirst, bLast, bRequests] = server.hostSpans[bound.index] ?? [startedAtMs, startedAtMs, 0];
  // robots.txt is one of the host's requests but is not spaced: gaps count the pages.
  const meanGapMs = bRequests > 2 ? Math.round((bLast - bFirst) / (bRequests - 2)) : 0;
  const lateHosts: BroadCrawlTimeline['lateHosts'] = {};
  let lastHost: BroadCrawlTimeline['lastHost'] = { index: -1, behaviour: '', firstS: 0, lastS: 0, requests: 0 };
  let knownHostBound: BroadCrawlTimeline['knownHostBound'] = { index: -1, firstS: 0, endS: 0, requests: 0, delayMs: 0 };
  for (const [key, [first, last, requests]] of Object.entries(server.hostSpans)) {
    const index = Number(key);
    const { behaviour, crawlDelayMs } = web.host(index);
    // robots.txt and the first page are not spaced: the delays come between the pages after them.
    const endS = s(first + Math.max(0, requests - 2) * crawlDelayMs);
    if (crawlDelayMs > 0 && endS > knownHostBound.endS) knownHostBound = { index, firstS: s(first), endS, requests, delayMs: crawlDelayMs };
    if (last > bLast) {
      const group = (lateHosts[behaviour] ??= { hosts: 0, lastS: 0 });
      group.hosts++;
      group.lastS = Math.max(group.lastS, s(last));
    }
    if (s(last) > lastHost.lastS) lastHost = { index, behaviour, firstS: s(first), lastS: s(last), requests };
  }
  return {
    boundingHost: { firstS: s(bFirst), lastS: s(bLast), requests: bRequests, meanGapMs, delayMs: bound.crawlDelayMs },
    tailS: Math.round((endedAtMs - bLast) / 100) / 10,
    lateHosts,
    lastHost,
    knownHostBound,
  };
}
