/**
 * The link gate's verdicts on redirect hops (scope, robots.txt, dedup), and seed redirects
 * widening the scope, shared through the frontier between two gates as between two nodes.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig } from '../../src/config/load-config.js';
import type { CrawlConfigInput } from '../../src/config/schema.js';
import { CrawlEventBus } from '../../src/core/events.js';
import { LinkGate } from '../../src/core/link-gate.js';
import type { CrawlRequest } from '../../src/core/types.js';
import type { Frontier } from '../../src/frontier/frontier.js';
import { MemoryFrontier } from '../../src/frontier/memory-frontier.js';
import { PolitenessGate } from '../../src/politeness/politeness-gate.js';
import { RobotsCache } from '../../src/politeness/robots-cache.js';
import { fakeFetch } from '../helpers/politeness-server.js';

const robotsRoutes = {
  'http://site.test/robots.txt': { status: 200, body: 'User-agent: *\nDisallow: /private\n' },
  'http://www.site.test/robots.txt': { status: 200, body: 'User-agent: *\nAllow: /\n' },
  'http://down.test/robots.txt': { status: 503 },
};

function gateOf(input: CrawlConfigInput = {}, frontier: Frontier = newFrontier()) {
  const config = validateConfig({ seeds: ['http://site.test/'], ...input });
  const events = new CrawlEventBus();
  const redirected: string[] = [];
  events.on('seed:redirected', ({ seed, url }) => redirected.push(`${seed} → ${url}`));
  const robots = new RobotsCache({ fetch: fakeFetch(robotsRoutes).fetch, userAgent: config.fetch.userAgent });
  const politeness = new PolitenessGate({ config, frontier, robots, events, now: Date.now });
  return { gate: new LinkGate(config, frontier, events, politeness), frontier, redirected };
}
function newFrontier(): MemoryFrontier {
  return new MemoryFrontier({ maxPages: 100, hostPolicy: { delayMs: 0, parallelism: 4 } });
}
const link = (url: string, depth = 1): CrawlRequest => ({ key: url, url, depth, source: 'link' });
const seed = (url: string): CrawlRequest => ({ key: url, url, depth: 0, source: 'seed' });

describe('LinkGate.admitRedirect', () => {
  const from = link('http://site.test/from');
  const cases: Array<[string, string, CrawlConfigInput, string | undefined]> = [
    ['in scope', 'http://site.test/to', {}, undefined],
    ['another host', 'http://other.test/to', {}, 'redirect-offsite'],
    ['excluded', 'http://site.test/admin/x', { scope: { exclude: ['**/admin/**'] } }, 'excluded'],
    ['not included', 'http://site.test/x', { scope: { include: ['**/blog/**'] } }, 'excluded'],
    ['trap', 'http://site.test/a/a/a/a/', {}, 'trap-repeated-segment'],
    ['too long', `http://site.test/${'x'.repeat(3000)}`, {}, 'url-too-long'],
    ['robots.txt disallows it', 'http://site.test/private/x', {}, 'robots'],
    ['a redirect is not a link: same depth, so never past maxDepth', 'http://site.test/deep', { scope: { maxDepth: 1 } }, undefined],
  ];
  for (const [name, url, input, reason] of cases) {
    test(`${name} → ${reason ?? 'followed'}`, async () => {
      const { gate } = gateOf(input);
      const verdict = await gate.admitRedirect(url, from);
      assert.deepEqual(verdict.ok ? undefined : verdict.reason, reason);
    });
  }

  test("a host whose robots.txt is unreachable: not now, and when to try again", async () => {
    const { gate } = gateOf({ scope: { mode: 'any' } });
    const verdict = await gate.admitRedirect('http://down.test/x', from);
    assert.ok(!verdict.ok && verdict.reason === 'robots' && verdict.retryAtMs !== undefined && verdict.retryAtMs > Date.now());
  });

  test('the target is claimed: already seen → redirect-duplicate; its own claimer may follow it again', async () => {
    const { gate, frontier } = gateOf();
    await frontier.add([link('http://site.test/queued')]);
    assert.deepEqual(await gate.admitRedirect('http://site.test/queued', from), {
      ok: false,
      reason: 'redirect-duplicate',
      detail: 'redirect to http://site.test/queued, already crawled or queued: not fetched again',
    });
    assert.deepEqual(await gate.admitRedirect('http://site.test/new?utm_source=x', from), { ok: true });
    assert.deepEqual(await gate.admitRedirect('http://site.test/new', from), { ok: true }, 'a retry of the same request');
    assert.equal((await gate.admitRedirect('http://site.test/new', link('http://site.test/other'))).ok, false);
    assert.deepEqual(await frontier.add([link('http://site.test/new', 2)]), [{ ok: false, reason: 'duplicate' }]);
    assert.deepEqual(await gate.admitRedirect('http://site.test/from#x', from), { ok: true }, 'to itself once normalised: nothing to claim');
  });
});

describe('seed redirects widen the scope', () => {
  test("a seed's hop may leave the seeds' hosts, and its URL joins the seeds", async () => {
    const { gate, redirected } = gateOf();
    assert.equal(gate.isOffsite(link('http://www.site.test/a')), true);
    assert.deepEqual(await gate.admitRedirect('http://www.site.test/', seed('http://site.test/')), { ok: true });
    assert.deepEqual(gate.seedRedirects, ['http://www.site.test/']);
    assert.equal(gate.isOffsite(link('http://www.site.test/a')), false);
    assert.deepEqual(redirected, ['http://site.test/ → http://www.site.test/']);
    assert.equal((await gate.admitRedirect('http://www.site.test/b', link('http://site.test/x'))).ok, true, 'links and hops there are in scope now');
  });

  test("a seed's hop is not held to include/exclude (links are), but still to traps", async () => {
    const { gate } = gateOf({ scope: { include: ['**/docs/**'] } });
    assert.deepEqual(await gate.admitRedirect('http://site.test/en/', seed('http://site.test/')), { ok: true });
    assert.equal((await gate.admitRedirect('http://site.test/en/', link('http://site.test/docs/x'))).ok, false);
    const trap = await gate.admitRedirect('http://site.test/a/a/a/a/', seed('http://site.test/'));
    assert.ok(!trap.ok && trap.reason === 'trap-repeated-segment');
  });

  test('a redirect within the seeds\' hosts widens nothing', async () => {
    const { gate, redirected } = gateOf();
    assert.deepEqual(await gate.admitRedirect('http://site.test/en/', seed('http://site.test/')), { ok: true });
    assert.deepEqual([gate.seedRedirects, redirected], [[], []]);
  });

  test("a link's hop off the seeds' hosts is still off-site", async () => {
    const { gate } = gateOf();
    assert.equal((await gate.admitRedirect('http://www.site.test/', link('http://site.test/x'))).ok, false);
    assert.deepEqual(gate.seedRedirects, []);
  });

  test('sitemap URLs on the host a seed redirects to are held, then admitted when it joins', async () => {
    const { gate, frontier } = gateOf();
    assert.equal(await gate.admit(['http://www.site.test/from-sitemap', 'http://elsewhere.test/x'], 'sitemap', 0), 0, 'off-site when read');
    assert.equal((await frontier.stats()).queued, 0);
    await gate.admitRedirect('http://www.site.test/', seed('http://site.test/'));
    const leased = await frontier.lease(10, Date.now());
    assert.deepEqual(leased.map((l) => [l.request.key, l.request.source]), [['http://www.site.test/from-sitemap', 'sitemap']]);
  });

  test('another node learns them from the shared frontier', async () => {
    const shared = newFrontier();
    const one = gateOf({}, shared);
    const two = gateOf({}, shared);
    await one.gate.admitRedirect('http://www.site.test/', seed('http://site.test/'));
    const request = link('http://www.site.test/a');
    assert.equal(two.gate.isOffsite(request), true, 'not heard of yet');
    await two.gate.syncSeedRedirects();
    assert.equal(two.gate.isOffsite(request), false);
    assert.deepEqual(two.gate.seedRedirects, ['http://www.site.test/']);
    assert.deepEqual(two.redirected, [], 'reported once, by the node that found it');
  });
});
