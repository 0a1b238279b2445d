/**
 * The Redis frontier's views over every shard: status replies
 * (skeinShardStatus) summed into the crawl's exact counts, and host lists
 * (skeinShardHosts) merged for `skein status`. Pure.
 */
import type { FrontierStats } from './frontier.js';
import type { ShardReport } from './redis-shard-index.js';

/** Every shard's status summed. */
export interface Scan extends FrontierStats {
  /** Each shard's version (bumped by every change) when it was asked. */
  versions: number[];
  firstHostReady: number | undefined;
  firstLeaseExpiry: number | undefined;
  ok: number;
  failed: number;
  skipped: number;
}

/** Sums the status replies of every shard (report, then the status fields), in shard order. */
export function sumShardStatus(replies: ReadonlyArray<{ report: ShardReport; rest: Array<string | number> }>): Scan {
  const s: Scan = { versions: replies.map((r) => r.report.ver), queued: 0, leased: 0, done: 0, fetched: 0, seen: 0, hosts: 0, hostsInBackoff: 0, firstHostReady: undefined, firstLeaseExpiry: undefined, ok: 0, failed: 0, skipped: 0 };
  const earliest = (a: number | undefined, v: string | number) => (Number(v) < 0 ? a : Math.min(a ?? Infinity, Number(v)));
  for (const { report, rest } of replies) {
    s.queued += report.queued;
    s.leased += report.leased;
    s.done += Number(rest[0]);
    s.seen += Number(rest[1]);
    s.hosts += Number(rest[2]);
    s.hostsInBackoff += Number(rest[3]);
    s.firstHostReady = earliest(s.firstHostReady, rest[4]!);
    s.firstLeaseExpiry = earliest(s.firstLeaseExpiry, rest[5]!);
    s.ok += Number(rest[6]);
    s.failed += Number(rest[7]);
    s.skipped += Number(rest[8]);
    s.fetched += Number(rest[9]);
  }
  return s;
}

/** For `skein status`: the hosts in backoff and the busiest host queues. */
export interface ShardHosts {
  backoff: Array<{ host: string; untilMs: number }>;
  busiest: Array<{ host: string; queued: number; inFlight: number; delayMs: number }>;
}

/** Merges every shard's host lists (backoff pairs, `--`, busiest quadruples) into the `top` of each. */
export function mergeShardHosts(replies: ReadonlyArray<Array<string | number>>, top: number): ShardHosts {
  const backoff: ShardHosts['backoff'] = [];
  const busiest: ShardHosts['busiest'] = [];
  for (const reply of replies) {
    const marker = reply.indexOf('--');
    for (let i = 0; i + 1 < marker; i += 2) backoff.push({ host: String(reply[i]), untilMs: Number(reply[i + 1]) });
    for (let i = marker + 1; i + 3 < reply.length; i += 4) {
      busiest.push({ host: String(reply[i]), queued: Number(reply[i + 1]), inFlight: Number(reply[i + 2]), delayMs: Number(reply[i + 3]) });
    }
  }
  backoff.sort((a, b) => a.untilMs - b.untilMs || a.host.localeCompare(b.host));
  busiest.sort((a, b) => b.queued - a.queued || a.host.localeCompare(b.host));
  return { backoff: backoff.slice(0, top), busiest: busiest.slice(0, top) };
}
