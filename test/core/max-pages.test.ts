/**
 * `maxPages` counts pages fetched: URLs robots.txt disallows are recorded as
 * skipped (`fetched: false`) and do not use up the budget, in a crawl and
 * after a resume that raises the limit.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { htmlPage, startScriptedSite, type ScriptedSite } from '../helpers/faults-site.js';
import { runCrawl, tempDirs, testConfig } from '../helpers/crawl-helpers.js';
import type { PageRecord } from '../../src/core/types.js';
import { createCrawler } from '../../src/index.js';

const ids = Array.from({ length: 10 }, (_, i) => i);
const fetched = (records: Map<string, PageRecord>) => [...records.values()].filter((r) => r.fetched !== false);

describe('maxPages counts pages fetched', () => {
  const newDir = tempDirs();
  let site: ScriptedSite;
  before(async () => {
    const routes: Parameters<typeof startScriptedSite>[0] = {
      '/robots.txt': { type: 'text/plain', body: 'User-agent: *\nDisallow: /private/\n' },
      // Private links first: they are leased first, and skipped.
      '/': { body: htmlPage('home', [...ids.map((i) => `/private/${i}`), ...ids.map((i) => `/ok/${i}`)]) },
    };
    for (const i of ids) routes[`/ok/${i}`] = { body: htmlPage(`ok ${i}`) };
    site = await startScriptedSite(routes);
  });
  after(() => site.close());

  test('robots-skipped URLs do not use up --max-pages; a resume that raises it fetches exactly the difference', async () => {
    const dataDir = await newDir();
    const config = testConfig(dataDir, { seeds: [`${site.url}/`], scope: { maxPages: 6 }, politeness: { sitemaps: false }, fetch: { concurrency: 4, perHostParallelism: 4 } });
    const first = await runCrawl(config);
    assert.equal(first.summary.endReason, 'max-pages');
    assert.equal(fetched(first.records).length, 6, 'root + 5 pages fetched');
    const skipped = [...first.records.values()].filter((r) => r.reason === 'robots');
    assert.equal(skipped.length, 10, 'every private URL recorded, none fetched');
    assert.ok(skipped.every((r) => r.fetched === false && r.outcome === 'skipped'));
    assert.equal(site.pageHits().filter((h) => h.path.startsWith('/private/')).length, 0);

    const handle = await createCrawler(testConfig(dataDir, { seeds: [`${site.url}/`], scope: { maxPages: 9 }, politeness: { sitemaps: false } }), { resume: true });
    try {
      await handle.run();
    } finally {
      await handle.close();
    }
    const okHits = site.pageHits().filter((h) => h.path.startsWith('/ok/'));
    assert.equal(okHits.length, 8, '3 more pages: 9 fetched in all (the 10 skipped ones are not counted)');
    assert.equal(new Set(okHits.map((h) => h.path)).size, 8, 'none fetched twice');
  });
});
