/**
 * Node registry: every node of a distributed crawl writes what it has done
 * to `skein:{<crawlId>}:nodes` (a hash, node id → JSON `NodeReport`) once per
 * `intervalMs`, and a last time when it ends. `skein status --redis` reads
 * it for per-node throughput; a node whose report is older than a few
 * intervals is shown as gone (killed, or cut off from Redis).
 */
import { hostname } from 'node:os';
import type { RedisClient } from './redis-connection.js';
import type { CrawlEventBus } from '../core/events.js';
import { crawlKeys } from '../frontier/redis-keys.js';

export type NodeState = 'running' | 'paused' | 'finished' | 'stopped' | 'failed';

/** One node's last report. */
export interface NodeReport {
  nodeId: string;
  host: string;
  pid: number;
  startedAt: string;
  /** When this report was written (the node's clock). */
  updatedAtMs: number;
  /** The node's heartbeat interval (status uses it to tell live from gone). */
  intervalMs: number;
  state: NodeState;
  /** Records in the node's store: every run of this node id (absent in reports of older versions). */
  stored?: number;
  /** Frontier script calls this run sent to Redis, and the rounds of them it waited on (absent in reports of older versions). */
  redisCalls?: number;
  redisRounds?: number;
  redisCallsByScript?: Record<string, number>;
  /** This run's records by outcome, and their bytes. */
  ok: number;
  failed: number;
  skipped: number;
  bytes: number;
  /** Pages fetched (ok + failed) per second over the last ~10 s; 0 once the node has ended. */
  pagesPerSecond: number;
  /** Pages fetched per second since the node started. */
  avgPagesPerSecond: number;
}

export interface NodeHeartbeatOptions {
  redis: RedisClient;
  crawlId: string;
  nodeId: string;
  /** The crawl's identity token: a report is written only while Redis holds it (never into a Redis that lost the crawl). */
  identity: string;
  events: CrawlEventBus;
  /** @default 1000 */
  intervalMs?: number;
  /** True while the node waits for Redis (shown as "paused"). */
  isPaused?: () => boolean;
  /** Records in the node's store, all runs (its `size`); undefined until the store is open. */
  stored?: () => number | undefined;
  /** What the node's frontier sent to Redis so far. */
  redisCounts?: () => { calls: number; rounds: number; byScript: Record<string, number> };
  now?: () => number;
}

const RATE_WINDOW_MS = 10_000;

/** KEYS identity, nodes. ARGV token, node id, report: HSET only while the crawl's identity holds. */
const WRITE_REPORT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
return 1
`;

export class NodeHeartbeat {
  readonly #options: NodeHeartbeatOptions;
  readonly #counts = { ok: 0, failed: 0, skipped: 0, bytes: 0 };
  readonly #samples: Array<{ atMs: number; fetched: number }> = [];
  readonly #startedAtMs: number;
  #off: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();

  constructor(options: NodeHeartbeatOptions) {
    this.#options = options;
    this.#startedAtMs = this.#now();
  }

  /** The hash holding every node's report. */
  static key(crawlId: string): string {
    return crawlKeys(crawlId).nodes;
  }

  /** Starts counting stored pages and reporting every interval. */
  start(): void {
    this.#off = this.#options.events.on('page:stored', ({ record }) => {
      this.#counts[record.outcome]++;
      this.#counts.bytes += record.bytes;
    });
    this.#timer = setInterval(() => void this.#write(this.#options.isPaused?.() ? 'paused' : 'running'), this.#intervalMs);
    this.#timer.unref();
    void this.#write('running');
  }

  /** Writes the final report; errors (Redis gone) are ignored: status then shows the node as gone. */
  async stop(state: Exclude<NodeState, 'running' | 'paused'>): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#off?.();
    this.#off = undefined;
    await this.#write(state);
  }

  /** The report as it would be written now. */
  report(state: NodeState): NodeReport {
    const now = this.#now();
    const fetched = this.#counts.ok + this.#counts.failed;
    this.#samples.push({ atMs: now, fetched });
    while (this.#samples.length > 2 && this.#samples[0]!.atMs < now - RATE_WINDOW_MS) this.#samples.shift();
    const first = this.#samples[0]!;
    const rate = (n: number, ms: number) => (ms > 0 ? Math.round((n / ms) * 10_000) / 10 : 0);
    const stored = this.#options.stored?.();
    const counts = this.#options.redisCounts?.();
    return {
      nodeId: this.#options.nodeId,
      host: hostname(),
      pid: process.pid,
      startedAt: new Date(this.#startedAtMs).toISOString(),
      updatedAtMs: now,
      intervalMs: this.#intervalMs,
      state,
      ...(stored !== undefined ? { stored } : {}),
      ...(counts ? { redisCalls: counts.calls, redisRounds: counts.rounds, redisCallsByScript: counts.byScript } : {}),
      ...this.#counts,
      pagesPerSecond: state === 'running' || state === 'paused' ? rate(fetched - first.fetched, now - first.atMs) : 0,
      avgPagesPerSecond: rate(fetched, now - this.#startedAtMs),
    };
  }

  #write(state: NodeState): Promise<void> {
    const report = this.report(state);
    this.#writing = this.#writing.then(() =>
      this.#options.redis
        .eval(WRITE_REPORT, 2, crawlKeys(this.#options.crawlId).identity, NodeHeartbeat.key(this.#options.crawlId), this.#options.identity, this.#options.nodeId, JSON.stringify(report))
        .then(() => undefined, () => undefined),
    );
    return this.#writing;
  }

  get #intervalMs(): number {
    return this.#options.intervalMs ?? 1_000;
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }
}

/** Every node's last report, by node id. */
export async function readNodeReports(redis: RedisClient, crawlId: string): Promise<NodeReport[]> {
  const all = await redis.hgetall(NodeHeartbeat.key(crawlId));
  const reports: NodeReport[] = [];
  for (const raw of Object.values(all)) {
    try {
      reports.push(JSON.parse(raw) as NodeReport);
    } catch {
      // A malformed entry hides only itself.
    }
  }
  return reports.sort((a, b) => a.nodeId.localeCompare(b.nodeId));
}

/** A report older than three intervals (and not final) belongs to a node that is gone. Pure. */
export function nodeIsGone(report: NodeReport, nowMs: number): boolean {
  if (report.state !== 'running' && report.state !== 'paused') return false;
  return nowMs - report.updatedAtMs > 3 * report.intervalMs + 1_000;
}
