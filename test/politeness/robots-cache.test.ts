import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { RobotsCache, robotsEntryBytes, type RobotsCacheOptions } from '../../src/politeness/robots-cache.js';
import { ROBOTS_MAX_BYTES } from '../../src/politeness/robots.js';
import { fakeFetch, type FakeRoute } from '../helpers/politeness-server.js';

const UA = 'skein/0.1 (+https://github.com/skein-crawler/skein)';
const A = 'https://a.example';
const ROBOTS = 'User-agent: *\nDisallow: /private\n\nUser-agent: skein\nDisallow: /private\nDisallow: /skein-only\n';

function setup(routes: Record<string, FakeRoute>, options: Partial<RobotsCacheOptions> = {}) {
  const fake = fakeFetch(routes);
  const clock = { nowMs: 1_000_000 };
  const cache = new RobotsCache({
    fetch: fake.fetch,
    userAgent: UA,
    maxCrawlDelayMs: 10_000,
    robotsCacheMs: 3_600_000,
    unavailableRetryMs: 60_000,
    now: () => clock.nowMs,
    ...options,
  });
  return { fake, clock, cache };
}

describe('RobotsCache status handling', () => {
  test('200: rules of the product token group apply; fetched once with the 500 KiB cap', async () => {
    const { cache, fake } = setup({ [`${A}/robots.txt`]: { status: 200, body: ROBOTS } });
    assert.deepEqual(await cache.check(`${A}/private/x`), { allowed: false, reason: 'robots', detail: 'disallowed by rule /private' });
    assert.deepEqual(await cache.check(`${A}/skein-only`), { allowed: false, reason: 'robots', detail: 'disallowed by rule /skein-only' });
    assert.deepEqual(await cache.check(`${A}/public`), { allowed: true });
    assert.equal(fake.calls.length, 1);
    assert.equal(fake.calls[0]?.url, `${A}/robots.txt`);
    assert.equal(fake.calls[0]?.opts?.keepBody, true);
    assert.equal(fake.calls[0]?.opts?.maxBodyBytes, ROBOTS_MAX_BYTES);
    assert.equal(cache.entry(A)?.status, 'ok');
  });

  for (const status of [404, 410, 401, 403]) {
    test(`${status}: no rules, everything allowed`, async () => {
      const { cache } = setup({ [`${A}/robots.txt`]: { status, body: 'User-agent: *\nDisallow: /' } });
      assert.deepEqual(await cache.check(`${A}/private`), { allowed: true });
      const entry = cache.entry(`${A}/anything`);
      assert.equal(entry?.status, 'missing');
      assert.equal(entry?.httpStatus, status);
      assert.match(entry?.reason ?? '', new RegExp(`${status}`));
    });
  }

  for (const status of [500, 503, 429]) {
    test(`${status}: origin disallowed until the retry time, then fetched again`, async () => {
      const { cache, fake, clock } = setup({ [`${A}/robots.txt`]: { status } });
      const first = await cache.check(`${A}/page`);
      assert.deepEqual(first, { allowed: false, reason: 'robots', detail: `robots.txt unreachable (${status})`, retryAtMs: clock.nowMs + 1_000, httpStatus: status });
      clock.nowMs += 999;
      assert.equal((await cache.check(`${A}/other`)).allowed, false);
      assert.equal(fake.calls.length, 1, 'no refetch before the retry time');
      fake.set(`${A}/robots.txt`, { status: 200, body: ROBOTS });
      clock.nowMs += 1;
      assert.deepEqual(await cache.check(`${A}/page`), { allowed: true });
      assert.equal(fake.calls.length, 2);
      assert.equal(cache.entry(A)?.status, 'ok');
    });
  }

  test('an unreachable robots.txt is fetched again as a failed page would be: 1 s, 2 s, 4 s … up to unavailableRetryMs, from the start after an answer', async () => {
    const { cache, fake, clock } = setup({ [`${A}/robots.txt`]: { status: 503 } });
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      const verdict = await cache.check(`${A}/page`);
      assert.ok(!verdict.allowed && verdict.retryAtMs !== undefined);
      waits.push(verdict.retryAtMs - clock.nowMs);
      clock.nowMs = verdict.retryAtMs;
    }
    assert.deepEqual(waits, [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
    assert.equal(fake.calls.length, 8);
    fake.set(`${A}/robots.txt`, { status: 404 });
    assert.equal((await cache.check(`${A}/page`)).allowed, true);
    fake.set(`${A}/robots.txt`, { status: 503 });
    clock.nowMs += 3_600_000;
    const verdict = await cache.check(`${A}/page`);
    assert.equal(verdict.allowed, true, 'no rules earlier: still none');
    assert.equal(cache.entry(A)?.expiresAtMs, clock.nowMs + 60_000, 'nothing waits on it: fetched again after unavailableRetryMs');
  });

  for (const [fail, code, why] of [['connection', 'ECONNREFUSED', 'connection refused (ECONNREFUSED)'], ['timeout', 'ETIMEDOUT', 'no answer within the timeout (ETIMEDOUT)']] as const) {
    test(`unreachable (${code}): origin disallowed, reason recorded`, async () => {
      const { cache } = setup({ [`${A}/robots.txt`]: { fail, code } });
      const verdict = await cache.check(`${A}/page`);
      assert.equal(verdict.allowed, false);
      assert.ok(!verdict.allowed && verdict.detail === `robots.txt unreachable: ${why}`);
      assert.ok(!verdict.allowed && verdict.code === code);
      assert.equal(!verdict.allowed && verdict.httpStatus, undefined, 'no HTTP status: the host itself is unreachable');
      assert.equal(cache.entry(A)?.status, 'unreachable');
    });
  }

  test('a host that cannot be reached (DNS, refused) is tried again after 1 s', async () => {
    const { cache, fake, clock } = setup({ [`${A}/robots.txt`]: { fail: 'connection', code: 'ENOTFOUND' } });
    const verdict = await cache.check(`${A}/page`);
    assert.ok(!verdict.allowed && verdict.retryAtMs === clock.nowMs + 1_000 && verdict.code === 'ENOTFOUND');
    assert.ok(!verdict.allowed && verdict.detail === 'robots.txt unreachable: no such host name (DNS) (ENOTFOUND)');
    clock.nowMs += 1_000;
    await cache.check(`${A}/page`);
    assert.equal(fake.calls.length, 2, 'fetched again after 1 s');
  });

  test('a fetch that throws counts as unreachable, not a crash', async () => {
    const cache = new RobotsCache({ fetch: () => Promise.reject(new Error('boom')), userAgent: UA });
    const verdict = await cache.check(`${A}/page`);
    assert.equal(verdict.allowed, false);
  });

  test('the longest wait for an unreachable robots.txt is min(robotsCacheMs, 10 min) by default', async () => {
    const fake = fakeFetch({ [`${A}/robots.txt`]: { status: 503 }, [`https://b.example/robots.txt`]: { status: 503 } });
    const clock = { nowMs: 0 };
    const now = () => clock.nowMs;
    const long = new RobotsCache({ fetch: fake.fetch, userAgent: UA, robotsCacheMs: 3_600_000, now });
    const short = new RobotsCache({ fetch: fake.fetch, userAgent: UA, robotsCacheMs: 120_000, now });
    const longestWait = async (cache: RobotsCache, url: string): Promise<number> => {
      let wait = 0;
      for (let i = 0; i < 12; i++) {
        const retryAtMs = ((await cache.check(url)) as { retryAtMs: number }).retryAtMs;
        wait = retryAtMs - clock.nowMs;
        clock.nowMs = retryAtMs;
      }
      return wait;
    };
    assert.equal(await longestWait(long, `${A}/`), 600_000);
    assert.equal(await longestWait(short, `https://b.example/`), 120_000);
  });

  test('5xx on refresh keeps the rules fetched earlier', async () => {
    const { cache, fake, clock } = setup({ [`${A}/robots.txt`]: { status: 200, body: ROBOTS } });
    assert.equal((await cache.check(`${A}/public`)).allowed, true);
    fake.set(`${A}/robots.txt`, { status: 503 });
    clock.nowMs += 3_600_000;
    assert.equal((await cache.check(`${A}/public`)).allowed, true);
    assert.equal((await cache.check(`${A}/private`)).allowed, false);
    assert.equal(fake.calls.length, 2);
    assert.match(cache.entry(A)?.reason ?? '', /unreachable \(503\); using the copy fetched earlier/);
  });

  test('redirect chain (3 hops, across hosts): the final file applies to the first origin', async () => {
    const { cache, fake } = setup({
      [`${A}/robots.txt`]: { redirectTo: 'https://www.a.example/robots.txt' },
      'https://www.a.example/robots.txt': { redirectTo: 'https://cdn.example/a/robots.txt', status: 302 },
      'https://cdn.example/a/robots.txt': { redirectTo: '/a/robots-v2.txt', status: 307 },
      'https://cdn.example/a/robots-v2.txt': { status: 200, body: ROBOTS },
    });
    assert.equal((await cache.check(`${A}/private/1`)).allowed, false);
    assert.equal((await cache.check(`${A}/public`)).allowed, true);
    assert.equal(fake.calls.length, 1);
    assert.equal(cache.entry(A)?.status, 'ok');
  });

  test('5 redirect hops are followed, the 6th is not: treated as unavailable (allow all)', async () => {
    const routes: Record<string, FakeRoute> = {};
    for (let i = 0; i < 8; i++) routes[i === 0 ? `${A}/robots.txt` : `${A}/r${i}`] = { redirectTo: `${A}/r${i + 1}` };
    routes[`${A}/r8`] = { status: 200, body: 'User-agent: *\nDisallow: /' };
    const { cache, fake } = setup(routes);
    assert.deepEqual(await cache.check(`${A}/private`), { allowed: true });
    const entry = cache.entry(A);
    assert.equal(entry?.status, 'missing');
    assert.match(entry?.reason ?? '', /more than 5 redirects/);
    assert.equal(fake.calls.length, 1);
    // robots.txt plus 5 hops were requested; the 6th redirect target was not.
    assert.deepEqual(fake.served, [`${A}/robots.txt`, `${A}/r1`, `${A}/r2`, `${A}/r3`, `${A}/r4`, `${A}/r5`]);

    // Exactly 5 hops still reach the file.
    const five: Record<string, FakeRoute> = {};
    for (let i = 0; i < 5; i++) five[i === 0 ? `${A}/robots.txt` : `${A}/r${i}`] = { redirectTo: `${A}/r${i + 1}` };
    five[`${A}/r5`] = { status: 200, body: 'User-agent: *\nDisallow: /' };
    const ok = setup(five);
    assert.equal((await ok.cache.check(`${A}/private`)).allowed, false);
  });

  test('a robots.txt over the cap that the fetcher refuses counts as no rules', async () => {
    const huge = `User-agent: *\nDisallow: /\n#${'x'.repeat(ROBOTS_MAX_BYTES)}`;
    const { cache } = setup({ [`${A}/robots.txt`]: { status: 200, body: huge } });
    assert.deepEqual(await cache.check(`${A}/x`), { allowed: true });
    assert.match(cache.entry(A)?.reason ?? '', /body-too-large/);
  });

  test('non-http URLs are rejected without a fetch', async () => {
    const { cache, fake } = setup({});
    const verdict = await cache.check('ftp://a.example/file');
    assert.equal(verdict.allowed, false);
    assert.equal(fake.calls.length, 0);
  });
});

describe('RobotsCache sharing and expiry', () => {
  test('concurrent checks share one fetch per origin; origins differ by scheme and port', async () => {
    const { cache, fake } = setup({
      [`${A}/robots.txt`]: { status: 200, body: ROBOTS },
      'http://a.example/robots.txt': { status: 200, body: 'User-agent: *\nDisallow: /' },
      'https://a.example:8443/robots.txt': { status: 404 },
    });
    const urls = [];
    for (let i = 0; i < 20; i++) urls.push(`${A}/p${i}`, `${A}/private/${i}`, `http://a.example/p${i}`, `https://a.example:8443/private/${i}`);
    const verdicts = await Promise.all(urls.map((u) => cache.check(u)));
    assert.equal(fake.calls.length, 3);
    assert.deepEqual(fake.calls.map((c) => c.url).sort(), ['http://a.example/robots.txt', 'https://a.example/robots.txt', 'https://a.example:8443/robots.txt']);
    assert.deepEqual(verdicts.slice(0, 4).map((v) => v.allowed), [true, false, false, true]);
    // https://a.example:443 is the same origin as https://a.example
    await cache.check('https://a.example:443/x');
    assert.equal(fake.calls.length, 3);
  });

  test('a cached robots.txt expires after robotsCacheMs', async () => {
    const { cache, fake, clock } = setup({ [`${A}/robots.txt`]: { status: 200, body: ROBOTS } }, { robotsCacheMs: 1000 });
    await cache.check(`${A}/x`);
    clock.nowMs += 999;
    await cache.check(`${A}/x`);
    assert.equal(fake.calls.length, 1);
    fake.set(`${A}/robots.txt`, { status: 200, body: 'User-agent: *\nDisallow: /x' });
    clock.nowMs += 1;
    assert.equal((await cache.check(`${A}/x`)).allowed, false);
    assert.equal(fake.calls.length, 2);
  });

  test('crawl-delay is clamped to maxCrawlDelayMs and flagged once per origin', async () => {
    const slow = 'User-agent: *\nCrawl-delay: 60\n';
    const { cache } = setup({
      [`${A}/robots.txt`]: { status: 200, body: slow },
      'https://b.example/robots.txt': { status: 200, body: slow },
      'https://c.example/robots.txt': { status: 200, body: 'User-agent: skein\nCrawl-delay: 2.5\n' },
    });
    assert.deepEqual(await cache.check(`${A}/1`), { allowed: true, crawlDelayMs: 10_000, clamped: true, requestedCrawlDelayMs: 60_000 });
    assert.deepEqual(await cache.check(`${A}/2`), { allowed: true, crawlDelayMs: 10_000 });
    assert.deepEqual(await cache.check('https://b.example/1'), { allowed: true, crawlDelayMs: 10_000, clamped: true, requestedCrawlDelayMs: 60_000 });
    assert.deepEqual(await cache.check('https://c.example/1'), { allowed: true, crawlDelayMs: 2500 });
  });

  test('sitemapsFor returns absolute Sitemap URLs from the same single fetch', async () => {
    const { cache, fake } = setup({
      [`${A}/robots.txt`]: { status: 200, body: 'Sitemap: https://a.example/s1.xml\nSitemap: /s2.xml.gz\nSitemap: javascript:alert(1)\nUser-agent: *\nDisallow:' },
    });
    assert.deepEqual(await cache.sitemapsFor(`${A}/some/page`), ['https://a.example/s1.xml', 'https://a.example/s2.xml.gz']);
    await cache.check(`${A}/x`);
    assert.equal(fake.calls.length, 1);
    const none = setup({});
    assert.deepEqual(await none.cache.sitemapsFor(A), []);
  });
});

describe('RobotsCache memory budget', () => {
  const origins = Array.from({ length: 50 }, (_, i) => `https://h${i}.example`);
  const routes = Object.fromEntries(origins.map((o, i) => [`${o}/robots.txt`, i % 2 ? { status: 404 } : { status: 200, body: ROBOTS }]));

  test('stays within its byte budget, evicting the least recently used origin, and fetches an evicted one again', async () => {
    const budget = robotsEntryBytes(ROBOTS.length) * 10;
    const { cache, fake } = setup(routes, { maxBytes: budget });
    for (const origin of origins) {
      await cache.check(`${origin}/x`);
      await cache.check(`${origins[0]}/x`); // h0 stays in use
      assert.ok(cache.size.bytes <= budget, `${cache.size.bytes} bytes held, budget ${budget}`);
    }
    assert.ok(cache.size.entries >= 10 && cache.size.entries < origins.length, `${cache.size.entries} entries`);
    assert.equal(cache.entry(origins[0]!)?.status, 'ok', 'the origin in use is kept');
    assert.equal(cache.entry(origins[1]!), undefined, 'an origin not used since is evicted');
    const calls = fake.calls.length;
    assert.deepEqual(await cache.check(`${origins[2]}/private`), { allowed: false, reason: 'robots', detail: 'disallowed by rule /private' });
    assert.equal(fake.calls.length, calls + 1, 'fetched again');
    assert.equal(fake.calls.at(-1)?.url, `${origins[2]}/robots.txt`);
  });

  test('a file too big for the budget is still used for its own checks', async () => {
    const { cache, fake } = setup(routes, { maxBytes: 100 });
    assert.equal((await cache.check(`${origins[0]}/private`)).allowed, false);
    assert.equal((await cache.check(`${origins[0]}/private`)).allowed, false);
    assert.equal(fake.calls.length, 1, 'the newest entry is never evicted to make room for itself');
    await cache.check(`${origins[1]}/x`);
    assert.equal(cache.size.entries, 1);
  });
});
