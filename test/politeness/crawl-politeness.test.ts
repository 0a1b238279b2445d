/**
 * Politeness through the real pipeline against local scripted sites: robots.txt rules and
 * status handling, Crawl-delay and delayMs spacing (asserted on the server's request times),
 * the Crawl-delay clamp, host give-up without head-of-line blocking, sitemaps, meta robots /
 * X-Robots-Tag / rel=nofollow / rel=canonical, and the User-Agent.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import type { CrawlConfigInput } from '../../src/config/schema.js';
import type { PageRecord } from '../../src/core/types.js';
import { runCrawl, testConfig, type CrawlRun } from '../helpers/crawl-helpers.js';
import { htmlPage, minGapMs, siteSuite, type SiteRoute } from '../helpers/faults-site.js';

/** Spacing tolerance: request dispatch latency varies by a few ms, more on a loaded machine. */
const TOLERANCE_MS = 60;

const robotsTxt = (body: string): SiteRoute => ({ type: 'text/plain', body });
const page = (title: string, links: string[] = [], head = ''): SiteRoute => ({ body: htmlPage(title, links, head) });

interface CrawlResult extends CrawlRun {
  logs: string[];
  gaveUp: string[];
}

type Input = Pick<CrawlConfigInput, 'scope' | 'fetch' | 'politeness' | 'parser'>;

describe('politeness in real crawls', () => {
  const suite = siteSuite();
  const site = suite.site;
  let crawls = 0;

  /** Crawls with inline parsing and sitemaps off unless `input` says otherwise. */
  async function crawlOf(seeds: string[], input: Input = {}): Promise<CrawlResult> {
    const name = `crawl-${++crawls}`;
    const config = testConfig(suite.dataDir, {
      ...input,
      name,
      seeds,
      parser: { mode: 'inline', ...input.parser },
      politeness: { sitemaps: false, ...input.politeness },
    } as Parameters<typeof testConfig>[1]);
    const logs: string[] = [];
    const gaveUp: string[] = [];
    const run = await runCrawl(config, (events) => {
      events.on('log', (e) => logs.push(`${e.level}: ${e.message}`));
      events.on('host:gave-up', (e) => gaveUp.push(e.host));
    });
    return { ...run, logs, gaveUp };
  }

  const privateSite = () =>
    site({
      '/robots.txt': robotsTxt('User-agent: *\nDisallow: /private\n'),
      '/': page('Home', ['/public', '/private/a', '/private/b']),
      '/public': page('Public'),
      '/private/a': page('Private A'),
      '/private/b': page('Private B'),
    });

  test('robots.txt: disallowed paths are never requested and are stored as skipped robots; the User-Agent names skein', async () => {
    const s = await privateSite();
    const { records, summary } = await crawlOf([s.url + '/']);
    assert.equal(summary.endReason, 'done');
    assert.deepEqual(s.log.filter((hit) => hit.path.startsWith('/private')), []);
    for (const path of ['/private/a', '/private/b']) {
      const r = records.get(s.url + path);
      assert.equal(r?.outcome, 'skipped', path);
      assert.equal(r?.reason, 'robots', path);
      assert.match(r?.error?.message ?? '', /\/private/);
    }
    assert.equal(records.get(s.url + '/public')?.outcome, 'ok');
    assert.equal(s.log.filter((hit) => hit.path === '/robots.txt').length, 1, 'robots.txt fetched once');
    for (const hit of s.log) assert.match(hit.userAgent, /^skein\/\S+ \(\+https?:\/\/\S+\)$/, hit.path);
  });

  test('respectRobots false (--ignore-robots) fetches disallowed paths and never asks for robots.txt', async () => {
    const s = await privateSite();
    const { records } = await crawlOf([s.url + '/'], { politeness: { respectRobots: false } });
    for (const path of ['/private/a', '/private/b']) assert.equal(records.get(s.url + path)?.outcome, 'ok', path);
    assert.equal(s.log.filter((hit) => hit.path === '/robots.txt').length, 0);
  });

  test('a 5xx robots.txt blocks the host until robots.txt is fetched again', async () => {
    const s = await site({
      '/robots.txt': (n) => (n === 0 ? { status: 503, type: 'text/plain', body: 'down' } : { type: 'text/plain', body: 'User-agent: *\nAllow: /\n' }),
      '/': page('Home', ['/a']),
      '/a': page('A'),
    });
    const { records } = await crawlOf([s.url + '/'], { fetch: { retries: 2 }, politeness: { maxBackoffMs: 400 } });
    const robots = s.log.filter((hit) => hit.path === '/robots.txt');
    assert.equal(robots.length, 2);
    assert.ok(robots[1]!.atMs - robots[0]!.atMs >= 400 - TOLERANCE_MS, 'retried after the unavailable period');
    assert.ok(s.pageHits().every((hit) => hit.atMs >= robots[1]!.atMs), 'no page requested while robots.txt was failing');
    assert.equal(records.get(s.url + '/')?.outcome, 'ok');
    assert.equal(records.get(s.url + '/a')?.outcome, 'ok');
  });

  test('Crawl-delay spaces consecutive requests: sitemap seeds that start together and a 429 retry included', async () => {
    let base = '';
    const s = await site({
      '/robots.txt': robotsTxt('User-agent: *\nCrawl-delay: 0.25\n'),
      // Four depth-0 requests are leased at once, before anyone knows the Crawl-delay.
      '/sitemap.xml': () => ({ type: 'text/plain', body: ['/busy', '/p1', '/p2'].map((p) => base + p).join('\n') }),
      '/': page('Home', ['/p1', '/p2', '/p3', '/busy']),
      '/p1': page('P1'),
      '/p2': page('P2'),
      '/p3': page('P3'),
      '/busy': (n) => (n === 0 ? { status: 429, type: 'text/plain', body: 'slow down', headers: { 'Retry-After': '0' } } : { body: htmlPage('Busy') }),
    });
    base = s.url;
    const { records } = await crawlOf([s.url + '/'], { fetch: { perHostParallelism: 8, retries: 1 }, politeness: { sitemaps: true } });
    const hits = s.pageHits();
    assert.equal(hits.length, 6, hits.map((h) => h.path).join(' '));
    assert.ok(minGapMs(hits) >= 250 - TOLERANCE_MS, `gap ${minGapMs(hits)} ms`);
    assert.equal(records.get(s.url + '/busy')?.outcome, 'ok', 'the 429 was retried (putting a request back for the Crawl-delay costs no attempt)');
    assert.equal([...records.values()].filter((r) => r.outcome === 'ok').length, 5);
  });

  test('politeness.delayMs spaces consecutive requests', async () => {
    const s = await site({ '/': page('Home', ['/p1', '/p2', '/p3']), '/p1': page('P1'), '/p2': page('P2'), '/p3': page('P3') });
    await crawlOf([s.url + '/'], { fetch: { perHostParallelism: 8 }, politeness: { delayMs: 200 } });
    const hits = s.pageHits();
    assert.equal(hits.length, 4);
    assert.ok(minGapMs(hits) >= 200 - TOLERANCE_MS, `gap ${minGapMs(hits)} ms`);
  });

  test('a Crawl-delay above maxCrawlDelayMs is clamped, and the clamp is logged once', async () => {
    const s = await site({
      '/robots.txt': robotsTxt('User-agent: *\nCrawl-delay: 30\n'),
      '/': page('Home', ['/p1', '/p2', '/p3']),
      '/p1': page('P1'),
      '/p2': page('P2'),
      '/p3': page('P3'),
    });
    const { logs, wallMs } = await crawlOf([s.url + '/'], { fetch: { perHostParallelism: 8 }, politeness: { maxCrawlDelayMs: 150 } });
    const hits = s.pageHits();
    assert.equal(hits.length, 4);
    assert.ok(minGapMs(hits) >= 150 - TOLERANCE_MS, `gap ${minGapMs(hits)} ms`);
    assert.ok(wallMs < 10_000, `${wallMs} ms: the 30 s delay was not clamped`);
    const clamps = logs.filter((line) => /clamped/i.test(line));
    assert.equal(clamps.length, 1, logs.join('\n'));
    assert.match(clamps[0]!, /^warn: .*30000 ms.*150 ms/);
  });

  test('a host failing with 503 is given up; a healthy host in the same crawl is not held back', async () => {
    const sickRoutes: Record<string, SiteRoute> = {};
    for (let i = 0; i < 6; i++) sickRoutes[`/s${i}`] = { status: 503, type: 'text/plain', body: 'down', headers: { 'Retry-After': '2' } };
    const sick = await site(sickRoutes);
    const healthyPaths = Array.from({ length: 15 }, (_, i) => `/h${i + 1}`);
    const healthyRoutes: Record<string, SiteRoute> = { '/': page('Healthy', healthyPaths) };
    for (const path of healthyPaths) healthyRoutes[path] = page(path);
    const healthy = await site(healthyRoutes);
    const seeds = [...Object.keys(sickRoutes).map((path) => sick.url + path), healthy.url + '/'];
    const { records, gaveUp } = await crawlOf(seeds, {
      scope: { mode: 'any' },
      fetch: { retries: 0, concurrency: 4, perHostParallelism: 1 },
      politeness: { hostMaxFailures: 2 },
    });

    const sickHits = sick.pageHits();
    assert.equal(sickHits.length, 2, 'given up after two failures');
    assert.ok(sickHits[1]!.atMs - sickHits[0]!.atMs >= 2_000 - TOLERANCE_MS, 'Retry-After held the sick host back');
    assert.deepEqual(gaveUp, [new URL(sick.url).host]);
    const sickRecords = [...records.values()].filter((r) => r.key.startsWith(sick.url));
    assert.equal(sickRecords.filter((r) => r.outcome === 'failed' && r.status === 503).length, 2);
    const skipped = sickRecords.filter((r) => r.outcome === 'skipped');
    assert.equal(skipped.length, 4);
    assert.ok(skipped.every((r) => r.reason === 'host-gave-up'));

    const healthyHits = healthy.pageHits();
    assert.equal(healthyHits.length, 16);
    assert.ok([...records.values()].filter((r) => r.key.startsWith(healthy.url)).every((r) => r.outcome === 'ok'));
    const lastHealthyMs = Math.max(...healthyHits.map((hit) => hit.atMs));
    assert.ok(lastHealthyMs < sickHits[0]!.atMs + 2_000 - TOLERANCE_MS, 'the healthy host waited on the sick one');
  });

  test('a host that cannot be reached (refused on robots.txt) is given up at its first failure; its URLs found later are skipped without a fetch', async () => {
    const dead = await site({});
    await dead.close(); // nothing listens on its port any more: connection refused
    const healthy = await site({ '/': page('Home', ['/h1']), '/h1': page('H1', ['/h2']), '/h2': page('H2', [`${dead.url}/late`]) });
    const { records, gaveUp } = await crawlOf([`${dead.url}/s0`, `${dead.url}/s1`, `${dead.url}/s2`, healthy.url + '/'], {
      scope: { mode: 'any' },
      fetch: { retries: 0, perHostParallelism: 1 },
      // The healthy host reaches /h2 (which links the dead host) well after the dead host was given up.
      politeness: { hostMaxFailures: 5, delayMs: 200 },
    });
    assert.deepEqual(gaveUp, [new URL(dead.url).host]);
    const deadRecords = [...records.values()].filter((r) => r.key.startsWith(dead.url));
    assert.deepEqual(deadRecords.filter((r) => r.outcome === 'failed').map((r) => r.reason), ['connection'], 'not hostMaxFailures: one refusal on first contact');
    const skipped = deadRecords.filter((r) => r.outcome === 'skipped').map((r) => r.key.slice(dead.url.length)).sort();
    assert.deepEqual(skipped, ['/late', '/s1', '/s2']);
    assert.ok(deadRecords.every((r) => r.fetched === false), 'nothing of the dead host was fetched');
    assert.ok(deadRecords.every((r) => r.outcome !== 'skipped' || r.reason === 'host-gave-up'));
    assert.equal(records.get(healthy.url + '/h2')?.outcome, 'ok');
  });

  test('sitemaps (robots Sitemap: index, gzip, /sitemap.xml) seed pages nobody links, only when enabled', async () => {
    let base = '';
    const urlset = (...paths: string[]): string =>
      `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${paths.map((p) => `<url><loc>${base}${p}</loc></url>`).join('')}</urlset>`;
    const s = await site({
      '/robots.txt': () => ({ type: 'text/plain', body: `User-agent: *\nAllow: /\nSitemap: ${base}/sitemap-index.xml\n` }),
      '/sitemap-index.xml': () => ({
        type: 'application/xml',
        body: `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>${base}/sitemap-a.xml.gz</loc></sitemap><sitemap><loc>${base}/sitemap-b.xml</loc></sitemap></sitemapindex>`,
      }),
      '/sitemap-a.xml.gz': () => ({ type: 'application/gzip', body: gzipSync(urlset('/from-gzip')) }),
      '/sitemap-b.xml': () => ({ type: 'application/xml', body: urlset('/from-index') }),
      '/sitemap.xml': () => ({ type: 'application/xml', body: urlset('/from-default') }),
      '/': page('Home', ['/linked']),
      '/linked': page('Linked'),
      '/from-gzip': page('From gzip'),
      '/from-index': page('From index'),
      '/from-default': page('From default'),
    });
    base = s.url;
    const sitemapOnly = ['/from-gzip', '/from-index', '/from-default'];

    const on = await crawlOf([s.url + '/'], { politeness: { sitemaps: true } });
    for (const path of sitemapOnly) assert.equal(on.records.get(s.url + path)?.outcome, 'ok', path);
    assert.equal(on.records.get(s.url + '/linked')?.outcome, 'ok');
    assert.deepEqual(on.logs.filter((line) => line.includes('sitemap')), []);

    const before = s.log.length;
    const off = await crawlOf([s.url + '/'], { politeness: { sitemaps: false } });
    const offPaths = s.log.slice(before).map((hit) => hit.path);
    for (const path of sitemapOnly) assert.equal(off.records.has(s.url + path), false, path);
    assert.deepEqual(offPaths.filter((path) => path.startsWith('/sitemap') || path.startsWith('/from-')), []);
    assert.equal(off.records.get(s.url + '/linked')?.outcome, 'ok');
  });

  const robotsMetaSite = () =>
    site({
      '/': page('Home', ['/noindex', '/nofollow', '/xr-noindex', '/xr-nofollow', '/canonical', '/rel-target|nofollow external']),
      '/noindex': page('Noindex', ['/after-noindex'], '<meta name="robots" content="noindex">'),
      '/nofollow': page('Nofollow', ['/after-nofollow'], '<meta name="ROBOTS" content="follow, NOFOLLOW">'),
      '/xr-noindex': { body: htmlPage('XR noindex', ['/after-xr-noindex']), headers: { 'X-Robots-Tag': 'noindex' } },
      '/xr-nofollow': { body: htmlPage('XR nofollow', ['/after-xr-nofollow']), headers: { 'X-Robots-Tag': 'nofollow' } },
      '/canonical': page('Canonical', [], '<link rel="canonical" href="/canonical-target?utm_source=x">'),
      '/rel-target': page('Rel target'),
      '/after-noindex': page('After noindex'),
      '/after-nofollow': page('After nofollow'),
      '/after-xr-noindex': page('After XR noindex'),
      '/after-xr-nofollow': page('After XR nofollow'),
    });

  test('meta robots, X-Robots-Tag and rel=nofollow are respected; rel=canonical is recorded', async () => {
    const s = await robotsMetaSite();
    const { records } = await crawlOf([s.url + '/']);
    const get = (path: string): PageRecord => records.get(s.url + path) ?? assert.fail(`no record for ${path}`);
    for (const path of ['/noindex', '/xr-noindex']) {
      assert.equal(get(path).outcome, 'skipped', path);
      assert.equal(get(path).reason, 'noindex', path);
      assert.equal(get(path).text, undefined, `${path} keeps no text`);
    }
    assert.equal(get('/after-noindex').outcome, 'ok', 'noindex alone still follows links');
    assert.equal(get('/after-xr-noindex').outcome, 'ok');
    assert.equal(get('/nofollow').outcome, 'ok');
    assert.match(get('/nofollow').text ?? '', /Nofollow text/);
    const requested = new Set(s.log.map((hit) => hit.path));
    for (const path of ['/after-nofollow', '/after-xr-nofollow', '/rel-target']) assert.equal(requested.has(path), false, `${path} was followed`);
    assert.equal(get('/canonical').canonical, s.url + '/canonical-target');
    assert.equal(records.has(s.url + '/canonical-target'), false, 'canonical recorded, not crawled');
  });

  test('with respectMetaRobots and respectNofollow off, everything is indexed and followed', async () => {
    const s = await robotsMetaSite();
    const { records } = await crawlOf([s.url + '/'], { politeness: { respectMetaRobots: false, respectNofollow: false } });
    for (const path of ['/noindex', '/xr-noindex', '/after-nofollow', '/after-xr-nofollow', '/rel-target']) {
      assert.equal(records.get(s.url + path)?.outcome, 'ok', path);
    }
    assert.match(records.get(s.url + '/noindex')?.text ?? '', /Noindex text/);
  });
});
