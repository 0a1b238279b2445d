/**
 * Runs a crawl in the foreground: progress, signals, summary, exit code.
 * First Ctrl-C / SIGTERM / SIGHUP (a closed terminal): stop admitting, finish
 * in-flight pages (bounded), flush, print the summary, exit 130. Second: exit
 * at once (what was flushed stays valid). A run whose every seed failed exits 4.
 */
import type { CrawlConfig } from '../config/schema.js';
import { createCrawler, type CreateCrawlerOptions } from '../core/create-crawler.js';
import { applyCrawlHeapPolicy } from '../core/heap-policy.js';
import type { CrawlSummary } from '../core/events.js';
import { nothingCrawled, type NextStepContext } from './next-steps.js';
import { Reporter } from './reporter.js';

export const EXIT_INTERRUPTED = 130;
/** Every seed failed (unreachable, an error status, robots.txt): nothing was crawled. */
export const EXIT_NOTHING_CRAWLED = 4;

/** The signals that stop a crawl gracefully (and exit 130). */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface OutputOptions {
  quiet?: boolean;
  json?: boolean;
  /** How the crawl can go on after this run (the hints printed with the summary). @default 'resume' */
  continueBy?: NextStepContext['continueBy'];
}

export async function runCrawl(config: CrawlConfig, output: OutputOptions, options: CreateCrawlerOptions = {}): Promise<{ code: number; summary: CrawlSummary }> {
  applyCrawlHeapPolicy();
  const handle = await createCrawler(config, options);
  const reporter = new Reporter({
    quiet: Boolean(output.quiet),
    json: Boolean(output.json),
    tty: Boolean(process.stderr.isTTY) && !output.json,
    next: { dataDir: config.dataDir, maxPages: config.scope.maxPages, continueBy: output.continueBy ?? 'resume' },
  });
  reporter.attach(handle.events, () => handle.progress(), config.scope.maxPages);
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) handle.stop(signal === 'SIGINT' ? 'Ctrl-C' : signal);
    else process.exit(EXIT_INTERRUPTED);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  try {
    const summary = await handle.run();
    reporter.finish(summary);
    const code = summary.endReason === 'interrupted' ? EXIT_INTERRUPTED : nothingCrawled(summary) ? EXIT_NOTHING_CRAWLED : 0;
    return { code, summary };
  } finally {
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
    reporter.close();
    await handle.close();
  }
}
