/**
 * A crawl writing WARC killed with SIGKILL five times at random points
 * (after a flush, or anywhere between flushes) and resumed to its end: every
 * file parses completely with warcio (a torn record was cut on resume) and
 * its digests verify, each run wrote its own file, and each stored page's
 * response is in the archive exactly once (a page fetched again after a kill
 * was not stored before it, and neither were its records), and every revisit
 * refers to a response that is in the archive (the revisit index read back on
 * resume holds no record a resume cut).
 *
 * Kill points come from a seeded PRNG; reproduce with SKEIN_TEST_SEED=<seed>.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createGeneratedSite } from '../../src/demo/generated-site.js';
import { startSiteServer } from '../../src/demo/site-server.js';
import { storedRecords, tempDataDir } from '../helpers/crawl-helpers.js';
import { runCliAndKill } from '../helpers/resume-cli.js';
import { seededRandom, segmentNames } from '../helpers/resume-state.js';
import { runCli } from '../helpers/run-cli.js';
import { checkPairs, checkRevisits, readWarc, warcFiles } from '../helpers/read-warc.js';

const SEED = Number(process.env.SKEIN_TEST_SEED ?? Date.now() % 1_000_000);
const KILLS = 5;
const site = createGeneratedSite({ pages: 800, pageBytes: 3_000, linksPerPage: 20 });
const env = { SKEIN_STORE__BATCH_SIZE: '40' };

test(`kill -9 a crawl writing WARC ${KILLS} times, resume to the end: whole files, each stored page's response once (seed ${SEED})`, async (t) => {
  t.diagnostic(`seed ${SEED} (rerun with SKEIN_TEST_SEED=${SEED})`);
  const random = seededRandom(SEED);
  const data = await tempDataDir();
  const server = await startSiteServer({ site, gzip: true, latencyMs: 2 });
  const warcDir = path.join(data.dir, 'warc');
  const pagesDir = path.join(data.dir, 'killed', 'pages');
  const why = (message: string) => `${message} [seed ${SEED}]`;
  try {
    const first = ['crawl', `${server.url}/`, '--name', 'killed', '--data-dir', data.dir, '--warc', warcDir, '--concurrency', '8', '--per-host', '8', '--workers', '1', '-q'];
    const resume = ['crawl', '--resume', 'killed', '--data-dir', data.dir, '-q'];
    let kills = 0;
    for (let round = 1; kills < KILLS; round++) {
      assert.ok(round <= KILLS * 3, why('the crawl ended before it could be killed often enough'));
      const segmentsAtStart = (await segmentNames(pagesDir)).length;
      const bySegments = round === 1 || random() < 0.5;
      const afterMs = 150 + Math.floor(random() * 1_200);
      const run = await runCliAndKill(round === 1 ? first : resume, async (elapsedMs) => {
        if (bySegments) return (await segmentNames(pagesDir)).length > segmentsAtStart;
        return elapsedMs >= afterMs;
      }, { env });
      if (!run.killed) {
        assert.equal(run.code, 0, why(`round ${round} exited early: ${run.stderr}`));
        break;
      }
      kills++;
    }
    const last = await runCli(resume, { env, timeoutMs: 120_000 });
    assert.equal(last.code, 0, why(last.stderr));

    const records = await readWarc(warcDir);
    checkPairs(records);
    // robots.txt, fetched by every run, is a revisit of the first run's: never of a record a resume cut.
    checkRevisits(records);
    assert.ok(records.some((r) => r.type === 'revisit'), why('a later run\'s robots.txt is a revisit'));
    const files = await warcFiles(warcDir);
    assert.ok(files.length >= 2 && files.length <= kills + 1, why(`${files.length} files for ${kills + 1} runs`));
    assert.equal(new Set(files.map((f) => /-(\d{5})\.warc\.gz$/.exec(f)?.[1])).size, files.length, why('each run has its own serial'));

    const stored = [...(await storedRecords(data.dir, 'killed')).values()].filter((r) => r.fetched !== false);
    assert.ok(stored.length >= 800, why(`${stored.length} pages stored`));
    const responses = new Map<string, number>();
    for (const r of records) if (r.type === 'response' || r.type === 'revisit') responses.set(r.uri!, (responses.get(r.uri!) ?? 0) + 1);
    const wrong = stored.filter((r) => responses.get(r.url) !== 1).map((r) => `${r.url} ×${responses.get(r.url) ?? 0}`);
    assert.deepEqual(wrong, [], why('each stored page has exactly one response'));
    t.diagnostic(`${kills} kills, ${files.length} files, ${records.length} records, ${stored.length} pages`);
  } finally {
    await server.close();
    await data.cleanup();
  }
});
