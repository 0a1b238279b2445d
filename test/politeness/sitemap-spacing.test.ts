/**
 * Every request to a host is spaced by its delay, sitemaps included (robots.txt goes first):
 * asserted on a local scripted site's request times.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCrawl, tempDataDir, testConfig } from '../helpers/crawl-helpers.js';
import { htmlPage, minGapMs, startScriptedSite, type ScriptedSite } from '../helpers/faults-site.js';

/** Dispatch latency on a loaded machine. */
const TOLERANCE_MS = 60;

describe('sitemaps are spaced like pages', () => {
  let data: Awaited<ReturnType<typeof tempDataDir>>;
  let site: ScriptedSite;
  before(async () => {
    data = await tempDataDir();
    let base = '';
    const urlset = (paths: string[]) => ({
      type: 'application/xml',
      body: `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${paths.map((p) => `<url><loc>${base}${p}</loc></url>`).join('')}</urlset>`,
    });
    site = await startScriptedSite({
      '/robots.txt': { type: 'text/plain', body: 'User-agent: *\nCrawl-delay: 0.3\nSitemap: /sitemap-index.xml\n' },
      '/sitemap-index.xml': () => ({
        type: 'application/xml',
        body: `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>${base}/sitemap-1.xml</loc></sitemap><sitemap><loc>${base}/sitemap-moved.xml</loc></sitemap></sitemapindex>`,
      }),
      '/sitemap-1.xml': () => urlset(['/a']),
      '/sitemap-moved.xml': { status: 301, headers: { Location: '/sitemap-2.xml' }, body: '' },
      '/sitemap-2.xml': () => urlset(['/b']),
      '/': { body: htmlPage('Home') },
      '/a': { body: htmlPage('A') },
      '/b': { body: htmlPage('B') },
    });
    base = site.url;
  });
  after(async () => {
    await site.close();
    await data.cleanup();
  });

  test('a sitemap index, its children (a redirect hop included), the guessed /sitemap.xml and the pages: all a Crawl-delay apart', async () => {
    const config = testConfig(data.dir, { name: 'sitemaps', seeds: [site.url + '/'], parser: { mode: 'inline' }, fetch: { perHostParallelism: 4 } });
    const { records } = await runCrawl(config);
    assert.equal(records.get(site.url + '/b')?.outcome, 'ok', 'the sitemaps were read');
    const paths = site.log.map((hit) => hit.path);
    assert.equal(paths[0], '/robots.txt', 'robots.txt first (it tells the delay)');
    // Sitemaps are read while the pages are fetched (the seed goes as soon as robots.txt allows it), in turn.
    assert.deepEqual(paths.filter((p) => p.includes('sitemap')), ['/sitemap-index.xml', '/sitemap-1.xml', '/sitemap-moved.xml', '/sitemap-2.xml', '/sitemap.xml']);
    const spaced = site.log.slice(1);
    assert.equal(spaced.length, 8);
    assert.ok(minGapMs(spaced) >= 300 - TOLERANCE_MS, `gaps ${spaced.map((hit, i) => (i ? hit.atMs - spaced[i - 1]!.atMs : 0)).join(', ')} ms`);
  });
});
