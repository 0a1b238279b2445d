/**
 * Counts what happened by subscribing to the event bus, and builds the
 * summary. The progress display and `--json` output read from here.
 */
import type { CrawlEventBus, CrawlSummary } from './events.js';
import type { ReasonCode } from './types.js';

export interface LiveStats {
  ok: number;
  failed: number;
  skipped: number;
  dropped: number;
  bytes: number;
  reasons: Partial<Record<ReasonCode, number>>;
  droppedReasons: Partial<Record<ReasonCode, number>>;
  seedRedirects: Array<{ seed: string; url: string }>;
}

export class CrawlStats {
  readonly live: LiveStats = { ok: 0, failed: 0, skipped: 0, dropped: 0, bytes: 0, reasons: {}, droppedReasons: {}, seedRedirects: [] };
  readonly startedAtMs: number;
  readonly #unsubscribe: Array<() => void> = [];

  constructor(events: CrawlEventBus, nowMs = Date.now()) {
    this.startedAtMs = nowMs;
    const live = this.live;
    this.#unsubscribe.push(
      events.on('page:stored', ({ record }) => {
        live[record.outcome]++;
        live.bytes += record.bytes;
        if (record.reason) live.reasons[record.reason] = (live.reasons[record.reason] ?? 0) + 1;
      }),
      events.on('request:dropped', ({ reason }) => {
        live.dropped++;
        live.droppedReasons[reason] = (live.droppedReasons[reason] ?? 0) + 1;
      }),
      events.on('seed:redirected', (redirect) => void live.seedRedirects.push(redirect)),
    );
  }

  get done(): number {
    return this.live.ok + this.live.failed + this.live.skipped;
  }

  summary(input: { name: string; dataDir: string; endReason: CrawlSummary['endReason']; queued: number; nowMs?: number }): CrawlSummary {
    const finishedAtMs = input.nowMs ?? Date.now();
    const durationMs = Math.max(1, finishedAtMs - this.startedAtMs);
    const fetched = this.live.ok + this.live.failed;
    return {
      name: input.name,
      startedAt: new Date(this.startedAtMs).toISOString(),
      finishedAt: new Date(finishedAtMs).toISOString(),
      durationMs,
      endReason: input.endReason,
      pages: { ok: this.live.ok, failed: this.live.failed, skipped: this.live.skipped },
      reasons: { ...this.live.reasons },
      dropped: { ...this.live.droppedReasons },
      ...(this.live.seedRedirects.length > 0 ? { seedRedirects: [...this.live.seedRedirects] } : {}),
      queued: input.queued,
      bytes: this.live.bytes,
      pagesPerSecond: Math.round((fetched / durationMs) * 1000 * 10) / 10,
      dataDir: input.dataDir,
    };
  }

  close(): void {
    for (const off of this.#unsubscribe) off();
  }
}
