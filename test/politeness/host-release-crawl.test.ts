/**
 * A host is free for its next request once a response has arrived, not once
 * its page has been parsed and stored: a Crawl-delay host is not slowed down
 * by a busy parser (its delay counts from the response).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCrawl, testConfig } from '../helpers/crawl-helpers.js';
import { htmlPage, siteSuite } from '../helpers/faults-site.js';
import { TEST_EXTRACTOR } from '../helpers/parse-pool-helpers.js';

describe('a host released at its response', () => {
  const suite = siteSuite();

  test('a Crawl-delay host sends its next request while the previous page is still being parsed', async () => {
    const pages = ['/a?busyMs=1500', '/b?busyMs=1500', '/c?busyMs=1500'];
    const s = await suite.site({
      '/robots.txt': { type: 'text/plain', body: 'User-agent: *\nCrawl-delay: 0.1\n' },
      '/': { body: htmlPage('Home', pages) },
      ...Object.fromEntries(pages.map((p) => [p, { body: htmlPage(p) }])),
    });
    const config = testConfig(suite.dataDir, {
      name: 'release',
      seeds: [`${s.url}/`],
      parser: { mode: 'process', workers: 2 },
      politeness: { sitemaps: false },
      extract: { module: TEST_EXTRACTOR },
    });
    const storedAt = new Map<string, number>();
    const { records } = await runCrawl(config, (events) => events.on('page:stored', ({ record }) => storedAt.set(new URL(record.key).pathname + new URL(record.key).search, Date.now())));
    assert.equal([...records.values()].filter((r) => r.outcome === 'ok').length, 4);
    const hits = s.pageHits().filter((hit) => hit.path !== '/');
    assert.deepEqual(hits.map((hit) => hit.path).sort(), [...pages].sort());
    // Each page takes 1.5 s to parse, the host's delay is 0.1 s: the next page is requested before the previous one is stored.
    for (let i = 1; i < hits.length; i++) {
      const previousStored = storedAt.get(hits[i - 1]!.path)!;
      assert.ok(hits[i]!.atMs < previousStored, `${hits[i]!.path} requested ${hits[i]!.atMs - previousStored} ms after ${hits[i - 1]!.path} was stored`);
    }
  });
});
