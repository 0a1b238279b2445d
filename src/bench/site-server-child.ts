/**
 * Child-process entry that serves the generated site for the benchmarks, so
 * the server's CPU is not counted as the crawler's (on a 2-core machine it
 * still competes for the cores: the benchmark reports its CPU separately).
 *
 * Protocol over the fork IPC channel: argv[2] is the JSON of
 * `SiteServerChildOptions`; the child sends `{ url }` once listening, answers
 * `"close"` by closing and exiting, and exits when the parent goes away.
 */
import { createGeneratedSite } from '../demo/generated-site.js';
import { startSiteServer } from '../demo/site-server.js';
import type { SiteServerChildOptions } from './site-server-process.js';

const options = JSON.parse(process.argv[2] ?? '{}') as SiteServerChildOptions;
const site = createGeneratedSite({
  pages: options.pages,
  ...(options.pageBytes !== undefined ? { pageBytes: options.pageBytes } : {}),
  ...(options.linksPerPage !== undefined ? { linksPerPage: options.linksPerPage } : {}),
  ...(options.cacheBytes !== undefined ? { cacheBytes: options.cacheBytes } : {}),
});
const server = await startSiteServer({ site, ...(options.latencyMs !== undefined ? { latencyMs: options.latencyMs } : {}) });

async function shutdown(): Promise<void> {
  await server.close().catch(() => undefined);
  process.exit(0);
}

process.on('message', (message) => {
  if (message === 'close') void shutdown();
});
process.on('disconnect', () => void shutdown());
process.send?.({ url: server.url });
