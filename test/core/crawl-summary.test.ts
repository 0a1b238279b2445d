/**
 * The summary says why links were not followed, by reason, for the links
 * the parser workers drop (offsite, excluded, depth, traps, nofollow) as well
 * as the URLs the frontier refuses (duplicates); robots.txt skips are counted
 * with the pages, and not as fetched.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSummary } from '../../src/cli/reporter.js';
import { htmlPage, startScriptedSite, type ScriptedSite } from '../helpers/faults-site.js';
import { runCrawl, tempDirs, testConfig, type CrawlRun } from '../helpers/crawl-helpers.js';

describe('the crawl summary counts links not followed by reason', () => {
  const newDir = tempDirs();
  let site: ScriptedSite;
  let run: CrawlRun;
  before(async () => {
    site = await startScriptedSite({
      '/robots.txt': { type: 'text/plain', body: 'User-agent: *\nDisallow: /private/\n' },
      '/': { body: htmlPage('home', ['/in', 'http://elsewhere.invalid/x', '/no/1', '/nf|nofollow', '/a/a/a/a', '/private/x']) },
      '/in': { body: htmlPage('in', ['/', '/deeper']) },
      '/deeper': { body: htmlPage('deeper', ['/deepest']) },
    });
    const config = testConfig(await newDir(), { seeds: [`${site.url}/`], scope: { maxDepth: 2, exclude: ['**/no/**'] }, politeness: { sitemaps: false } });
    run = await runCrawl(config);
  });
  after(() => site.close());

  test('each reason a discovered link was dropped for is counted', () => {
    const { dropped } = run.summary;
    assert.equal(dropped.offsite, 1);
    assert.equal(dropped.excluded, 1);
    assert.equal(dropped.nofollow, 1);
    assert.equal(dropped['trap-repeated-segment'], 1);
    assert.equal(dropped.depth, 1, '/deepest is at depth 3');
    assert.equal(dropped.duplicate, 1, '/in links back to /');
  });

  test('robots.txt skips are pages not fetched, counted by reason', () => {
    const { summary } = run;
    assert.equal(summary.reasons.robots, 1);
    assert.deepEqual(summary.pages, { ok: 3, failed: 0, skipped: 1 });
    assert.equal(summary.fetched, 3);
    assert.deepEqual(summary.seeds, { finished: 1, reached: 1, problems: [] });
  });

  test('the text summary shows them, most frequent first', () => {
    const text = formatSummary(run.summary, { dataDir: 'data', maxPages: 100, continueBy: 'resume' });
    assert.match(text, /pages: 3 ok, 0 failed, 1 skipped; 3 fetched/);
    assert.match(text, /by reason: robots 1\n/);
    assert.match(text, /links not followed: (\S+ 1, ){5}\S+ 1\n/);
    for (const reason of ['offsite', 'excluded', 'nofollow', 'trap-repeated-segment', 'depth', 'duplicate']) assert.match(text, new RegExp(`\\b${reason} 1\\b`));
  });

  test('a record keeps the links no wider scope may follow (rel=nofollow)', () => {
    const home = run.records.get(`${site.url}/`);
    assert.deepEqual(home?.unfollowable, [`${site.url}/nf`]);
  });
});
