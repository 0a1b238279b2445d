/**
 * Kill -9 at random points, resume each time: the final stored set equals an
 * uninterrupted crawl's, no page is stored twice, no link found by a stored
 * page is lost, and only pages that were not yet durable are fetched again.
 *
 * The kill points come from a seeded PRNG; the seed is printed (test
 * diagnostics and every assertion message). Reproduce a failure with
 * SKEIN_TEST_SEED=<seed>.
 *
 * The bound on re-fetched pages, per kill: a page is fetched again only if it
 * was not durable at the kill, i.e. it was in flight (at most
 * `fetch.concurrency`, since p-queue bounds a request's whole path: fetch,
 * parse, store) or stored in the buffer but not yet flushed. A checkpoint
 * starts as soon as `store.batchSize` pages are buffered, so fewer than
 * batchSize wait, plus the pages that complete while that checkpoint is
 * writing (the journal, then the pages segment: a few ms of work, far fewer
 * pages than a batch). Asserted: re-fetched ≤ concurrency + 2 × batchSize,
 * and — exactly — no page that was on disk at the kill is ever fetched again.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createGeneratedSite } from '../../src/demo/generated-site.js';
import { startSiteServer, type SiteServer } from '../../src/demo/site-server.js';
import { tempDataDir } from '../helpers/crawl-helpers.js';
import { runCliAndKill } from '../helpers/resume-cli.js';
import { duplicates, lostLinks, readRawState, seededRandom, segmentNames } from '../helpers/resume-state.js';
import { runCli } from '../helpers/run-cli.js';

const SEED = Number(process.env.SKEIN_TEST_SEED ?? Date.now() % 1_000_000);
const PAGES = 2_000;
const ROUNDS = 4;
const CONCURRENCY = 16;
const BATCH_SIZE = 50;
const site = createGeneratedSite({ pages: PAGES, pageBytes: 4_000, linksPerPage: 30 });
const env = { SKEIN_STORE__BATCH_SIZE: String(BATCH_SIZE) };
const flags = ['--concurrency', String(CONCURRENCY), '--per-host', String(CONCURRENCY), '--workers', '2', '-q'];

/** The site's pages, as paths (robots.txt and sitemap.xml are not pages). */
const isPagePath = (p: string) => p === '/' || p.startsWith('/p/');
const pathOf = (key: string) => new URL(key).pathname;

function pageCounts(server: SiteServer): Map<string, number> {
  return new Map([...server.counts].filter(([p]) => isPagePath(p)));
}

describe(`kill -9 and resume (seed ${SEED})`, () => {
  test(`${ROUNDS} random SIGKILLs, then resume to the end: same pages as an uninterrupted crawl`, async (t) => {
    t.diagnostic(`seed ${SEED} (rerun with SKEIN_TEST_SEED=${SEED})`);
    const random = seededRandom(SEED);
    const data = await tempDataDir();
    const baselineServer = await startSiteServer({ site });
    const server = await startSiteServer({ site });
    const why = (message: string) => `${message} [seed ${SEED}]`;
    try {
      // The reference: one uninterrupted crawl of the same site (own server, own counts), run alongside.
      const baseline = runCli(['crawl', `${baselineServer.url}/`, '--name', 'baseline', '--data-dir', data.dir, ...flags], { env });

      const crawlDir = path.join(data.dir, 'killed');
      const pagesDir = path.join(crawlDir, 'pages');
      let countsBefore = new Map<string, number>();
      let durableBefore = new Set<string>();
      const report: string[] = [];
      for (let round = 1; round <= ROUNDS + 1; round++) {
        const args = round === 1 ? ['crawl', `${server.url}/`, '--name', 'killed', '--data-dir', data.dir, ...flags] : ['crawl', '--resume', 'killed', '--data-dir', data.dir, '-q'];
        const last = round === ROUNDS + 1;
        // Round 1 kills after segments appear (so crawl.json exists); later
        // rounds kill after 1–4 new segments (just after a flush) or 200–3000 ms
        // after the round's first request (anywhere between flushes), at random,
        // or earlier, once half the pages left have been requested.
        const segmentsAtStart = (await segmentNames(pagesDir)).length;
        const bySegments = round === 1 || random() < 0.5;
        const newSegments = 1 + Math.floor(random() * 4);
        const afterMs = 200 + Math.floor(random() * 2_800);
        const plan = last ? 'none' : bySegments ? `after ${newSegments} new segment(s)` : `${afterMs} ms after its first request`;
        const requestsAtStart = server.requests;
        let firstRequestAtMs: number | undefined;
        // A timed kill also comes once the round has made half the requests left to make, so that a
        // fast round cannot finish the crawl before its kill (the crawl's speed is not the test's).
        const halfLeft = Math.max(1, Math.floor((PAGES + 1 - durableBefore.size) / 2));
        const due = () => {
          if (firstRequestAtMs === undefined && server.requests > requestsAtStart) firstRequestAtMs = Date.now();
          return firstRequestAtMs !== undefined && (Date.now() - firstRequestAtMs >= afterMs || server.requests - requestsAtStart >= halfLeft);
        };
        const run = await runCliAndKill(args, async () => !last && (bySegments ? (await segmentNames(pagesDir)).length >= segmentsAtStart + newSegments : due()), { env });
        if (last) assert.equal(run.code, 0, why(`the last resume finishes: ${run.stderr}`));
        else assert.ok(run.killed, why(`round ${round} was killed (${plan}); exit ${run.code}: ${run.stderr}`));

        const state = await readRawState(crawlDir);
        const counts = pageCounts(server);
        assert.deepEqual(duplicates(state.pageKeys), [], why(`round ${round}: no page stored twice`));
        const origin = server.url;
        assert.deepEqual(lostLinks(state, (link) => link.startsWith(`${origin}/`)), [], why(`round ${round}: every link of a stored page is durable`));
        // Fetched in this round although already fetched before it:
        const refetched = [...counts].filter(([p, n]) => n > (countsBefore.get(p) ?? 0) && (countsBefore.get(p) ?? 0) > 0).map(([p]) => p);
        const durableRefetched = refetched.filter((p) => durableBefore.has(p));
        assert.deepEqual(durableRefetched, [], why(`round ${round}: pages on disk at the previous kill are not fetched again`));
        assert.ok(refetched.length <= CONCURRENCY + 2 * BATCH_SIZE, why(`round ${round}: ${refetched.length} pages fetched again`));
        const durable = new Set(state.pageKeys.map(pathOf));
        const notDurable = [...counts.keys()].filter((p) => !durable.has(p)).length;
        report.push(`round ${round} (${plan}): ${state.pageKeys.length} stored in ${state.pageSegments} segments, ${refetched.length} re-fetched, ${last ? 0 : notDurable} fetched but not durable at the kill`);
        countsBefore = counts;
        durableBefore = durable;
      }
      for (const line of report) t.diagnostic(line);

      const reference = await baseline;
      assert.equal(reference.code, 0, reference.stderr);
      const expected = new Set((await readRawState(path.join(data.dir, 'baseline'))).pageKeys.map(pathOf));
      assert.equal(expected.size, PAGES + 1, 'the uninterrupted crawl stores every page');
      assert.deepEqual([...pageCounts(baselineServer).values()].filter((n) => n !== 1), [], 'the uninterrupted crawl fetches each page once');

      const final = await readRawState(crawlDir);
      assert.deepEqual(duplicates(final.pageKeys), [], why('no page stored twice'));
      assert.deepEqual(new Set(final.pageKeys.map(pathOf)), expected, why('the final stored set equals the uninterrupted crawl'));
      const status = JSON.parse((await runCli(['status', 'killed', '--data-dir', data.dir, '--json'])).stdout);
      assert.equal(status.queued, 0);
      assert.equal(status.lastRun.endReason, 'done');
    } finally {
      await Promise.all([server.close(), baselineServer.close()]);
      await data.cleanup();
    }
  });
});
