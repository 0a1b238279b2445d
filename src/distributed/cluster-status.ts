/**
 * The live state of a distributed crawl, read from Redis by
 * `skein status --redis … --crawl-id …`: the shared frontier's counters,
 * every node's last report (per-node throughput), the hosts in backoff and
 * the busiest host queues.
 */
import type { RedisClient } from './redis-connection.js';
import { RedisFrontier } from '../frontier/redis-frontier.js';
import type { FrontierStats } from '../frontier/frontier.js';
import { ConfigError } from '../core/errors.js';
import { nodeIsGone, readNodeReports, type NodeReport } from './node-heartbeat.js';
import { readCrawl, withInstance } from './shared-crawl.js';

export interface HostQueue {
  host: string;
  /** Ready plus waiting-for-retry requests. */
  queued: number;
  inFlight: number;
  delayMs: number;
}

export interface ClusterStatus {
  crawlId: string;
  createdAt: string;
  seededBy: string;
  /** Set when the crawl was rebuilt from its nodes' stores after Redis lost it. */
  recovered?: { at: string; by: string };
  seeds: string[];
  maxPages: number;
  frontier: FrontierStats;
  /**
   * Records the crawl holds, by outcome, counted by the shared frontier: every
   * run of every node, each completed page once (what the merged export holds).
   */
  pages: { ok: number; failed: number; skipped: number };
  /** The frontier's own `isDone()`: nothing leased, and nothing queued or `maxPages` reached. */
  finished: boolean;
  nodes: Array<NodeReport & { gone: boolean }>;
  /** Cluster throughput: the live nodes' recent pages/s added up. */
  pagesPerSecond: number;
  backoff: Array<{ host: string; untilMs: number }>;
  busiestHosts: HostQueue[];
}

/** Reads the whole status; `ConfigError` when no node ever seeded `crawlId`. */
export async function readClusterStatus(redis: RedisClient, crawlId: string, options: { top?: number; nowMs?: number } = {}): Promise<ClusterStatus> {
  const nowMs = options.nowMs ?? Date.now();
  const crawl = await readCrawl(redis, crawlId);
  if (!crawl) {
    throw new ConfigError(
      'crawl-id',
      `no crawl "${crawlId}" in this Redis (start one with \`skein crawl --config … --redis … --crawl-id ${crawlId}\`; if it ran here and Redis lost it, its nodes rebuild it: run them again with --recover)`,
    );
  }
  const config = crawl.config as { seeds?: string[]; scope?: { maxPages?: number } };
  const maxPages = config.scope?.maxPages ?? Number.MAX_SAFE_INTEGER;
  const { instance, shards } = withInstance(crawl);
  const frontier = new RedisFrontier({ redis, crawlId, nodeId: 'status', identity: instance, shards, maxPages, hostPolicy: { delayMs: 0, parallelism: 1 } });
  const [stats, finished, pages, reports, hosts] = await Promise.all([
    frontier.stats(),
    frontier.isDone(),
    frontier.outcomes(),
    readNodeReports(redis, crawlId),
    frontier.hostsStatus(nowMs, options.top ?? 10),
  ]);
  const backoff: ClusterStatus['backoff'] = hosts.backoff;
  const busiestHosts: HostQueue[] = hosts.busiest;
  const nodes = reports.map((r) => ({ ...r, gone: nodeIsGone(r, nowMs) }));
  const sum = (pick: (r: NodeReport & { gone: boolean }) => number) => nodes.reduce((n, r) => n + pick(r), 0);
  return {
    crawlId,
    createdAt: crawl.createdAt,
    seededBy: crawl.seededBy,
    ...(crawl.recovered ? { recovered: crawl.recovered } : {}),
    seeds: config.seeds ?? [],
    maxPages,
    frontier: stats,
    pages,
    finished,
    nodes,
    pagesPerSecond: Math.round(sum((r) => (r.gone || r.state !== 'running' ? 0 : r.pagesPerSecond)) * 10) / 10,
    backoff,
    busiestHosts,
  };
}

/** A node still working on the crawl (running, or paused while Redis is away), not gone. */
function isLive(n: NodeReport & { gone: boolean }): boolean {
  return !n.gone && (n.state === 'running' || n.state === 'paused');
}

export function formatClusterStatus(s: ClusterStatus, nowMs = Date.now()): string {
  const f = s.frontier;
  const lines = [
    `distributed crawl "${s.crawlId}" — ${s.finished ? 'finished' : 'running'} (seeded by ${s.seededBy} at ${s.createdAt}${s.recovered ? `; rebuilt from its nodes' stores by ${s.recovered.by} at ${s.recovered.at}` : ''})`,
    `  seeds: ${s.seeds.join(' ')}`,
    `  frontier: ${f.queued} queued, ${f.leased} in flight, ${f.done} done (${f.fetched} fetched of max ${s.maxPages}), ${f.seen} seen, ${f.hosts} hosts (${f.hostsInBackoff} in backoff)`,
    `  pages stored: ${s.pages.ok + s.pages.failed + s.pages.skipped} (${s.pages.ok} ok, ${s.pages.failed} failed, ${s.pages.skipped} skipped; every node, every run); ${s.pagesPerSecond} pages/s now`,
    `  nodes (${s.nodes.filter(isLive).length} live of ${s.nodes.length}):`,
  ];
  for (const n of s.nodes) {
    const state = n.gone ? `gone (last seen ${Math.round((nowMs - n.updatedAtMs) / 1000)} s ago)` : n.state;
    const stored = n.stored === undefined ? '' : `${n.stored} stored (all runs); `;
    const rate = isLive(n) ? `${n.pagesPerSecond} pages/s now, ${n.avgPagesPerSecond} avg` : `${n.avgPagesPerSecond} pages/s avg`;
    lines.push(`    ${n.nodeId.padEnd(24)} ${state.padEnd(12)} ${stored}this run: ok ${n.ok}, failed ${n.failed}, skipped ${n.skipped}; ${rate} (${n.host} pid ${n.pid})`);
  }
  if (s.backoff.length) {
    lines.push('  hosts in backoff:');
    for (const b of s.backoff) lines.push(`    ${b.host} for ${Math.max(0, Math.round((b.untilMs - nowMs) / 100) / 10)} s more`);
  }
  if (s.busiestHosts.length) {
    lines.push('  busiest hosts:');
    for (const h of s.busiestHosts) lines.push(`    ${h.host.padEnd(32)} ${h.queued} queued, ${h.inFlight} in flight, delay ${h.delayMs} ms`);
  }
  return lines.join('\n') + '\n';
}
