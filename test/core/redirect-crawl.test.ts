/**
 * Redirects through the real pipeline against local scripted sites: every hop passes the link
 * gate (scope, traps, robots.txt of the hop's host), is deduplicated with the frontier and waits
 * for its turn on its host; a seed that redirects off its host takes the scope with it.
 * Asserted on the servers' request logs and on the stored records.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CrawlConfigInput } from '../../src/config/schema.js';
import { formatSummary } from '../../src/cli/reporter.js';
import { formatStatus, readCrawlStatus } from '../../src/store/crawl-status.js';
import { createCrawler } from '../../src/index.js';
import { runCrawl, storedRecords, testConfig } from '../helpers/crawl-helpers.js';
import { htmlPage, minGapMs, siteSuite, type ScriptedSite, type SiteRoute } from '../helpers/faults-site.js';

/** Dispatch latency on a loaded machine. */
const TOLERANCE_MS = 60;

const page = (title: string, links: string[] = []): SiteRoute => ({ body: htmlPage(title, links) });
const moved = (location: string, status = 301): SiteRoute => ({ status, headers: { Location: location }, body: 'moved' });
const robotsTxt = (body: string): SiteRoute => ({ type: 'text/plain', body });

type Input = Pick<CrawlConfigInput, 'scope' | 'fetch' | 'politeness'>;

describe('redirects in real crawls', () => {
  const suite = siteSuite();
  const site = (routes: Record<string, SiteRoute>): Promise<ScriptedSite> => suite.site(routes);
  let crawls = 0;
  const hits = (s: ScriptedSite, path: string): number => s.log.filter((hit) => hit.path === path).length;

  /** Inline parsing, sitemaps off, one request at a time per host unless `input` says otherwise. */
  function configOf(seeds: string[], input: Input = {}) {
    return testConfig(suite.dataDir, {
      name: `redirects-${++crawls}`,
      seeds,
      scope: input.scope ?? {},
      fetch: { perHostParallelism: 1, ...input.fetch },
      parser: { mode: 'inline' },
      politeness: { sitemaps: false, ...input.politeness },
    } as Parameters<typeof testConfig>[1]);
  }
  const crawl = (seeds: string[], input?: Input) => runCrawl(configOf(seeds, input));

  test('a redirect into a robots.txt-disallowed path is never followed: the page is skipped robots', async () => {
    const s = await site({
      '/robots.txt': robotsTxt('User-agent: *\nDisallow: /private\n'),
      '/': page('Home', ['/go-private', '/public']),
      '/go-private': moved('/private/secret', 302),
      '/private/secret': page('Secret'),
      '/public': page('Public'),
    });
    const { records } = await crawl([s.url + '/']);
    assert.deepEqual(s.log.filter((hit) => hit.path.startsWith('/private')), []);
    const r = records.get(s.url + '/go-private');
    assert.equal(r?.outcome, 'skipped');
    assert.equal(r?.reason, 'robots');
    assert.equal(r?.finalUrl, s.url + '/private/secret');
    assert.deepEqual(r?.redirects, [{ url: s.url + '/go-private', status: 302 }]);
    assert.match(r?.error?.message ?? '', /disallowed by rule \/private/);
    assert.equal(records.get(s.url + '/public')?.outcome, 'ok');
  });

  test("a redirect to another host asks that host's robots.txt first, and obeys it", async () => {
    const other = await site({ '/robots.txt': robotsTxt('User-agent: *\nDisallow: /secret\n'), '/secret': page('Secret'), '/open': page('Open') });
    const s = await site({ '/': page('Home', ['/to-secret', '/to-open']), '/to-secret': moved(other.url + '/secret'), '/to-open': moved(other.url + '/open') });
    const otherPaths = (): string[] => other.log.map((hit) => hit.path);
    const { records } = await crawl([s.url + '/'], { scope: { mode: 'same-origin' }, fetch: { perHostParallelism: 2 } });
    // same-origin: the other port is another origin, so the hops are off-site…
    assert.equal(records.get(s.url + '/to-open')?.reason, 'redirect-offsite');
    assert.deepEqual(otherPaths(), [], 'an off-site hop is not even asked for its robots.txt');

    const again = await crawl([s.url + '/'], { scope: { mode: 'any' }, fetch: { perHostParallelism: 2 } });
    // …and in scope "any" they are followed through the other host's robots.txt.
    assert.equal(otherPaths()[0], '/robots.txt', 'robots.txt goes first');
    assert.equal(hits(other, '/robots.txt'), 1, 'fetched once for both hops');
    assert.equal(hits(other, '/secret'), 0);
    assert.equal(again.records.get(s.url + '/to-secret')?.reason, 'robots');
    assert.equal(again.records.get(s.url + '/to-open')?.outcome, 'ok');
    assert.equal(again.records.get(s.url + '/to-open')?.finalUrl, other.url + '/open');
  });

  test('redirects into excluded or trap URLs end there, the target never requested', async () => {
    const s = await site({
      '/': page('Home', ['/to-admin', '/to-trap']),
      '/to-admin': moved('/admin/panel'),
      '/to-trap': moved('/a/a/a/a/page'),
      '/admin/panel': page('Admin'),
      '/a/a/a/a/page': page('Trap'),
    });
    const { records } = await crawl([s.url + '/'], { scope: { exclude: ['**/admin/**'] } });
    assert.equal(hits(s, '/admin/panel') + hits(s, '/a/a/a/a/page'), 0);
    assert.equal(records.get(s.url + '/to-admin')?.reason, 'excluded');
    assert.equal(records.get(s.url + '/to-trap')?.reason, 'trap-repeated-segment');
  });

  test('a redirect to a URL already crawled or queued is recorded and not fetched again', async () => {
    const s = await site({ '/': page('Home', ['/new', '/old']), '/old': moved('/new'), '/new': page('New') });
    const { records } = await crawl([s.url + '/']);
    assert.equal(hits(s, '/new'), 1);
    const old = records.get(s.url + '/old');
    assert.equal(old?.outcome, 'skipped');
    assert.equal(old?.reason, 'redirect-duplicate');
    assert.equal(old?.finalUrl, s.url + '/new');
    assert.deepEqual(old?.redirects, [{ url: s.url + '/old', status: 301 }]);
    assert.equal(records.get(s.url + '/new')?.outcome, 'ok');
  });

  test('a redirect to a new URL marks it seen: a later link to it is a duplicate', async () => {
    const s = await site({ '/': page('Home', ['/old', '/later']), '/old': moved('/new'), '/new': page('New', ['/']), '/later': page('Later', ['/new']) });
    const { records, summary } = await crawl([s.url + '/']);
    assert.equal(hits(s, '/new'), 1, 'fetched once');
    assert.equal(records.get(s.url + '/old')?.finalUrl, s.url + '/new');
    assert.equal(records.get(s.url + '/old')?.outcome, 'ok');
    assert.equal(records.has(s.url + '/new'), false, 'stored once, under the URL that led to it');
    assert.ok((summary.dropped.duplicate ?? 0) >= 2, 'the links to / and to /new');
  });

  test('a request retried after its redirect target failed follows its own redirect again', async () => {
    const s = await site({
      '/': page('Home', ['/moved']),
      '/moved': moved('/flaky'),
      '/flaky': (n) => (n === 0 ? { status: 503, type: 'text/plain', body: 'busy', headers: { 'Retry-After': '0' } } : { body: htmlPage('Flaky') }),
    });
    const { records } = await crawl([s.url + '/'], { fetch: { retries: 1 } });
    assert.equal(records.get(s.url + '/moved')?.outcome, 'ok');
    assert.equal(records.get(s.url + '/moved')?.finalUrl, s.url + '/flaky');
    assert.deepEqual([hits(s, '/moved'), hits(s, '/flaky')], [2, 2]);
  });

  test('a redirect hop waits for its turn: the Crawl-delay spaces it from the request before it', async () => {
    const s = await site({ '/robots.txt': robotsTxt('User-agent: *\nCrawl-delay: 0.3\n'), '/': page('Home', ['/old']), '/old': moved('/new'), '/new': page('New') });
    const { records } = await crawl([s.url + '/']);
    assert.equal(records.get(s.url + '/old')?.outcome, 'ok');
    const pages = s.pageHits();
    assert.deepEqual(pages.map((hit) => hit.path), ['/', '/old', '/new']);
    assert.ok(minGapMs(pages) >= 300 - TOLERANCE_MS, `gap ${minGapMs(pages)} ms`);
  });

  test('a hop to a host held back longer than any Crawl-delay goes back to the frontier (no attempt lost) instead of holding a fetch slot', async () => {
    const busy = await site({
      '/busy': (n) => (n === 0 ? { status: 429, type: 'text/plain', body: 'slow down', headers: { 'Retry-After': '1' } } : { body: htmlPage('Busy') }),
      '/target': page('Target'),
    });
    const s = await site({ '/go': moved(busy.url + '/target') });
    const { records } = await crawl([busy.url + '/busy', s.url + '/go'], { scope: { mode: 'any' }, fetch: { concurrency: 1, retries: 0 }, politeness: { maxCrawlDelayMs: 100 } });
    assert.equal(records.get(s.url + '/go')?.outcome, 'ok');
    assert.equal(records.get(s.url + '/go')?.finalUrl, busy.url + '/target');
    assert.equal(hits(s, '/go'), 2, 'asked again once the host was free');
    const [first429] = busy.log.filter((hit) => hit.path === '/busy');
    const [target] = busy.log.filter((hit) => hit.path === '/target');
    assert.ok(target!.atMs - first429!.atMs >= 1_000 - TOLERANCE_MS, 'the held-back host was not asked before its backoff ended');
  });

  /** A site that answers every request for `localhost:<port>` with a 301 to the same path on 127.0.0.1. */
  async function movedToIp(routes: Record<string, SiteRoute>): Promise<ScriptedSite> {
    let ip = '';
    const wrapped: Record<string, SiteRoute> = {};
    for (const [path, route] of Object.entries(routes)) {
      wrapped[path] = (n, host) => (host.startsWith('localhost') ? { status: 301, headers: { Location: ip + path }, body: 'moved' } : typeof route === 'function' ? route(n, host) : route);
    }
    const s = await site(wrapped);
    ip = s.url;
    return s;
  }
  const localhost = (s: ScriptedSite): string => s.url.replace('127.0.0.1', 'localhost');

  test('a seed redirecting to another host crawls that host as a seed host, and the summary says so', async () => {
    const s = await movedToIp({ '/robots.txt': robotsTxt('User-agent: *\nAllow: /\n'), '/': page('Home', ['/a', '/b']), '/a': page('A', ['/c']), '/b': page('B'), '/c': page('C') });
    const seed = localhost(s) + '/';
    const { records, summary } = await crawl([seed]);
    assert.equal(records.get(seed)?.outcome, 'ok');
    assert.equal(records.get(seed)?.finalUrl, s.url + '/');
    for (const path of ['/a', '/b', '/c']) assert.equal(records.get(s.url + path)?.outcome, 'ok', path);
    assert.deepEqual(summary.seedRedirects, [{ seed, url: s.url + '/' }]);
    assert.match(formatSummary(summary, { dataDir: suite.dataDir, maxPages: 10_000, continueBy: 'resume' }), new RegExp(`seed ${seed} redirected to ${s.url}/: 127\\.0\\.0\\.1:\\d+ crawled as a seed host`));
    assert.equal(records.size, 4);
    const status = await readCrawlStatus(suite.dataDir, summary.name);
    assert.deepEqual(status.seedRedirects, [{ seed, url: s.url + '/' }]);
    assert.match(formatStatus(status, suite.dataDir), new RegExp(`seed ${seed} redirected to ${s.url}/ \\(crawled as a seed\\)`));
  });

  test('same-origin: a seed redirecting to another origin (http → https, another port) widens the scope to it', async () => {
    const target = await site({ '/': page('Target', ['/p']), '/p': page('P') });
    const s = await site({ '/': moved(target.url + '/') });
    const { records, summary } = await crawl([s.url + '/'], { scope: { mode: 'same-origin' } });
    assert.equal(records.get(target.url + '/p')?.outcome, 'ok');
    assert.deepEqual(summary.seedRedirects?.map((r) => r.url), [target.url + '/']);
  });

  test('a resumed crawl keeps the scope its seeds widened', async () => {
    const s = await movedToIp({ '/': page('Home', ['/a']), '/a': page('A', ['/b']), '/b': page('B') });
    const seed = localhost(s) + '/';
    const config = configOf([seed], { politeness: { delayMs: 300 } });
    const first = await createCrawler(config);
    first.events.on('page:stored', () => first.stop('test', 0));
    try {
      await first.run();
    } finally {
      await first.close();
    }
    assert.equal((await storedRecords(suite.dataDir, config.name!)).size, 1, 'stopped after the seed');
    const resumed = await createCrawler(config, { resume: true });
    try {
      await resumed.run();
    } finally {
      await resumed.close();
    }
    const records = await storedRecords(suite.dataDir, config.name!);
    assert.equal(records.get(s.url + '/b')?.outcome, 'ok', 'a link found after the resume is still in scope');
  });
});
