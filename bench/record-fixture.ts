/**
 * Records the project's own offline fixture with skein itself: serves a small
 * generated site (gzip-encoded pages) on 127.0.0.1, crawls it with `record`,
 * and writes test/fixtures/replay/demo-site.json. The port is fixed so that a
 * re-recording diffs only where the site changed.
 *
 *   npm run build && node dist/bench/record-fixture.js [--out <file>] [--port <n>] [--pages <n>]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { validateConfig } from '../src/config/load-config.js';
import { createCrawler } from '../src/core/create-crawler.js';
import { createGeneratedSite, type GeneratedSiteOptions } from '../src/demo/generated-site.js';
import { startSiteServer } from '../src/demo/site-server.js';

/** The site behind demo-site.json (test/replay/demo-fixture.test.ts rebuilds it to check the replay). */
export const DEMO_FIXTURE_SITE: GeneratedSiteOptions = { pages: 40, pageBytes: 3_000, linksPerPage: 12, seed: 42 };
export const DEMO_FIXTURE_PORT = 47_321;
export const DEMO_FIXTURE_PATH = 'test/fixtures/replay/demo-site.json';

/** Records `pages` of the demo site to `out`; resolves with what was written. */
export async function recordDemoFixture(options: { out: string; port: number; pages: number }): Promise<{ pages: number; exchanges: string; ms: number }> {
  const server = await startSiteServer({ site: createGeneratedSite({ ...DEMO_FIXTURE_SITE, pages: options.pages }), port: options.port, gzip: true });
  const dataDir = await mkdtemp(join(tmpdir(), 'skein-record-'));
  const startedMs = performance.now();
  try {
    // One request at a time: the same discovery order (depth, referrer) in every replay.
    const config = validateConfig({ name: 'demo-site', dataDir, seeds: [`${server.url}/`], fetch: { concurrency: 1, perHostParallelism: 1 } });
    const handle = await createCrawler(config, { record: options.out });
    let exchanges = '';
    handle.events.on('log', ({ message }) => {
      if (message.startsWith('recorded ')) exchanges = message;
    });
    try {
      const summary = await handle.run();
      if (summary.endReason !== 'done' || summary.pages.failed > 0) throw new Error(`the recording crawl did not finish cleanly: ${JSON.stringify(summary)}`);
      return { pages: summary.pages.ok + summary.pages.skipped, exchanges, ms: performance.now() - startedMs };
    } finally {
      await handle.close();
    }
  } finally {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

function flag(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index > 0 ? process.argv[index + 1] : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await recordDemoFixture({
    out: flag('--out') ?? DEMO_FIXTURE_PATH,
    port: Number(flag('--port') ?? DEMO_FIXTURE_PORT),
    pages: Number(flag('--pages') ?? DEMO_FIXTURE_SITE.pages),
  });
  console.log(`${result.pages} pages crawled in ${result.ms.toFixed(0)} ms; ${result.exchanges}`);
}
