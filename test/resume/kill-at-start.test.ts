/**
 * A crawl is resumable from its first moment: its config and seeds
 * (crawl.json) are stored before it fetches anything, and its folder appears
 * with them, so a kill -9 right after it starts leaves a crawl `skein resume`
 * knows, and the resume crawls the whole site.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { access, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createGeneratedSite } from '../../src/demo/generated-site.js';
import { startSiteServer, type SiteServer } from '../../src/demo/site-server.js';
import { storedRecords, tempDirs } from '../helpers/crawl-helpers.js';
import { runCliAndKill } from '../helpers/resume-cli.js';
import { runCli } from '../helpers/run-cli.js';

const PAGES = 60;
const newDir = tempDirs('skein-kill-at-start-');
const exists = (file: string) => access(file).then(() => true, () => false);

describe('kill -9 right after a crawl starts', () => {
  let server: SiteServer;
  before(async () => {
    server = await startSiteServer({ site: createGeneratedSite({ pages: PAGES }) });
  });
  after(() => server.close());

  test('killed as soon as its folder appears, before any request, the crawl resumes to the end', async () => {
    const dataDir = await newDir();
    const crawlJson = path.join(dataDir, 'site', 'crawl.json');
    let requestsAtKill = -1;
    const run = await runCliAndKill(['crawl', `${server.url}/`, '--name', 'site', '--data-dir', dataDir, '--workers', '1', '-q'], async () => {
      if (!(await exists(path.join(dataDir, 'site')))) return false;
      requestsAtKill = [...server.counts.values()].reduce((sum, n) => sum + n, 0);
      return true;
    }, { pollMs: 1 });
    assert.ok(run.killed, `the crawl was killed (exit ${run.code}: ${run.stderr})`);
    // The crawl's first moment: nothing fetched yet (not even robots.txt), and its config and seeds stored.
    assert.equal(requestsAtKill, 0);
    assert.deepEqual(await readdir(dataDir), ['site'], 'no staging folder left');
    const meta = JSON.parse(await readFile(crawlJson, 'utf8')) as { config: { seeds: string[] }; runs: Array<{ finishedAt?: string }> };
    assert.deepEqual(meta.config.seeds, [`${server.url}/`]);
    assert.equal(meta.runs.length, 1);
    assert.equal(meta.runs[0]!.finishedAt, undefined, 'the killed run is recorded as unfinished');

    const resumed = await runCli(['resume', 'site', '--data-dir', dataDir, '--workers', '1', '-q']);
    assert.equal(resumed.code, 0, resumed.stderr);
    const records = await storedRecords(dataDir, 'site');
    assert.equal([...records.values()].filter((record) => record.status === 200).length, PAGES + 1, 'the home page and every page of the site');
    const after = JSON.parse(await readFile(crawlJson, 'utf8')) as { runs: Array<{ finishedAt?: string; endReason?: string }> };
    assert.equal(after.runs.length, 2);
    assert.equal(after.runs[1]!.endReason, 'done');
  });

  test('a crawl whose setup fails leaves nothing behind', async () => {
    const dataDir = await newDir();
    const result = await runCli(['crawl', `${server.url}/`, '--name', 'bad', '--data-dir', dataDir, '-q'], { env: { SKEIN_EXTRACT__MODULE: 'no-such-extractor.js' } });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /extract\.module/);
    assert.equal(await exists(path.join(dataDir, 'bad')), false);
  });
});
