/**
 * Counts what happened by subscribing to the event bus, and builds the
 * summary. The progress display and `--json` output read from here.
 */
import type { CrawlEventBus, CrawlSummary, SeedProblem } from './events.js';
import { wasFetched } from './records.js';
import type { PageRecord, ReasonCode } from './types.js';

/** Seed problems kept for the summary (the first ones). */
const MAX_SEED_PROBLEMS = 5;

export interface LiveStats {
  ok: number;
  failed: number;
  skipped: number;
  /** Records of pages fetched (not `fetched: false`). */
  fetched: number;
  dropped: number;
  bytes: number;
  reasons: Partial<Record<ReasonCode, number>>;
  droppedReasons: Partial<Record<ReasonCode, number>>;
  seeds: CrawlSummary['seeds'];
  seedRedirects: Array<{ seed: string; url: string }>;
  /** Off-site links checked (`scope.checkExternal`), by outcome. */
  external: { ok: number; failed: number; skipped: number };
}

export class CrawlStats {
  readonly live: LiveStats = {
    ok: 0,
    failed: 0,
    skipped: 0,
    fetched: 0,
    dropped: 0,
    bytes: 0,
    reasons: {},
    droppedReasons: {},
    seeds: { finished: 0, reached: 0, problems: [] },
    seedRedirects: [],
    external: { ok: 0, failed: 0, skipped: 0 },
  };
  readonly startedAtMs: number;
  readonly #unsubscribe: Array<() => void> = [];

  constructor(events: CrawlEventBus, nowMs = Date.now()) {
    this.startedAtMs = nowMs;
    const live = this.live;
    const drop = (reason: ReasonCode, count: number) => {
      live.dropped += count;
      live.droppedReasons[reason] = (live.droppedReasons[reason] ?? 0) + count;
    };
    this.#unsubscribe.push(
      events.on('page:stored', ({ record }) => {
        live[record.outcome]++;
        live.bytes += record.bytes;
        if (wasFetched(record)) live.fetched++;
        if (record.reason) live.reasons[record.reason] = (live.reasons[record.reason] ?? 0) + 1;
        if (record.depth === 0) this.#seed(record);
      }),
      events.on('request:dropped', ({ reason }) => drop(reason, 1)),
      events.on('page:parsed', ({ dropped }) => {
        for (const [reason, count] of Object.entries(dropped ?? {})) drop(reason as ReasonCode, count);
      }),
      events.on('seed:redirected', (redirect) => void live.seedRedirects.push(redirect)),
      events.on('external:checked', ({ record }) => void live.external[record.outcome]++),
    );
  }

  get done(): number {
    return this.live.ok + this.live.failed + this.live.skipped;
  }

  summary(input: { name: string; dataDir: string; endReason: CrawlSummary['endReason']; queued: number; nowMs?: number }): CrawlSummary {
    const finishedAtMs = input.nowMs ?? Date.now();
    const durationMs = Math.max(1, finishedAtMs - this.startedAtMs);
    const { seeds, fetched } = this.live;
    return {
      name: input.name,
      startedAt: new Date(this.startedAtMs).toISOString(),
      finishedAt: new Date(finishedAtMs).toISOString(),
      durationMs,
      endReason: input.endReason,
      pages: { ok: this.live.ok, failed: this.live.failed, skipped: this.live.skipped },
      fetched,
      reasons: { ...this.live.reasons },
      dropped: { ...this.live.droppedReasons },
      seeds: { finished: seeds.finished, reached: seeds.reached, problems: [...seeds.problems] },
      ...(this.live.seedRedirects.length > 0 ? { seedRedirects: [...this.live.seedRedirects] } : {}),
      ...(this.live.external.ok + this.live.external.failed + this.live.external.skipped > 0 ? { external: { ...this.live.external } } : {}),
      queued: input.queued,
      bytes: this.live.bytes,
      pagesPerSecond: Math.round((fetched / durationMs) * 1000 * 10) / 10,
      dataDir: input.dataDir,
    };
  }

  close(): void {
    for (const off of this.#unsubscribe) off();
  }

  /** A depth-0 record (a seed or a sitemap URL): did it get an answer (2xx/3xx), and if not, why. */
  #seed(record: PageRecord): void {
    const seeds = this.live.seeds;
    seeds.finished++;
    if (wasFetched(record) && record.status !== undefined && record.status >= 200 && record.status < 400) {
      seeds.reached++;
      return;
    }
    if (record.outcome === 'ok' || seeds.problems.length >= MAX_SEED_PROBLEMS) return;
    const problem: SeedProblem = { url: record.url, outcome: record.outcome, reason: record.reason ?? 'http-error', message: record.error?.message ?? `HTTP ${record.status ?? '?'}` };
    seeds.problems.push(problem);
  }
}
