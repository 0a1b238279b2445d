/**
 * The progress display and the final summary. Subscribes to the crawl's
 * events and polls its progress; the engine never calls it. Progress goes to
 * stderr so that stdout carries only data (`--json`, exports).
 */
import { createRequire } from 'node:module';
import type cliProgressModule from 'cli-progress';
import type { CrawlProgress } from '../core/crawler.js';
import type { CrawlEventBus, CrawlSummary } from '../core/events.js';
import { nextSteps, nothingCrawled, type NextStepContext } from './next-steps.js';

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
  #bar: cliProgressModule.SingleBar | undefined;
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
      events.on('host:gave-up', ({ host, reason }) => {
        if (!quiet) this.#line(`warn: gave up on ${host}: ${reason} (its URLs are recorded as skipped, host-gave-up)`);
      }),
      events.on('crawl:stopping', ({ reason }) => {
        if (!quiet) this.#line(`stopping (${reason}): finishing in-flight pages; press Ctrl-C again to exit at once`);
      }),
    );
    if (quiet) return;
    if (tty) {
      // Loaded only for a terminal: a piped or quiet crawl never needs the bar.
      const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof cliProgressModule;
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
    if (this.#options.json) (this.#options.stdout ?? process.stdout).write(JSON.stringify(summary, null, 2) + '\n');
    else if (!this.#options.quiet) return void this.#stderr.write(formatSummary(summary, this.#options.next));
    // Nothing crawled is an error: said even with --quiet or --json.
    const nothing = nothingCrawled(summary);
    if (nothing) this.#stderr.write(nothing.join('\n') + '\n');
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
  const { pages } = summary;
  const lines = [
    '',
    `crawl "${summary.name}" ${summary.endReason} in ${(summary.durationMs / 1000).toFixed(1)} s`,
    `  pages: ${pages.ok} ok, ${pages.failed} failed, ${pages.skipped} skipped; ${summary.fetched} fetched (${summary.pagesPerSecond} pages/s, ${formatBytes(summary.bytes)})`,
  ];
  for (const { seed, url } of summary.seedRedirects ?? []) lines.push(`  seed ${seed} redirected to ${url}: ${new URL(url).host} crawled as a seed host`);
  const reasons = byCount(summary.reasons);
  if (reasons) lines.push(`  by reason: ${reasons}`);
  const dropped = byCount(summary.dropped);
  if (dropped) lines.push(`  links not followed: ${dropped}`);
  const external = summary.external;
  if (external) lines.push(`  external links checked: ${external.ok + external.failed + external.skipped} (${external.ok} ok, ${external.failed} failed, ${external.skipped} skipped)`);
  if (pages.ok + pages.failed + pages.skipped === 0 && summary.queued === 0 && summary.seeds.finished === 0) lines.push('  nothing was left to crawl');
  lines.push(...(nothingCrawled(summary) ?? []).map((line) => `  ${line}`));
  lines.push(...nextSteps(summary, next), '');
  return lines.join('\n');
}

/** `offsite 120, duplicate 40, depth 3`: most frequent first; undefined when empty. */
function byCount(counts: Partial<Record<string, number>>): string | undefined {
  const entries = Object.entries(counts).filter((entry): entry is [string, number] => (entry[1] ?? 0) > 0);
  if (entries.length === 0) return undefined;
  return entries
    .sort((a, b) => b[1] - a[1])
    .map(([reason, count]) => `${reason} ${count}`)
    .join(', ');
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
