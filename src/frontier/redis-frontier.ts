/**
 * The distributed frontier: Redis holds the whole crawl state (seen set,
 * per-host queues, host schedule and slots, leases, counters), so any number
 * of skein processes pointing at the same Redis and crawl id share one crawl:
 * one dedup, one per-host politeness schedule, one `maxPages` budget. A node
 * that dies loses nothing: its leases expire and `lease()` (on any node) hands
 * them out again. Every step is one Lua script (see redis-scripts.ts), so it is
 * atomic across nodes. Key layout is documented there.
 *
 * Time: the caller's clock. Every time-dependent call takes `nowMs` (default
 * `Date.now()`) and the scripts use it as given, never Redis `TIME`. Reasons:
 * backoff times (`Retry-After`) and retry times are computed on the client,
 * so one clock for all of them stays consistent; and explicit times keep the
 * contract suite deterministic. The cost: nodes' clocks must agree (NTP);
 * a skew of k ms shifts one host's spacing and the lease expiry by k ms.
 *
 * Durability is Redis's own (RDB/AOF as configured); `flush()` has nothing to
 * do. The Redis connection belongs to the caller: `close()` does not quit it.
 */
import type { Cluster, Redis } from 'ioredis';
import type { CrawlRequest, Lease, PageOutcome } from '../core/types.js';
import { FrontierError, FrontierUnavailableError } from '../core/errors.js';
import type { AddResult, CompleteOptions, Frontier, FrontierOptions, FrontierStats, HostPolicy, RedirectClaim } from './frontier.js';
import { crawlKeys, crawlStateLostError, IDENTITY_ERRORS, type IdentityProblem } from './redis-keys.js';
import { FRONTIER_SCRIPTS, ORDER_PREFIX_LENGTH, type FrontierScriptName } from './redis-scripts.js';

export type RedisFrontierOptions = FrontierOptions & {
  /** A connected ioredis client (or cluster client); shared, not closed by the frontier. */
  redis: Redis | Cluster;
  /** Crawl id shared by every node of one crawl; keys are `skein:{<crawlId>}:…`. */
  crawlId: string;
  /** This node's id; it prefixes the lease ids this node hands out. */
  nodeId: string;
  /**
   * The token of the crawl's incarnation this node joined (the crawl
   * definition's `instance`): every script checks Redis still holds it at the
   * crawl's identity key, and fails with `ERR_FRONTIER_STATE_LOST` otherwise.
   */
  identity: string;
};

type ScriptCall = (...args: Array<string | number>) => Promise<unknown>;

const DEFAULT_LEASE_MS = 120_000;
const MAX_DEPTH = 999_999;
const MAX_PRIORITY = 999_999_999;

export class RedisFrontier implements Frontier {
  readonly #options: RedisFrontierOptions;

  constructor(options: RedisFrontierOptions) {
    this.#options = options;
  }

  /** The key prefix of one crawl, e.g. `skein:{my-crawl}:`. */
  static keyPrefix(crawlId: string): string {
    return crawlKeys(crawlId).prefix;
  }

  async add(requests: CrawlRequest[]): Promise<AddResult[]> {
    if (requests.length === 0) return [];
    const { delayMs, parallelism } = this.#options.hostPolicy;
    const args: Array<string | number> = [this.#prefix, delayMs, parallelism];
    for (const r of requests) {
      const depth = Math.min(MAX_DEPTH, Math.max(0, Math.trunc(r.depth)));
      const priority = Math.min(MAX_PRIORITY, Math.max(-MAX_PRIORITY, Math.trunc(r.priority ?? 0)));
      args.push(r.key, new URL(r.key).host, depth, priority, JSON.stringify(r));
    }
    const accepted = (await this.#run('skeinFrontierAdd', ['seen', 'n'], args)) as number[];
    return accepted.map((a) => (a === 1 ? { ok: true } : { ok: false, reason: 'duplicate' }));
  }

  async lease(max: number, nowMs = Date.now()): Promise<Lease[]> {
    if (max <= 0) return [];
    const o = this.#options;
    const leaseMs = o.leaseMs ?? DEFAULT_LEASE_MS;
    const args = [this.#prefix, nowMs, max, leaseMs, o.maxPages, o.nodeId, o.jitter ?? 0, Math.random()];
    const flat = (await this.#run('skeinFrontierLease', ['sched', 'leases', 'n'], args)) as string[];
    const leases: Lease[] = [];
    for (let i = 0; i + 2 < flat.length; i += 3) {
      leases.push({ leaseId: flat[i]!, host: flat[i + 1]!, request: parseMember(flat[i + 2]!), expiresAt: nowMs + leaseMs });
    }
    return leases;
  }

  async complete(lease: Lease, outcome: PageOutcome, options: CompleteOptions = {}): Promise<void> {
    const args = [this.#prefix, lease.leaseId, outcome, options.fetched === false ? 0 : 1, options.nowMs ?? Date.now()];
    await this.#run('skeinFrontierComplete', ['leases', 'lease', 'n'], args);
  }

  async retry(lease: Lease, notBeforeMs: number, nowMs = Date.now()): Promise<void> {
    const request = { ...lease.request, attempt: (lease.request.attempt ?? 0) + 1 };
    await this.#run('skeinFrontierRetry', ['leases', 'lease', 'n'], [this.#prefix, lease.leaseId, notBeforeMs, JSON.stringify(request), nowMs]);
  }

  /**
   * Puts back every request still leased under this node's id (its previous
   * run ended without completing them), so a node that starts again does not
   * wait for its own old leases to expire. Node ids must be unique among the
   * running nodes. Returns how many were released.
   */
  /**
   * Recovery: marks stored pages seen and done (counted by outcome), each
   * unless already seen. Returns how many were new.
   */
  async markStored(records: ReadonlyArray<{ key: string; outcome: PageOutcome }>): Promise<number> {
    if (records.length === 0) return 0;
    return (await this.#run('skeinFrontierMarkStored', ['seen', 'n'], [this.#prefix, ...records.flatMap((r) => [r.key, r.outcome])])) as number;
  }

  async releaseOwnLeases(): Promise<number> {
    return (await this.#run('skeinFrontierReleaseNode', ['leases', 'lease', 'n'], [this.#prefix, this.#options.nodeId])) as number;
  }

  async setHostPolicy(host: string, policy: Partial<HostPolicy>): Promise<void> {
    const { delayMs, parallelism } = this.#options.hostPolicy;
    const args = [this.#prefix, delayMs, parallelism, host, policy.delayMs ?? '', policy.parallelism ?? ''];
    await this.#run('skeinFrontierSetPolicy', ['sched', 'hosts'], args);
  }

  async backoffHost(host: string, untilMs: number): Promise<void> {
    const { delayMs, parallelism } = this.#options.hostPolicy;
    await this.#run('skeinFrontierBackoff', ['sched', 'backoff'], [this.#prefix, delayMs, parallelism, host, untilMs]);
  }

  async drainHost(host: string): Promise<CrawlRequest[]> {
    const members = (await this.#run('skeinFrontierDrain', ['sched', 'n'], [this.#prefix, host])) as string[];
    return members.map(parseMember);
  }

  async claimRedirect(claim: RedirectClaim): Promise<AddResult> {
    const args = [this.#prefix, claim.key, claim.redirectOf, claim.source === 'seed' ? claim.url : ''];
    const claimed = (await this.#run('skeinFrontierClaim', ['seen', 'claims'], args)) as number;
    return claimed === 1 ? { ok: true } : { ok: false, reason: 'duplicate' };
  }

  async seedRedirects(): Promise<string[]> {
    return (await this.#run('skeinFrontierSeedRedirects', ['seedRedirects'], [])) as string[];
  }

  async bookHost(host: string, nowMs: number, sentNow = false): Promise<number> {
    const { delayMs, parallelism } = this.#options.hostPolicy;
    const args = [this.#prefix, delayMs, parallelism, host, nowMs, sentNow ? 1 : 0];
    return Number(await this.#run('skeinFrontierBook', ['sched', 'hosts'], args));
  }

  /**
   * Earliest time `lease` may return something: the first ready host, or the
   * first lease expiry (its request comes back then, whichever node held it).
   * Never before `nowMs`; undefined when nothing is queued and nothing is leased.
   */
  async nextReadyAt(nowMs = Date.now()): Promise<number | undefined> {
    const s = await this.#status(nowMs);
    let at = s.firstLeaseExpiry ?? Infinity;
    if (s.fetched + s.leased < this.#options.maxPages) at = Math.min(at, s.firstHostReady ?? Infinity);
    return at === Infinity ? undefined : Math.max(at, nowMs);
  }

  async stats(): Promise<FrontierStats> {
    const { queued, leased, done, fetched, seen, hosts, hostsInBackoff } = await this.#status(Date.now());
    return { queued, leased, done, fetched, seen, hosts, hostsInBackoff };
  }

  /**
   * Records the crawl holds, by outcome: every completion in every node's
   * every run (a page completed once counts once, whichever node stored it),
   * plus the skipped records of hosts given up. For `skein status`.
   */
  async outcomes(): Promise<Record<PageOutcome, number>> {
    const { ok, failed, skipped } = await this.#status(Date.now());
    return { ok, failed, skipped };
  }

  async isDone(): Promise<boolean> {
    const s = await this.#status(Date.now());
    return s.leased === 0 && (s.queued === 0 || s.fetched >= this.#options.maxPages);
  }

  /** Nothing to do: every step is already in Redis when its promise resolves. */
  async flush(): Promise<void> {}

  /** Nothing to release: the Redis client belongs to the caller. */
  async close(): Promise<void> {}

  get #prefix(): string {
    return RedisFrontier.keyPrefix(this.#options.crawlId);
  }

  async #status(nowMs: number) {
    const r = (await this.#run('skeinFrontierStatus', ['n', 'leases', 'sched'], [this.#prefix, nowMs])) as Array<number | string>;
    const time = (v: number | string | undefined) => (v === undefined || Number(v) < 0 ? undefined : Number(v));
    return {
      queued: Number(r[0]),
      leased: Number(r[1]),
      done: Number(r[2]),
      seen: Number(r[3]),
      hosts: Number(r[4]),
      hostsInBackoff: Number(r[5]),
      firstHostReady: time(r[6]),
      firstLeaseExpiry: time(r[7]),
      ok: Number(r[8]),
      failed: Number(r[9]),
      skipped: Number(r[10]),
      fetched: Number(r[11]),
    };
  }

  /** Runs one script (defined on the client on first use); Redis failures become FrontierErrors. */
  async #run(name: FrontierScriptName, keys: string[], args: Array<string | number>): Promise<unknown> {
    const redis = this.#options.redis;
    const commands = redis as unknown as Record<FrontierScriptName, ScriptCall | undefined>;
    if (typeof commands[name] !== 'function') {
      for (const [script, [numberOfKeys, lua]] of Object.entries(FRONTIER_SCRIPTS)) {
        redis.defineCommand(script, { numberOfKeys, lua });
      }
    }
    const call = commands[name]!.bind(redis);
    const { crawlId, identity } = this.#options;
    try {
      return await call(...keys.map((k) => this.#prefix + k), ...args, crawlKeys(crawlId).identity, identity);
    } catch (error) {
      throw toFrontierError(error, crawlId);
    }
  }
}

function parseMember(member: string): CrawlRequest {
  return JSON.parse(member.slice(ORDER_PREFIX_LENGTH)) as CrawlRequest;
}

/**
 * A failed identity check is `ERR_FRONTIER_STATE_LOST`; another Lua or reply
 * error is a FrontierError; anything about the connection is FrontierUnavailableError.
 */
function toFrontierError(error: unknown, crawlId: string): FrontierError {
  const e = error as { name?: string; message?: string; code?: string };
  const message = `Redis frontier: ${e.message ?? String(error)}`;
  for (const [problem, word] of Object.entries(IDENTITY_ERRORS) as Array<[IdentityProblem, string]>) {
    if (e.name === 'ReplyError' && e.message?.startsWith(word)) return crawlStateLostError(crawlId, problem, error);
  }
  if (e.name === 'ReplyError') return new FrontierError('ERR_FRONTIER_SCRIPT', message, { cause: error });
  return new FrontierUnavailableError('ERR_FRONTIER_UNAVAILABLE', message, { retryable: true, cause: error });
}
