/**
 * Child-process entry of the broad-crawl benchmark: runs one crawl (its
 * validated config as JSON in argv[2]) so that the parent can sample this
 * process tree alone (crawler and parser workers, no server, no truth), and
 * sends `{ summary, wallMs, startedAtMs }` back over IPC.
 */
import { performance } from 'node:perf_hooks';
import type { CrawlConfig } from '../../../src/config/schema.js';
import { createCrawler } from '../../../src/index.js';

const config = JSON.parse(process.argv[2] ?? '{}') as CrawlConfig;
process.on('disconnect', () => process.exit(1));
process.send?.({ type: 'ready' });
await new Promise((resolve) => process.once('message', resolve));
const handle = await createCrawler(config);
const started = performance.now();
try {
  const summary = await handle.run();
  const result = { type: 'result', summary, wallMs: Math.round(performance.now() - started), startedAtMs: Math.round(performance.timeOrigin + started) };
  await new Promise((resolve) => process.send?.(result, resolve));
} finally {
  await handle.close();
}
// The IPC channel would keep this process alive: the crawl is over.
process.exit(0);
