/**
 * The progress display and the final summary. Subscribes to the crawl's
 * events and polls its progress; the engine never calls it. Progress goes to
 * stderr so that stdout carries only data (`--json`, exports).
 */
import cliProgress from 'cli-progress';
import type { CrawlProgress } from '../core/crawler.js';
import type { CrawlEventBus, CrawlSummary } from '../core/events.js';
import { nextSteps, type NextStepContext } from './next-steps.js';

export interface ReporterOptions {
  quiet: boolean;
  json: boolean;
  /** A live bar on a terminal, else a plain line every `plainIntervalMs`. */
  tty: boolean;
  plainIntervalMs?: number;
  /** What the hints after the summary need to know (data dir, limit, how the crawl goes on). */
  next: NextStepContext;
  stderr?: NodeJS.WritableStream;
  stdout?: NodeJS.WritableStream;
}

export class Reporter {
  readonly #options: ReporterOptions;
  readonly #stderr: NodeJS.WritableStream;
  #bar: cliProgress.SingleBar | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #off: Array<() => void> = [];

  constructor(options: ReporterOptions) {
    this.#options = options;
    this.#stderr = options.stderr ?? process.stderr;
  }

  attach(events: CrawlEventBus, progress: () => Promise<CrawlProgress>, maxPages: number): void {
    const { quiet, tty } = this.#options;
    this.#off.push(
      events.on('log', ({ level, message }) => {
        if (level === 'debug' || (quiet && level !== 'error')) return;
        this.#line(`${level}: ${message}`);
      }),
      events.on('crawl:stopping', ({ reason }) => {
        if (!quiet) this.#line(`stopping (${reason}): finishing in-flight pages; press Ctrl-C again to exit at once`);
      }),
    );
    if (quiet) return;
    if (tty) {
      this.#bar = new cliProgress.SingleBar(
        {
          stream: this.#stderr as NodeJS.WriteStream,
          format: '{bar} {done}/{total} pages | ok {ok} failed {failed} skipped {skipped} | queued {queued} | {rate} p/s | in flight {inFlight} | parser {parserBusy} busy, {parserQueued} queued',
          hideCursor: true,
          clearOnComplete: false,
          barsize: 20,
        },
        cliProgress.Presets.shades_classic,
      );
      this.#bar.start(maxPages, 0, this.#payload(undefined));
    }
    const tick = async () => {
      const p = await progress().catch(() => undefined);
      if (!p) return;
      if (this.#bar) {
        // The bar's end is what the crawl can still reach: known work, capped by maxPages.
        this.#bar.setTotal(Math.max(1, Math.min(maxPages, p.done + p.queued + p.inFlight)));
        this.#bar.update(p.done, this.#payload(p));
      }
      else this.#line(`${p.done} done (ok ${p.ok}, failed ${p.failed}, skipped ${p.skipped}), ${p.queued} queued, ${p.inFlight} in flight, ${p.pagesPerSecond} pages/s`);
    };
    this.#timer = setInterval(() => void tick(), tty ? 250 : (this.#options.plainIntervalMs ?? 5_000));
    this.#timer.unref();
  }

  /** Stops the live display and prints the summary (text to stderr, or JSON to stdout). */
  finish(summary: CrawlSummary): void {
    this.#stopDisplay();
    if (this.#options.json) {
      (this.#options.stdout ?? process.stdout).write(JSON.stringify(summary, null, 2) + '\n');
      return;
    }
    if (this.#options.quiet) return;
    this.#stderr.write(formatSummary(summary, this.#options.next));
  }

  close(): void {
    this.#stopDisplay();
    for (const off of this.#off) off();
  }

  #stopDisplay(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#bar?.stop();
    this.#bar = undefined;
  }

  #line(text: string): void {
    // On a terminal, clear the bar's line first; the next tick redraws it.
    this.#stderr.write((this.#bar ? '\r\x1b[K' : '') + text + '\n');
  }

  #payload(p: CrawlProgress | undefined): Record<string, unknown> {
    return {
      done: p?.done ?? 0,
      ok: p?.ok ?? 0,
      failed: p?.failed ?? 0,
      skipped: p?.skipped ?? 0,
      queued: p?.queued ?? 0,
      rate: p?.pagesPerSecond ?? 0,
      inFlight: p?.inFlight ?? 0,
      parserBusy: p?.parserBusy ?? 0,
      parserQueued: p?.parserQueued ?? 0,
    };
  }
}

export function formatSummary(summary: CrawlSummary, next: NextStepContext): string {
  const lines = [
    '',
    `crawl "${summary.name}" ${summary.endReason} in ${(summary.durationMs / 1000).toFixed(1)} s`,
    `  pages: ${summary.pages.ok} ok, ${summary.pages.failed} failed, ${summary.pages.skipped} skipped (${summary.pagesPerSecond} pages/s, ${formatBytes(summary.bytes)})`,
  ];
  for (const { seed, url } of summary.seedRedirects ?? []) lines.push(`  seed ${seed} redirected to ${url}: ${new URL(url).host} crawled as a seed host`);
  const reasons = Object.entries(summary.reasons);
  if (reasons.length) lines.push(`  by reason: ${reasons.map(([r, n]) => `${r} ${n}`).join(', ')}`);
  const dropped = Object.entries(summary.dropped);
  if (dropped.length) lines.push(`  URLs not queued: ${dropped.map(([r, n]) => `${r} ${n}`).join(', ')}`);
  lines.push(...nextSteps(summary, next), '');
  return lines.join('\n');
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
