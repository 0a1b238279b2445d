/**
 * Crawls the fault server (test/helpers/fault-server.ts) through the real pipeline — fetcher,
 * process-mode parse pool, frontier, store — and checks what was stored for every hostile route:
 * the outcome and the precise reason code. Each case is one test; the last one prints how many
 * cases were handled correctly and the crawl's wall time (the README's reliability figures).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CrawlSummary } from '../../src/core/events.js';
import type { PageRecord, ReasonCode } from '../../src/core/types.js';
import { runCrawl, tempDataDir, testConfig } from '../helpers/crawl-helpers.js';
import { LATIN1_TITLE, ODD_LINKS_SAME_SERVER, REDIRECT_NEW_TARGET, WRONG_CHARSET_TITLE, startFaultServer, type FaultServer } from '../helpers/fault-server.js';

/** Link depth allowed: the calendar and the ever-deeper paths stop here. */
const MAX_DEPTH = 6;
/** The crawl must end within this (it takes a few seconds; timeouts and retries dominate). */
const CRAWL_BUDGET_MS = 25_000;
/** Body cap: above the many-links page (1.3 MB), far below the huge page and the gzip bomb. */
const MAX_BODY_BYTES = 2 * 1024 * 1024;
/** politeness.maxRetryAfterMs by default: the longest wait anything may cause. */
const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;
/** Retry-After spacing tolerance (clock granularity, scheduling). */
const TOLERANCE_MS = 100;

/** Every route the server may legitimately be asked for: anything else means a bad link was followed. */
const KNOWN_PATH =
  /^\/(?:robots\.txt|sitemap\.xml|faults\/[a-z0-9.-]+|trap\/calendar\?month=\d+|trap\/deep(?:\/[a-z])+|trap\/loop\/(?:x\/)*|trap\/session(?:\?sid=start)?|limited\/(?:429|503-date|503-day|429-date-far)|ok\/\d+)?$/;

interface CrawlRun {
  server: FaultServer;
  records: Map<string, PageRecord>;
  summary: CrawlSummary;
  wallMs: number;
  errors: string[];
  /** Every host backoff the crawl decided, in ms from the moment it was decided. */
  backoffsMs: number[];
  /** URLs the crawl tried again (request:retry), with how often. */
  retried: Map<string, number>;
}

let run: CrawlRun;
let tried = 0;
let handled = 0;

/** One fault case: counted as tried, and as handled when its assertions pass. */
function faultCase(name: string, check: (run: CrawlRun) => void): void {
  test(name, () => {
    tried++;
    check(run);
    handled++;
  });
}

const record = (path: string): PageRecord => {
  const found = run.records.get(run.server.url + path);
  assert.ok(found, `no record for ${path}`);
  return found;
};

function assertOutcome(path: string, outcome: PageRecord['outcome'], reasons: ReasonCode[]): PageRecord {
  const r = record(path);
  assert.equal(r.outcome, outcome, `${path}: ${r.outcome} (${r.reason}: ${r.error?.message})`);
  assert.ok(r.reason !== undefined && reasons.includes(r.reason), `${path}: reason ${r.reason}, expected ${reasons.join(' or ')}`);
  return r;
}

/** The record of `path`, which must be ok. */
function assertOk(path: string): PageRecord {
  const r = record(path);
  assert.equal(r.outcome, 'ok', `${path}: ${r.outcome} (${r.reason}: ${r.error?.message})`);
  return r;
}

const paths = (prefix: string): string[] => run.server.log.map((e) => e.path).filter((p) => p.startsWith(prefix));

describe('crawl of the fault server (process pool, real fetcher)', () => {
  let data: Awaited<ReturnType<typeof tempDataDir>>;

  before(async () => {
    const server = await startFaultServer();
    data = await tempDataDir();
    const config = testConfig(data.dir, {
      name: 'faults',
      seeds: [server.url + '/'],
      scope: { maxDepth: MAX_DEPTH, maxPages: 500 },
      fetch: {
        concurrency: 16,
        perHostParallelism: 8,
        retries: 1,
        maxBodyBytes: MAX_BODY_BYTES,
        // The server runs in this process: on a busy machine its event loop (and the crawler's) may
        // stall a socket for over a second, so only the trickle (a byte every 200 ms) and the
        // missing headers are left to timeouts (requestMs, responseMs).
        timeouts: { responseMs: 1_500, requestMs: 3_000, socketMs: 3_000 },
      },
      parser: { mode: 'process', workers: 2 },
    });
    const errors: string[] = [];
    const backoffsMs: number[] = [];
    const retried = new Map<string, number>();
    const { summary, records, wallMs } = await runCrawl(config, (events) => {
      events.on('log', (e) => e.level === 'error' && errors.push(e.message));
      events.on('host:backoff', (e) => backoffsMs.push(e.untilMs - Date.now()));
      events.on('request:retry', ({ request }) => retried.set(request.url, (retried.get(request.url) ?? 0) + 1));
    });
    run = { server, records, summary, wallMs: Math.round(wallMs), errors, backoffsMs, retried };
  });

  after(async () => {
    await run?.server.close();
    await data?.cleanup();
  });

  test('the crawl ends by itself, in bounded time, and nothing crashed', () => {
    assert.equal(run.summary.endReason, 'done');
    assert.ok(run.wallMs < CRAWL_BUDGET_MS, `crawl took ${run.wallMs} ms`);
    assert.deepEqual(run.errors, []);
    const crashes = [...run.records.values()].filter((r) => ['worker-crashed', 'parse-failed', 'parse-timeout'].includes(r.reason ?? ''));
    assert.deepEqual(crashes.map((r) => r.key), []);
    assert.equal(run.summary.pages.ok + run.summary.pages.failed + run.summary.pages.skipped, run.records.size);
  });

  test('only real routes were requested (no javascript:, mailto:, data: or mangled links)', () => {
    const unknown = run.server.log.map((e) => e.path).filter((p) => !KNOWN_PATH.test(p));
    assert.deepEqual(unknown, []);
  });

  test('no URL was fetched twice, but for retries; no redirect led to a robots.txt-disallowed URL', () => {
    const counts = new Map<string, number>();
    for (const { path } of run.server.log) counts.set(path, (counts.get(path) ?? 0) + 1);
    const twice = [...counts].filter(([path, n]) => n > 1 + (run.retried.get(run.server.url + path) ?? 0));
    assert.deepEqual(twice, []);
    assert.deepEqual(run.server.log.filter((e) => e.path.startsWith('/private/')), []);
  });

  faultCase('no-headers: timeout', () => void assertOutcome('/faults/no-headers', 'failed', ['timeout']));
  faultCase('trickle: timeout (or body cap)', () => void assertOutcome('/faults/trickle', 'failed', ['timeout', 'body-too-large']));
  faultCase('reset-mid-body: connection', () => void assertOutcome('/faults/reset-mid-body', 'failed', ['connection']));
  faultCase('short-body (Content-Length larger than the body): connection', () => void assertOutcome('/faults/short-body', 'failed', ['connection']));
  faultCase('huge (50 MB, no Content-Length): body-too-large, stopped at the cap', () => {
    const r = assertOutcome('/faults/huge', 'failed', ['body-too-large']);
    assert.ok(r.bytes <= MAX_BODY_BYTES + 64 * 1024, `${r.bytes} bytes read`);
  });
  faultCase('gzip-bomb: body-too-large on decompressed bytes', () => void assertOutcome('/faults/gzip-bomb', 'failed', ['body-too-large']));
  faultCase('pdf: skipped content-type', () => void assertOutcome('/faults/pdf', 'skipped', ['content-type']));
  faultCase('png: skipped content-type', () => void assertOutcome('/faults/image.png', 'skipped', ['content-type']));
  faultCase('wrong-charset: the header charset wins', () => {
    const r = assertOk('/faults/wrong-charset');
    assert.equal(r.title, WRONG_CHARSET_TITLE);
  });
  faultCase('no-charset-latin1: the meta charset decodes the page', () => {
    const r = assertOk('/faults/no-charset-latin1');
    assert.equal(r.title, LATIN1_TITLE);
    assert.match(r.text ?? '', /Déjà vu à la carte/);
  });
  faultCase('nested (50,000 unclosed divs): parsed, its deep link found', () => {
    const r = assertOk('/faults/nested');
    assert.ok(r.links?.includes(run.server.url + '/ok/21'));
    assertOk('/ok/21');
  });
  faultCase('many-links (30,000 links): only /ok/1..50 after normalisation', () => {
    const r = assertOk('/faults/many-links');
    const expected = Array.from({ length: 50 }, (_, i) => `${run.server.url}/ok/${i + 1}`);
    assert.deepEqual([...(r.links ?? [])].sort(), expected.sort());
    for (const url of expected) assert.equal(run.records.get(url)?.outcome, 'ok', url);
    for (let i = 1; i <= 50; i++) assert.equal(run.server.hits(`/ok/${i}`), 1, `/ok/${i} fetched once`);
  });
  faultCase('redirect-loop: redirect-loop', () => {
    const r = assertOutcome('/faults/redirect-loop', 'failed', ['redirect-loop']);
    assert.equal(r.redirects.length, 2);
    assert.equal(run.server.hits('/faults/redirect-loop'), 1, 'not retried');
  });
  faultCase('redirect-offsite: redirect-offsite, never followed', () => {
    const r = assertOutcome('/faults/redirect-offsite', 'failed', ['redirect-offsite']);
    assert.equal(r.finalUrl, 'http://other.invalid/');
  });
  faultCase('redirect-ftp: redirect-scheme', () => void assertOutcome('/faults/redirect-ftp', 'failed', ['redirect-scheme']));
  faultCase('redirect into a robots.txt-disallowed path: skipped robots, the target never requested', () => {
    const r = assertOutcome('/faults/redirect-robots', 'skipped', ['robots']);
    assert.equal(r.finalUrl, run.server.url + '/private/secret');
    assert.equal(run.server.hits('/private/secret'), 0);
  });
  faultCase('redirect into a trap: trap-repeated-segment, the target never requested', () => {
    assertOutcome('/faults/redirect-trap', 'failed', ['trap-repeated-segment']);
    assert.equal(run.server.hits('/trap/loop/x/x/x/x/'), 0);
  });
  faultCase('redirect to a page linked too: redirect-duplicate, that page fetched once', () => {
    const r = assertOutcome('/faults/redirect-known', 'skipped', ['redirect-duplicate']);
    assert.equal(r.finalUrl, run.server.url + '/ok/1');
    assert.equal(run.server.hits('/ok/1'), 1);
  });
  faultCase('redirect to a page nothing links: followed, stored under the redirecting URL', () => {
    const r = assertOk('/faults/redirect-new');
    assert.equal(r.finalUrl, run.server.url + REDIRECT_NEW_TARGET);
    assert.equal(run.records.has(run.server.url + REDIRECT_NEW_TARGET), false);
    assert.equal(run.server.hits(REDIRECT_NEW_TARGET), 1);
  });
  faultCase('odd-links: only the valid same-server links are kept and followed', () => {
    const r = assertOk('/faults/odd-links');
    const own = r.links?.filter((l) => l.startsWith(run.server.url + '/')).map((l) => l.slice(run.server.url.length));
    assert.deepEqual(own, [...ODD_LINKS_SAME_SERVER, '/faults/odd-links']);
    assert.ok(r.links?.includes('http://example.invalid/ok/17'), 'default port dropped on the off-site link');
    assert.ok(r.links?.every((l) => /^http:\/\//.test(l)), 'no javascript:, mailto:, data: or tel: links');
    for (const path of ODD_LINKS_SAME_SERVER) assertOk(path);
    assert.equal(run.records.has('http://example.invalid/ok/17'), false, 'off-site link not followed');
  });
  faultCase('calendar trap: bounded by maxDepth', () => {
    const months = paths('/trap/calendar');
    assert.deepEqual(months, Array.from({ length: MAX_DEPTH }, (_, i) => `/trap/calendar?month=${i + 1}`));
    assert.equal(record(`/trap/calendar?month=${MAX_DEPTH}`).depth, MAX_DEPTH);
  });
  faultCase('ever-deeper paths: bounded by maxDepth', () => {
    const deep = paths('/trap/deep');
    assert.equal(deep.length, MAX_DEPTH);
    assert.equal(new Set(deep).size, deep.length, 'each fetched once');
  });
  faultCase('relative loop /x/x/x/…: bounded by the repeated-segment rule', () => {
    assert.deepEqual(paths('/trap/loop'), ['/trap/loop/', '/trap/loop/x/', '/trap/loop/x/x/', '/trap/loop/x/x/x/']);
    assert.ok(record('/trap/loop/x/x/x/').depth < MAX_DEPTH, 'stopped before the depth limit');
  });
  faultCase('session ids: stripped, so the page is fetched once', () => {
    assert.equal(run.server.hits('/trap/session'), 1);
    assertOk('/trap/session');
    assert.ok([...run.records.keys()].every((k) => !k.includes('sid=')));
  });
  faultCase('429 with Retry-After: 1 → retried no earlier, then ok', () => {
    assertOk('/limited/429');
    const hits = run.server.log.filter((e) => e.path === '/limited/429');
    assert.equal(hits.length, 2);
    const waitedMs = hits[1]!.atMs - hits[0]!.atMs;
    assert.ok(waitedMs >= 1_000 - TOLERANCE_MS, `retried after ${waitedMs} ms`);
  });
  faultCase('503 with an HTTP-date Retry-After → retried no earlier, then ok', () => {
    assertOk('/limited/503-date');
    const hits = run.server.log.filter((e) => e.path === '/limited/503-date');
    assert.equal(hits.length, 2);
    // The server answered "retry at the next whole second + 1 s" (second granularity).
    const retryAtMs = Math.ceil(hits[0]!.atMs / 1000) * 1000 + 1000;
    assert.ok(hits[1]!.atMs >= retryAtMs - TOLERANCE_MS, `retried ${retryAtMs - hits[1]!.atMs} ms early`);
  });

  faultCase('503 with Retry-After: a day → retry-after-too-long at once, the host not paused past the cap', () => {
    const r = assertOutcome('/limited/503-day', 'failed', ['retry-after-too-long']);
    assert.equal(r.status, 503);
    assert.match(r.error?.message ?? '', /Retry-After 86400 s/);
    assert.equal(run.server.hits('/limited/503-day'), 1, 'not retried');
    const longest = Math.max(...run.backoffsMs);
    assert.ok(longest <= DEFAULT_MAX_RETRY_AFTER_MS, `a host backoff of ${longest} ms`);
  });
  faultCase('missing (404): http-error, not retried', () => {
    const r = assertOutcome('/faults/missing', 'failed', ['http-error']);
    assert.equal(r.status, 404);
    assert.equal(run.server.hits('/faults/missing'), 1);
  });
  faultCase('429 with an HTTP-date a day ahead → retry-after-too-long at once', () => {
    const r = assertOutcome('/limited/429-date-far', 'failed', ['retry-after-too-long']);
    assert.equal(r.status, 429);
    assert.equal(run.server.hits('/limited/429-date-far'), 1, 'not retried');
  });

  test('figures: fault cases handled correctly / tried, crawl wall time', (t) => {
    t.diagnostic(`fault cases handled correctly: ${handled}/${tried}`);
    t.diagnostic(`fault-server crawl wall time: ${run.wallMs} ms (${run.records.size} records, ${run.server.log.length} requests)`);
  });
});
