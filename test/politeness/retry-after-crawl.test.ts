/**
 * Retry-After through the real pipeline against a local scripted site: a Retry-After longer than
 * `politeness.maxRetryAfterMs` fails its URL at once without pausing the site; a host answering
 * that to everything still backs off exponentially and is given up. Times are asserted on the
 * server's request log.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCrawl, testConfig } from '../helpers/crawl-helpers.js';
import { htmlPage, siteSuite, type SiteRoute } from '../helpers/faults-site.js';

/** Dispatch latency on a loaded machine. */
const TOLERANCE_MS = 60;
/** Host backoff jitter: ±25 % of the exponential step. */
const JITTER_LOW = 0.75;

const page = (title: string, links: string[] = []): SiteRoute => ({ body: htmlPage(title, links) });
const tomorrow = (status: number): SiteRoute => ({ status, type: 'text/plain', body: 'come back tomorrow', headers: { 'Retry-After': '86400' } });

describe('Retry-After in real crawls', () => {
  const suite = siteSuite();
  let crawls = 0;

  async function crawl(routes: Record<string, SiteRoute>, politeness: Record<string, unknown>, seeds = ['/']) {
    const site = await suite.site(routes);
    const gaveUp: string[] = [];
    const config = testConfig(suite.dataDir, {
      name: `retry-after-${++crawls}`,
      seeds: seeds.map((path) => site.url + path),
      fetch: { perHostParallelism: 1, retries: 2 },
      parser: { mode: 'inline' },
      politeness: { sitemaps: false, ...politeness },
    });
    const run = await runCrawl(config, (events) => events.on('host:gave-up', (e) => gaveUp.push(e.host)));
    return { site, gaveUp, ...run };
  }

  test('one URL asking for a day fails at once; the rest of the site goes on without waiting', async () => {
    const { site, records, wallMs } = await crawl(
      { '/': page('Home', ['/maintenance', '/a', '/b']), '/maintenance': tomorrow(503), '/a': page('A'), '/b': page('B') },
      { maxRetryAfterMs: 5_000 },
    );
    const r = records.get(site.url + '/maintenance');
    assert.equal(r?.outcome, 'failed');
    assert.equal(r?.reason, 'retry-after-too-long');
    assert.equal(r?.error?.code, 'ERR_RETRY_AFTER_TOO_LONG');
    assert.equal(site.pageHits().filter((hit) => hit.path === '/maintenance').length, 1, 'not retried');
    assert.equal(records.get(site.url + '/b')?.outcome, 'ok');
    // The host backs off as for a 503 without Retry-After (about 1 s), far below the cap.
    assert.ok(wallMs < 5_000, `crawl took ${wallMs} ms`);
  });

  test('a host asking for a day on everything backs off exponentially, capped, and is given up', async () => {
    const routes: Record<string, SiteRoute> = {};
    for (const path of ['/s0', '/s1', '/s2', '/s3']) routes[path] = tomorrow(429);
    const { site, records, gaveUp } = await crawl(routes, { maxRetryAfterMs: 5_000, hostMaxFailures: 3 }, Object.keys(routes));
    const hits = site.pageHits();
    assert.equal(hits.length, 3, hits.map((hit) => hit.path).join(' '));
    const gaps = hits.slice(1).map((hit, i) => hit.atMs - hits[i]!.atMs);
    // 1 s, then 2 s (each ±25 %); the cap on these steps is in the retry-policy table.
    assert.ok(gaps[0]! >= 1_000 * JITTER_LOW - TOLERANCE_MS, `first backoff ${gaps[0]} ms`);
    assert.ok(gaps[1]! >= 2_000 * JITTER_LOW - TOLERANCE_MS, `second backoff ${gaps[1]} ms`);
    assert.deepEqual(gaveUp, [new URL(site.url).host]);
    const reasons = [...records.values()].map((r) => r.reason).sort();
    assert.deepEqual(reasons, ['host-gave-up', 'retry-after-too-long', 'retry-after-too-long', 'retry-after-too-long']);
  });

  test('a Retry-After within the cap is honoured for that URL', async () => {
    const { site, records } = await crawl(
      { '/': page('Home', ['/busy']), '/busy': (n) => (n === 0 ? { status: 503, type: 'text/plain', body: 'busy', headers: { 'Retry-After': '1' } } : { body: htmlPage('Busy') }) },
      { maxRetryAfterMs: 1_000 },
    );
    const hits = site.pageHits().filter((hit) => hit.path === '/busy');
    assert.equal(hits.length, 2);
    assert.ok(hits[1]!.atMs - hits[0]!.atMs >= 1_000 - TOLERANCE_MS, `retried after ${hits[1]!.atMs - hits[0]!.atMs} ms`);
    assert.equal(records.get(site.url + '/busy')?.outcome, 'ok');
  });
});
