/**
 * Child-process entry for one benchmark crawl: a fresh process per crawl, so
 * a run's heap and RSS never carry over into the next one. argv[2] is the
 * JSON of `CrawlBenchOptions`; sends `{ ok: true, result }` or
 * `{ ok: false, error }` and exits.
 */
import { runCrawlBench, type CrawlBenchOptions } from './crawl-bench.js';

const options = JSON.parse(process.argv[2] ?? '{}') as CrawlBenchOptions;
try {
  const result = await runCrawlBench(options);
  process.send?.({ ok: true, result }, () => process.disconnect());
} catch (error) {
  process.send?.({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () => process.disconnect());
}
