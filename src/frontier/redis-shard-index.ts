/**
 * One node's view of which shards of the Redis frontier have work, and its
 * link to the crawl-wide budget (redis-global-scripts.ts). Every shard
 * script answers with the shard's report; the view keeps each shard's next
 * ready time from them, so a node leases from shards it knows are ready
 * without asking all of them. `sync` (one call to the crawl's own slot, at
 * most every `syncEveryMs` unless tokens are short) sends the reports seen
 * since the last one to the global index, asks for maxPages tokens for the
 * shards that ran out, and brings back a random handful of the shards ready
 * anywhere in the crawl (work other nodes found).
 */

/** What every shard script answers first (see redis-shard-scripts.ts). */
export interface ShardReport {
  ver: number;
  /** When the shard may next hand out a lease; -1: nothing queued, nothing leased. */
  nextAt: number;
  queued: number;
  leased: number;
  /** Tokens handed back to the global budget, ever. */
  back: number;
  pool: number;
}

/** Sends one sync; `urgent`: someone waits for it (else it may ride with the node's next exchange). */
export type SyncCall = (args: Array<string | number>, urgent: boolean) => Promise<Array<string | number>>;

export interface ShardIndexOptions {
  maxPages: number;
  /** Longest time between two syncs while leasing. @default 100 */
  syncEveryMs?: number;
  /** Ready shards a sync brings back. @default 16 */
  pick?: number;
  now?: () => number;
}

export class ShardIndex {
  readonly #call: SyncCall;
  readonly #options: ShardIndexOptions;
  /** shard → next ready time, for shards with work (as last seen). */
  readonly #view = new Map<number, number>();
  /** shard → tokens the global budget gave it, cumulative (as last seen). */
  readonly #given = new Map<number, number>();
  readonly #pending = new Map<number, ShardReport & { force: boolean }>();
  readonly #asked = new Map<number, number>();
  #syncedAtMs = -Infinity;
  #syncing: Promise<void> | undefined;
  #next: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Budget not given to any shard, as of the last sync. */
  remaining = Infinity;
  /** Tokens the shards' pools hold, as last reported to the global index. */
  pooled = 0;
  /** Shards with work in the global index, as of the last sync. */
  active = 0;
  /** The earliest next-ready time in the global index, as of the last sync. */
  #first: { shard: number; at: number } | undefined;
  /** shard → when this node last saw its report (a report newer than the last sync beats the index). */
  readonly #seenAtMs = new Map<number, number>();

  constructor(call: SyncCall, options: ShardIndexOptions) {
    this.#call = call;
    this.#options = options;
  }

  /** Records a shard's report (force: apply it in the global index whatever its version). */
  observe(shard: number, report: ShardReport, force = false): void {
    this.#seenAtMs.set(shard, this.#now());
    if (report.nextAt < 0) this.#view.delete(shard);
    else this.#view.set(shard, report.nextAt);
    const before = this.#pending.get(shard);
    if (!before || force || report.ver >= before.ver) this.#pending.set(shard, { ...report, force: force || (before?.force ?? false) });
  }

  /** Tokens given to `shard`, cumulative, as far as this node knows (a lease call passes it on). */
  given(shard: number): number {
    return this.#given.get(shard) ?? 0;
  }

  /** Asks for `tokens` more for `shard` at the next sync. */
  ask(shard: number, tokens: number): void {
    this.#asked.set(shard, Math.max(this.#asked.get(shard) ?? 0, tokens));
  }

  /** Reports not sent to the global index yet. */
  get pending(): boolean {
    return this.#pending.size > 0;
  }

  get asking(): boolean {
    return this.#asked.size > 0;
  }

  /** Shards ready at `nowMs` in this node's view, in random order. */
  ready(nowMs: number): number[] {
    const out: number[] = [];
    for (const [shard, at] of this.#view) if (at <= nowMs) out.push(shard);
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  /** Budget left anywhere (not given out, or in a shard's pool), as of the last sync. */
  get budgetLeft(): boolean {
    return this.remaining + this.pooled > 0;
  }

  /** The earliest next-ready time among the shards this node saw and the global index. */
  earliest(): number | undefined {
    const first = this.#first;
    let at = first && !((this.#seenAtMs.get(first.shard) ?? -Infinity) >= this.#syncedAtMs) ? first.at : Infinity;
    for (const t of this.#view.values()) at = Math.min(at, t);
    return at === Infinity ? undefined : at;
  }

  /** True when the last sync is older than `syncEveryMs`. */
  stale(): boolean {
    return this.#now() - this.#syncedAtMs >= (this.#options.syncEveryMs ?? 100);
  }

  /**
   * Sends what this node saw to the global index within `syncEveryMs` (a timer
   * that never keeps the process alive), so other nodes learn of work and
   * freed hosts even while this node does not lease. Errors wait for the next sync.
   */
  pushSoon(): void {
    if (this.#timer || this.#pending.size === 0) return;
    const waitMs = Math.max(0, (this.#options.syncEveryMs ?? 100) - (this.#now() - this.#syncedAtMs));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#pending.size > 0) this.sync(Date.now(), false).catch(() => undefined);
    }, waitMs);
    this.#timer.unref();
  }

  /**
   * One sync. A call made while one runs waits for it and then for the next
   * one (which carries what was asked meanwhile); calls made meanwhile share that next one.
   */
  sync(nowMs: number, urgent = true): Promise<void> {
    if (this.#next) return this.#next;
    if (this.#syncing) {
      const next = this.#syncing.then(
        () => undefined,
        () => undefined,
      ).then(() => {
        this.#next = undefined;
        return this.sync(nowMs, urgent);
      });
      this.#next = next;
      return next;
    }
    const syncing = this.#sync(nowMs, urgent).finally(() => (this.#syncing = undefined));
    this.#syncing = syncing;
    return syncing;
  }

  /** A sync is on its way. */
  get syncing(): boolean {
    return this.#syncing !== undefined;
  }

  async #sync(nowMs: number, urgent: boolean): Promise<void> {
    const sentAtMs = this.#now();
    const reports = [...this.#pending.entries()];
    const asked = [...this.#asked.entries()];
    this.#pending.clear();
    this.#asked.clear();
    const args: Array<string | number> = [nowMs, this.#options.maxPages, this.#options.pick ?? 16, Math.random(), reports.length];
    for (const [shard, r] of reports) args.push(shard, r.ver, r.nextAt, r.queued, r.leased, r.back, r.pool, r.force ? 1 : 0);
    for (const [shard, tokens] of asked) args.push(shard, tokens);
    let reply: Array<string | number>;
    try {
      reply = await this.#call(args, urgent);
    } catch (error) {
      // Not sent: keep them for the next sync (a report newer than it meanwhile wins).
      for (const [shard, r] of reports) if (!this.#pending.has(shard)) this.#pending.set(shard, r);
      for (const [shard, tokens] of asked) this.ask(shard, tokens);
      throw error;
    }
    this.#syncedAtMs = sentAtMs;
    this.remaining = Number(reply[0]);
    this.active = Number(reply[1]);
    this.#first = Number(reply[2]) < 0 ? undefined : { at: Number(reply[2]), shard: Number(reply[3]) };
    this.pooled = Number(reply[4]);
    let i = 5;
    for (const [shard] of asked) this.#given.set(shard, Number(reply[i++]));
    for (; i + 1 < reply.length; i += 2) {
      const shard = Number(reply[i]);
      this.#given.set(shard, Number(reply[i + 1]));
      if (!this.#view.has(shard) || this.#view.get(shard)! > nowMs) this.#view.set(shard, nowMs);
    }
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }
}

/** The report at the head of a shard script's reply, and the rest. */
export function splitReply(reply: Array<string | number>): { report: ShardReport; rest: Array<string | number> } {
  const [ver, nextAt, queued, leased, back, pool] = reply.slice(0, 6).map(Number) as [number, number, number, number, number, number];
  return { report: { ver, nextAt, queued, leased, back, pool }, rest: reply.slice(6) };
}
