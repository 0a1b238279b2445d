/**
 * The distributed frontier: Redis holds the whole crawl state, so any number
 * of skein processes pointing at the same Redis (or Redis Cluster) and crawl
 * id share one crawl: one dedup, one per-host politeness schedule, one
 * `maxPages` budget. A node that dies loses nothing: its leases expire and
 * `lease()` (on any node) hands them out again.
 *
 * Sharded: hosts are spread over the crawl's shards (`XXH64(host) mod
 * shards`, redis-codec.ts), each shard under its own hash tag, so every
 * per-host step is one Lua script on one slot (redis-shard-scripts.ts) and a
 * crawl spreads over every master of a cluster. What spans shards is small
 * and lives in the crawl's own slot (redis-global-scripts.ts): the maxPages
 * budget, given to shards in grants of tokens, and an index of the shards
 * with work, which each node reads and feeds in `sync` calls
 * (redis-shard-index.ts). Exact answers (stats, isDone, nextReadyAt) ask
 * every shard (one script each, in parallel); the node keeps the answer for
 * `scanCacheMs` unless it changed something since.
 *
 * Round trips: every call goes out in an exchange (redis-exchange.ts): the
 * calls gathered are sent together, one wait for all. `add` sends one script
 * per shard its requests fall in; `lease` one per ready shard it picks (up to
 * 8); host releases and completions, which nobody waits on, ride with the
 * next exchange (one script per shard for all of them), or go after
 * `lingerMs`; a sync with the global index joins an exchange every
 * `syncEveryMs`. With `prefetch`, every exchange also tops up a small buffer
 * of leases (lease-buffer.ts), so most `lease` calls need no round trip.
 *
 * Time: the caller's clock. Every time-dependent call takes `nowMs` (default
 * `Date.now()`) and the scripts use it as given, never Redis `TIME`: backoff
 * and retry times are computed on the client, so one clock for all of them
 * stays consistent, and explicit times keep the contract suite
 * deterministic. The cost: nodes' clocks must agree (NTP).
 *
 * Durability is Redis's own (RDB/AOF as configured); `flush()` has nothing to
 * do. The Redis connection belongs to the caller: `close()` does not quit it.
 */
import type { Cluster, Redis } from 'ioredis';
import type { CrawlRequest, Lease, PageOutcome } from '../core/types.js';
import type { AddResult, CompleteOptions, Frontier, FrontierOptions, FrontierStats, HostPolicy, RedirectClaim, ReleaseOptions } from './frontier.js';
import { RedisExchange, Step } from './redis-exchange.js';
import { ShardLeaser } from './redis-shard-leaser.js';
import { decodeRequest, DEFAULT_SHARDS, encodeRequest, fingerprintId, seenSlot, shardOfHost } from './redis-codec.js';
import { crawlKeys, type CrawlKeys } from './redis-keys.js';
import type { ShardScriptName } from './redis-shard-scripts.js';
import { ScriptRunner, type GlobalScriptName, type RedisCallCounts } from './redis-script-runner.js';
import { ShardIndex, splitReply } from './redis-shard-index.js';
import { mergeShardHosts, sumShardStatus, type Scan, type ShardHosts } from './redis-shard-scan.js';

export type RedisFrontierOptions = FrontierOptions & {
  /** A connected ioredis client (or cluster client); shared, not closed by the frontier. */
  redis: Redis | Cluster;
  /** Crawl id shared by every node of one crawl. */
  crawlId: string;
  /** This node's id; it prefixes the lease ids this node hands out. */
  nodeId: string;
  /**
   * The token of the crawl's incarnation this node joined (the crawl
   * definition's `instance`): every script checks its slot still holds it,
   * and fails with `ERR_FRONTIER_STATE_LOST` otherwise.
   */
  identity: string;
  /** The crawl's shard count (from its definition; every node must agree). @default 256 */
  shards?: number;
  /** Longest time between two syncs with the global index while leasing. @default 100 */
  syncEveryMs?: number;
  /** How long an exact answer (stats, isDone, nextReadyAt) is reused if this node changed nothing. @default 200 */
  scanCacheMs?: number;
  /** How long it is reused even if this node changed something (a node polling near the end of a crawl). @default 0 */
  scanMinIntervalMs?: number;
  /**
   * Leases kept ahead of need (lease-buffer.ts): an exchange that goes to Redis anyway (a page's
   * links, completions) tops the buffer up to this, so most `lease` calls are answered at once.
   * They are real leases (they hold their hosts' places and maxPages tokens, and expire), handed
   * out with their `grantedAtMs`; `close()` puts those left back in the queue. @default 0
   */
  prefetch?: number;
  /**
   * Longest wait of a host release for an exchange to ride with; completions, put-backs and
   * reports to the global index (which free no place) wait up to 4 times as long. @default 0 (the next tick)
   */
  lingerMs?: number;
};

const DEFAULT_LEASE_MS = 120_000;
const MAX_DEPTH = 999_999;
const MAX_PRIORITY = 999_999_999;
/** `isDone` asks every shard at least this often. */
const SCAN_EVERY_MS = 5_000;

export class RedisFrontier implements Frontier {
  readonly #options: RedisFrontierOptions;
  readonly #keys: CrawlKeys;
  readonly #index: ShardIndex;
  readonly #scripts: ScriptRunner;
  readonly #exchange: RedisExchange;
  readonly #leaser: ShardLeaser;
  #mutations = 0;
  #lastScanMs = 0;
  #scan: { at: number; mutations: number; value: Promise<Scan> } | undefined;

  constructor(options: RedisFrontierOptions) {
    this.#options = options;
    this.#keys = crawlKeys(options.crawlId);
    this.#scripts = new ScriptRunner(options.redis, options.crawlId);
    this.#exchange = new RedisExchange({ beforeSend: () => this.#beforeSend(), onSend: () => this.#scripts.counts.rounds++ });
    const syncKeys = [this.#keys.prefix + 'g', this.#keys.prefix + 'ready', this.#keys.identity];
    this.#index = new ShardIndex((args, urgent) => this.#exchange.call(Step.Sync, urgent ? 0 : this.#lazyMs, () => this.#global('skeinGlobalSync', syncKeys, args)) as Promise<Array<string | number>>, {
      maxPages: options.maxPages,
      ...(options.syncEveryMs !== undefined ? { syncEveryMs: options.syncEveryMs } : {}),
    });
    this.#leaser = new ShardLeaser(this.#index, {
      nodeId: options.nodeId,
      leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
      jitter: options.jitter ?? 0,
      prefetch: options.prefetch ?? 0,
      leaseScript: (shard, args) => this.#shard(shard, 'skeinShardLease', args, Step.Lease),
      putBack: (leases) => this.#putBack(leases),
    });
  }

  /** The key prefix of the crawl-wide keys, e.g. `skein:{my-crawl}:`. */
  static keyPrefix(crawlId: string): string {
    return crawlKeys(crawlId).prefix;
  }

  /** The crawl's shard count. */
  get shards(): number {
    return this.#options.shards ?? DEFAULT_SHARDS;
  }

  /** What this frontier sent so far. */
  get counts(): RedisCallCounts {
    const counts = this.#scripts.counts;
    return { ...counts, byScript: { ...counts.byScript } };
  }

  async add(requests: CrawlRequest[]): Promise<AddResult[]> {
    if (requests.length === 0) return [];
    const { delayMs, parallelism } = this.#options.hostPolicy;
    const byShard = new Map<number, { indexes: number[]; args: Array<string | number> }>();
    requests.forEach((r, i) => {
      const host = new URL(r.key).host;
      const shard = this.#shardOf(host);
      const depth = Math.min(MAX_DEPTH, Math.max(0, Math.trunc(r.depth)));
      const priority = Math.min(MAX_PRIORITY, Math.max(-MAX_PRIORITY, Math.trunc(r.priority ?? 0)));
      const { bucket, member } = seenSlot(r.key);
      let group = byShard.get(shard);
      if (!group) byShard.set(shard, (group = { indexes: [], args: [delayMs, parallelism] }));
      group.indexes.push(i);
      group.args.push(host, bucket, member, encodeRequest({ ...r, depth, ...(priority !== 0 ? { priority } : {}) }, host));
    });
    const results: AddResult[] = new Array<AddResult>(requests.length);
    await Promise.all(
      [...byShard].map(async ([shard, group]) => {
        const flags = await this.#shard(shard, 'skeinShardAdd', group.args);
        group.indexes.forEach((i, j) => (results[i] = Number(flags[j]) === 1 ? { ok: true } : { ok: false, reason: 'duplicate' }));
      }),
    );
    return results;
  }

  async lease(max: number, nowMs = Date.now()): Promise<Lease[]> {
    return max <= 0 ? [] : this.#leaser.lease(max, nowMs);
  }

  /** Rides with the next exchange (within `lingerMs`): one script per shard for every completion in it. */
  complete(lease: Lease, outcome: PageOutcome, options: CompleteOptions = {}): Promise<void> {
    return this.#merged(Step.Complete, this.#lazyMs, 'skeinShardComplete', this.#shardOf(lease.host), [lease.leaseId, outcome, options.fetched === false ? 0 : 1, options.nowMs ?? Date.now()]);
  }

  /** The response came: the host's place is free while the page is parsed and stored (sent like completions, before them). */
  releaseHost(lease: Lease, options: ReleaseOptions = {}): Promise<void> {
    return this.#merged(Step.Release, this.#options.lingerMs ?? 0, 'skeinShardRelease', this.#shardOf(lease.host), [lease.leaseId, options.ok === false ? 0 : 1, options.nowMs ?? Date.now()]);
  }

  async retry(lease: Lease, notBeforeMs: number, nowMs = Date.now()): Promise<void> {
    const request = { ...lease.request, attempt: (lease.request.attempt ?? 0) + 1 };
    await this.#shard(this.#shardOf(lease.host), 'skeinShardRetry', [lease.leaseId, notBeforeMs, encodeRequest(request, lease.host), nowMs]);
  }

  /**
   * Recovery: marks stored pages seen and done (counted by outcome), each
   * unless already seen. Returns how many were new.
   */
  async markStored(records: ReadonlyArray<{ key: string; outcome: PageOutcome }>): Promise<number> {
    const byShard = new Map<number, Array<string | number>>();
    for (const r of records) {
      const shard = this.#shardOf(new URL(r.key).host);
      const { bucket, member } = seenSlot(r.key);
      const args = byShard.get(shard) ?? [];
      if (args.length === 0) byShard.set(shard, args);
      args.push(bucket, member, r.outcome);
    }
    const counts = await Promise.all([...byShard].map(async ([shard, args]) => Number((await this.#shard(shard, 'skeinShardMarkStored', args))[0])));
    return counts.reduce((a, b) => a + b, 0);
  }

  /**
   * Puts back every request still leased under this node's id (its previous
   * run ended without completing them), so a node that starts again does not
   * wait for its own old leases to expire. Node ids must be unique among the
   * running nodes. Returns how many were released.
   */
  async releaseOwnLeases(): Promise<number> {
    const counts = await this.#everyShard((shard) => this.#shard(shard, 'skeinShardReleaseNode', [this.#options.nodeId]));
    await this.#index.sync(Date.now());
    return counts.reduce((n, reply) => n + Number(reply[0]), 0);
  }

  async setHostPolicy(host: string, policy: Partial<HostPolicy>): Promise<void> {
    await this.#shard(this.#shardOf(host), 'skeinShardSetPolicy', [...this.#defaults(), host, policy.delayMs ?? '', policy.parallelism ?? '']);
  }

  async backoffHost(host: string, untilMs: number): Promise<void> {
    await this.#shard(this.#shardOf(host), 'skeinShardBackoff', [...this.#defaults(), host, untilMs]);
  }

  async drainHost(host: string): Promise<CrawlRequest[]> {
    const members = await this.#shard(this.#shardOf(host), 'skeinShardDrain', [host]);
    return members.map((m) => decodeRequest(String(m), host));
  }

  async claimRedirect(claim: RedirectClaim): Promise<AddResult> {
    const { bucket, member } = seenSlot(claim.key);
    const [claimed] = await this.#shard(this.#shardOf(new URL(claim.key).host), 'skeinShardClaim', [bucket, member, fingerprintId(claim.key), fingerprintId(claim.redirectOf)]);
    if (Number(claimed) !== 1) return { ok: false, reason: 'duplicate' };
    if (claim.source === 'seed') {
      // Idempotent: a retried claim of the same request appends nothing new.
      await this.#global('skeinSeedRedirect', [this.#keys.prefix + 'seedRedirects', this.#keys.prefix + 'seedRedirectSet', this.#keys.identity], [claim.url]);
    }
    return { ok: true };
  }

  async seedRedirects(): Promise<string[]> {
    return (await this.#global('skeinSeedRedirects', [this.#keys.prefix + 'seedRedirects', this.#keys.identity], [])) as string[];
  }

  async bookHost(host: string, nowMs: number, sentNow = false): Promise<number> {
    const [start] = await this.#shard(this.#shardOf(host), 'skeinShardBook', [...this.#defaults(), host, nowMs, sentNow ? 1 : 0]);
    return Number(start);
  }

  /**
   * Earliest time `lease` may return something: the first ready host, or the
   * first lease expiry (its request comes back then, whichever node held it).
   * Never before `nowMs`; undefined when nothing is queued and nothing is leased.
   * From the shards this node saw and the global index while budget is left
   * (the node polls anyway); exact (every shard asked) once it is spent.
   */
  async nextReadyAt(nowMs = Date.now()): Promise<number | undefined> {
    if (this.#leaser.buffered > 0) return nowMs;
    // A node that knows of work answers from its view and lets the sync ride with its next exchange.
    if (this.#index.stale()) {
      if (this.#index.earliest() === undefined) await this.#index.sync(nowMs);
      else this.#index.sync(nowMs, false).catch(() => undefined);
    }
    if (!this.#index.budgetLeft) {
      const s = await this.#scanAll(nowMs);
      let at = s.firstLeaseExpiry ?? Infinity;
      if (s.fetched + s.leased < this.#options.maxPages) at = Math.min(at, s.firstHostReady ?? Infinity);
      return at === Infinity ? undefined : Math.max(at, nowMs);
    }
    const at = this.#index.earliest();
    return at === undefined ? undefined : Math.max(at, nowMs);
  }

  async stats(): Promise<FrontierStats> {
    const { queued, leased, done, fetched, seen, hosts, hostsInBackoff } = await this.#scanAll(Date.now());
    return { queued, leased, done, fetched, seen, hosts, hostsInBackoff };
  }

  /**
   * Records the crawl holds, by outcome: every completion in every node's
   * every run (a page completed once counts once, whichever node stored it),
   * plus the skipped records of hosts given up. For `skein status`.
   */
  async outcomes(): Promise<Record<PageOutcome, number>> {
    const { ok, failed, skipped } = await this.#scanAll(Date.now());
    return { ok, failed, skipped };
  }

  /**
   * Not done while the global index lists shards with work and budget is
   * left (one sync, which also sends this node's latest reports); otherwise,
   * and at least every `SCAN_EVERY_MS` (a report that never reached the index
   * cannot keep a node waiting), every shard is asked.
   */
  async isDone(): Promise<boolean> {
    if (this.#leaser.buffered > 0) return false;
    const nowMs = Date.now();
    await this.#index.sync(nowMs);
    if (this.#index.budgetLeft && this.#index.active > 0 && nowMs - this.#lastScanMs < SCAN_EVERY_MS) return false;
    const idle = (s: Scan) => s.leased === 0 && (s.queued === 0 || s.fetched >= this.#options.maxPages);
    const first = await this.#scanAll(nowMs);
    if (!idle(first)) return false;
    // The shards are asked one by one, not at one instant: a page in flight in one shard may add
    // links to a shard already asked, then end before its own shard is asked. A second round
    // that finds every shard unchanged (same version) proves they were all idle at one moment.
    const second = await this.#scanAll(nowMs, true);
    return idle(second) && second.versions.every((v, i) => v === first.versions[i]);
  }

  /** For `skein status`: the hosts in backoff and the busiest host queues over every shard. */
  async hostsStatus(nowMs: number, top: number): Promise<ShardHosts> {
    return mergeShardHosts(await this.#everyShard((shard) => this.#shard(shard, 'skeinShardHosts', [nowMs, top])), top);
  }

  /** Nothing to do: every step is already in Redis when its promise resolves. */
  async flush(): Promise<void> {}

  /**
   * Puts the leases still in the buffer back in the queue (waiting 2 s at most: if Redis does not
   * answer, they expire). The Redis client belongs to the caller: it stays open.
   */
  async close(): Promise<void> {
    const left = this.#leaser.close();
    if (left.length === 0) return;
    // Then the global index hears of their shards at once, so other nodes find them.
    const putBack = this.#putBack(left).then(() => this.#index.sync(Date.now()));
    await Promise.race([putBack.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
  }

  #shardOf(host: string): number {
    return shardOfHost(host, this.shards);
  }

  #defaults(): [number, number] {
    const { delayMs, parallelism } = this.#options.hostPolicy;
    return [delayMs, parallelism];
  }

  /** Every shard's status summed (the exact answers), reused while fresh and nothing changed here. */
  #scanAll(nowMs: number, fresh = false): Promise<Scan> {
    const cached = this.#scan;
    const age = cached ? Date.now() - cached.at : Infinity;
    if (!fresh && cached && ((cached.mutations === this.#mutations && age < (this.#options.scanCacheMs ?? 200)) || age < (this.#options.scanMinIntervalMs ?? 0))) return cached.value;
    const value = this.#everyShard((shard) => this.#exchange.call(Step.Call, 0, () => this.#run(shard, 'skeinShardStatus', [nowMs]))).then(sumShardStatus);
    this.#scan = { at: Date.now(), mutations: this.#mutations, value };
    this.#lastScanMs = Date.now();
    value.catch(() => (this.#scan = undefined));
    return value;
  }

  /** Runs `step` on every shard at once (one exchange). */
  async #everyShard<T>(step: (shard: number) => Promise<T>): Promise<T[]> {
    return Promise.all(Array.from({ length: this.shards }, (_, shard) => step(shard)));
  }

  /** Runs a shard script in the next exchange (sent at once); returns the rest of the reply (see `#run`). */
  #shard(shard: number, name: ShardScriptName, args: Array<string | number>, step: Step = Step.Call): Promise<Array<string | number>> {
    return this.#exchange.call(step, 0, () => this.#run(shard, name, args)).then((split) => split.rest);
  }

  /** `args` join `name`'s call of `shard` in the next exchange (nobody waits for it). */
  #merged(step: Step, waitMs: number, name: ShardScriptName, shard: number, args: Array<string | number>): Promise<void> {
    if (step !== Step.Call) this.#leaser.freeing(shard);
    return this.#exchange.merge(step, `${name}:${shard}`, args, waitMs, (all) => this.#run(shard, name, all));
  }

  /** How long a call that frees nothing waits for an exchange to ride with. */
  get #lazyMs(): number {
    return 4 * (this.#options.lingerMs ?? 0);
  }

  /** Runs a shard script now; its report goes to the index. Returns the report and the rest of the reply. */
  async #run(shard: number, name: ShardScriptName, args: Array<string | number>): Promise<ReturnType<typeof splitReply>> {
    const prefix = this.#keys.shardPrefix(shard);
    const reply = (await this.#scripts.run(name, [prefix + 'n'], [prefix, ...args, this.#options.identity])) as Array<string | number>;
    const split = splitReply(reply);
    const readOnly = name === 'skeinShardStatus' || name === 'skeinShardHosts';
    this.#index.observe(shard, split.report, name === 'skeinShardStatus');
    if (!readOnly) {
      this.#mutations++;
      this.#index.pushSoon();
    }
    return split;
  }

  /** Every exchange about to go: a sync when one is due (or grants are asked for), and a buffer refill. */
  #beforeSend(): void {
    const nowMs = Date.now();
    if ((this.#index.stale() || this.#index.asking) && !this.#index.syncing) this.#index.sync(nowMs, false).catch(() => undefined);
    this.#leaser.refill(nowMs);
  }

  /** Puts leases this node will not use back in their queues (one script per shard). */
  #putBack(leases: Lease[]): Promise<unknown> {
    return Promise.all(leases.map((lease) => this.#merged(Step.Complete, this.#lazyMs, 'skeinShardUnlease', this.#shardOf(lease.host), [lease.leaseId])));
  }

  #global(name: GlobalScriptName, keys: string[], args: Array<string | number>): Promise<unknown> {
    return this.#scripts.run(name, keys, [this.#options.identity, ...args]);
  }
}
