/**
 * Runs a crawl in the foreground: progress, signals, summary, exit code.
 * First Ctrl-C / SIGTERM: stop admitting, finish in-flight pages (bounded),
 * flush, print the summary, exit 130. Second: exit at once (what was flushed
 * stays valid).
 */
import type { CrawlConfig } from '../config/schema.js';
import { createCrawler, type CreateCrawlerOptions } from '../core/create-crawler.js';
import type { CrawlSummary } from '../core/events.js';
import { Reporter } from './reporter.js';

export const EXIT_INTERRUPTED = 130;

export interface OutputOptions {
  quiet?: boolean;
  json?: boolean;
}

export async function runCrawl(config: CrawlConfig, output: OutputOptions, options: CreateCrawlerOptions = {}): Promise<{ code: number; summary: CrawlSummary }> {
  const handle = await createCrawler(config, options);
  const reporter = new Reporter({ quiet: Boolean(output.quiet), json: Boolean(output.json), tty: Boolean(process.stderr.isTTY) && !output.json });
  reporter.attach(handle.events, () => handle.progress(), config.scope.maxPages);
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) handle.stop(signal === 'SIGINT' ? 'Ctrl-C' : signal);
    else process.exit(EXIT_INTERRUPTED);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const summary = await handle.run();
    reporter.finish(summary);
    return { code: summary.endReason === 'interrupted' ? EXIT_INTERRUPTED : 0, summary };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    reporter.close();
    await handle.close();
  }
}
