/**
 * A misspelled or dead host, as a user meets it with the built binary: it is
 * reported at once, given up after one short retry (not after minutes of
 * retries), and a crawl whose every seed failed exits 4 saying why. DNS
 * failures run in a private network namespace (`unshare -n`: no resolver can
 * be reached, getaddrinfo fails with EAI_AGAIN), so no test leaves the machine.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closedPort } from '../helpers/fetch-server.js';
import { spawnSync } from 'node:child_process';
import { htmlPage, startScriptedSite, type ScriptedSite } from '../helpers/faults-site.js';
import { storedRecords, tempDirs } from '../helpers/crawl-helpers.js';
import { runCli, runPasted, SKEIN_BIN } from '../helpers/run-cli.js';


const canUnshare = spawnSync('unshare', ['-n', 'true']).status === 0;

describe('dead and misspelled hosts (built CLI)', () => {
  const newDir = tempDirs();
  let site: ScriptedSite;
  before(async () => {
    site = await startScriptedSite({ '/': { body: htmlPage('home', ['/a']) }, '/a': { body: htmlPage('a') } });
  });
  after(() => site.close());

  test('a host name that does not resolve: reported at once, given up after one retry, exit 4 with the reason', { skip: canUnshare ? false : 'needs unshare -n (root)' }, async () => {
    const dataDir = await newDir();
    const startedAt = Date.now();
    const result = await runPasted(`unshare -n ${JSON.stringify(process.execPath)} ${JSON.stringify(SKEIN_BIN)} crawl http://nonexistent.invalid/ --name dns --data-dir ${dataDir} --workers 1`);
    const tookMs = Date.now() - startedAt;
    assert.equal(result.code, 4, result.stderr);
    assert.ok(tookMs < 15_000, `given up in ${tookMs} ms, not after minutes of retries`);
    assert.match(result.stderr, /warn: nonexistent\.invalid: DNS lookup failed \(EAI_AGAIN\); trying once more in [\d.]+ s, then giving the host up/);
    assert.match(result.stderr, /gave up on nonexistent\.invalid: cannot be reached: DNS lookup failed \(EAI_AGAIN\)/);
    assert.match(result.stderr, /nothing crawled: every seed failed:\n\s+http:\/\/nonexistent\.invalid\/: connection: robots\.txt unreachable: DNS lookup failed \(EAI_AGAIN\)/);
    const records = [...(await storedRecords(dataDir, 'dns')).values()];
    assert.deepEqual(records.map((r) => [r.outcome, r.reason, r.fetched]), [['failed', 'connection', false]]);
  });

  test('refused connections, robots.txt off: one retry, then the host is given up; exit 4 even with --quiet', async () => {
    const dataDir = await newDir();
    const port = await closedPort();
    const startedAt = Date.now();
    const result = await runCli(['crawl', `http://127.0.0.1:${port}/`, `http://127.0.0.1:${port}/b`, '--name', 'refused', '--data-dir', dataDir, '--ignore-robots', '--no-sitemaps', '--workers', '1', '--quiet']);
    assert.equal(result.code, 4, result.stderr);
    assert.ok(Date.now() - startedAt < 15_000);
    assert.match(result.stderr, /^nothing crawled: every seed failed:$/m);
    assert.match(result.stderr, new RegExp(`http://127\\.0\\.0\\.1:${port}/: connection: connect ECONNREFUSED`));
    const records = [...(await storedRecords(dataDir, 'refused')).values()];
    assert.equal(records.length, 2);
    assert.ok(records.some((r) => r.outcome === 'failed' && r.error?.code === 'ECONNREFUSED'));
  });

  test('one dead seed among live ones: the dead host is given up quickly, the crawl goes on and exits 0', async () => {
    const dataDir = await newDir();
    const port = await closedPort();
    const result = await runCli(['crawl', `http://127.0.0.1:${port}/`, `${site.url}/`, '--scope', 'any', '--name', 'mixed', '--data-dir', dataDir, '--workers', '1', '--json']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, new RegExp(`gave up on 127\\.0\\.0\\.1:${port}: cannot be reached: connection refused \\(ECONNREFUSED\\)`));
    const summary = JSON.parse(result.stdout);
    assert.equal(summary.pages.ok, 2);
    assert.deepEqual([summary.seeds.finished, summary.seeds.reached], [2, 1]);
  });

  test('a robots.txt answering 503 holds its pages back: said at once, fetched again after 1 s and 2 s, then the host is given up (seconds, not minutes)', async () => {
    const busy = await startScriptedSite({ '/robots.txt': { status: 503, type: 'text/plain', body: 'busy' }, '/': { body: htmlPage('home') } });
    try {
      const dataDir = await newDir();
      const startedAt = Date.now();
      const result = await runCli(['crawl', `${busy.url}/`, '--name', 'busy', '--data-dir', dataDir, '--workers', '1', '--no-sitemaps']);
      assert.equal(result.code, 4, result.stderr);
      assert.ok(Date.now() - startedAt < 20_000, `done in ${Date.now() - startedAt} ms`);
      const warning = /warn: 127\.0\.0\.1:\d+: robots\.txt unreachable \(503\); its pages wait until it can be fetched \(next try in ([\d.]+) s\)/.exec(result.stderr);
      assert.ok(warning, result.stderr);
      // 1 s from the robots.txt answer, counted from when the page's turn came (a little earlier).
      assert.ok(Number(warning[1]) <= 3, `next try in ${warning[1]} s`);
      assert.match(result.stderr, /http:\/\/127\.0\.0\.1:\d+\/: robots: robots\.txt unreachable \(503\)/);
      assert.match(result.stderr, /gave up on 127\.0\.0\.1:\d+: robots\.txt unreachable \(503\) on 3 tries in a row/, 'its other URLs would wait on the same file');
      const robotsHits = busy.log.filter((hit) => hit.path === '/robots.txt').map((hit) => hit.atMs);
      assert.equal(robotsHits.length, 3, 'fetched once, then once per retry (fetch.retries 2)');
      assert.ok(robotsHits[2]! - robotsHits[0]! >= 2_900, `tries spaced 1 s then 2 s (${robotsHits[1]! - robotsHits[0]!}, ${robotsHits[2]! - robotsHits[1]!} ms)`);
      assert.equal(busy.pageHits().length, 0);
      const records = [...(await storedRecords(dataDir, 'busy')).values()];
      assert.deepEqual(records.map((r) => [r.outcome, r.reason]), [['skipped', 'robots']]);
    } finally {
      await busy.close();
    }
  });
});
