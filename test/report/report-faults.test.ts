/**
 * `skein report` on a crawl of the fault server (test/helpers/fault-server.ts),
 * through the built CLI: every broken link, redirect loop and oversized page
 * the crawl recorded is in the report with every page that links to it and
 * the link text, checked against the stored records themselves.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { PageRecord } from '../../src/core/types.js';
import { PROBLEM, type ReportData } from '../../src/report/report-data.js';
import { pageProblem } from '../../src/report/page-problem.js';
import { runCrawl, tempDirs, testConfig } from '../helpers/crawl-helpers.js';
import { startFaultServer, type FaultServer } from '../helpers/fault-server.js';
import { readReportData, referrersByProblem } from '../helpers/report-file.js';
import { runCli } from '../helpers/run-cli.js';

describe('skein report on the fault-server crawl (built CLI)', () => {
  const newDir = tempDirs();
  let server: FaultServer;
  let dataDir: string;
  let records: Map<string, PageRecord>;
  let data: ReportData;
  let html: string;
  let stderr: string;

  before(async () => {
    server = await startFaultServer();
    dataDir = await newDir();
    const config = testConfig(dataDir, {
      name: 'faults',
      seeds: [server.url + '/'],
      scope: { maxDepth: 4, maxPages: 500 },
      fetch: { retries: 0, maxBodyBytes: 2 * 1024 * 1024, timeouts: { responseMs: 1_500, requestMs: 3_000, socketMs: 1_500 } },
    });
    ({ records } = await runCrawl(config));
    const result = await runCli(['report', 'faults', '--data-dir', dataDir]);
    assert.equal(result.code, 0, result.stderr);
    stderr = result.stderr;
    const file = join(dataDir, 'faults', 'report.html');
    html = await readFile(file, 'utf8');
    data = await readReportData(file);
  });
  after(() => server?.close());

  /** Every "referrer | link text" pair the stored records hold for `key`. */
  function storedReferrers(key: string): Set<string> {
    const out = new Set<string>();
    for (const record of records.values()) {
      const at = record.links?.indexOf(key) ?? -1;
      if (at >= 0 && record.key !== key) out.add(`${record.key} | ${record.linkText?.[at] ?? ''}`);
    }
    return out;
  }

  for (const [label, problem, expected] of [
    // (what a timeout-sensitive route records can change on a loaded machine: only the sure ones are named)
    ['broken link', PROBLEM.broken, ['/faults/missing', '/faults/reset-mid-body', '/limited/503-day']],
    ['redirect loop', PROBLEM.redirectLoop, ['/faults/redirect-loop']],
    ['oversized page', PROBLEM.oversized, ['/faults/huge']],
  ] as const) {
    test(`every ${label} the crawl recorded is in the report, with every referrer and its link text`, () => {
      const inStore = [...records.values()].filter((r) => pageProblem(r) === problem).map((r) => r.key).sort();
      for (const path of expected) assert.ok(inStore.includes(server.url + path), `${path} recorded as a ${label}`);
      const reported = referrersByProblem(data, problem);
      assert.deepEqual([...reported.keys()].sort(), inStore);
      for (const key of inStore) {
        const referrers = storedReferrers(key);
        assert.ok(referrers.size > 0, `${key} has referrers`);
        assert.deepEqual([...reported.get(key)!].sort(), [...referrers].sort(), key);
      }
    });
  }

  test('link text is the anchor text: the index links each fault by its path', () => {
    const reported = referrersByProblem(data, PROBLEM.broken);
    assert.ok(reported.get(server.url + '/faults/missing')!.has(`${server.url}/ | /faults/missing`));
  });

  test('redirect chains list their hops; robots-blocked, non-HTML and the summary are there', () => {
    const page = data.urls.indexOf('/faults/redirect-known');
    const at = data.redirects.page.indexOf(page);
    assert.ok(at >= 0, 'redirect-known has a chain');
    assert.deepEqual(data.redirects.hops[at]!.slice(1), [301]);
    assert.equal(data.urls[data.pages.final[page]!], '/ok/1');
    assert.equal(data.pages.problem[data.urls.indexOf('/faults/redirect-robots')], PROBLEM.blocked);
    const pdf = data.urls.indexOf('/faults/pdf');
    assert.equal(data.strings[data.pages.type[pdf]!], 'application/pdf');
    assert.equal(data.summary.pages.total, records.size);
    assert.equal(data.summary.problems.broken, [...records.values()].filter((r) => pageProblem(r) === PROBLEM.broken).length);
    assert.match(stderr, /report of \d+ pages written to .*report\.html/);
    assert.match(stderr, /found: .*broken URL/);
  });

  test('the file is self-contained: no external scripts, styles or fetches', () => {
    assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+stylesheet|@import|fetch\(/);
    assert.match(html, /<style>/);
    assert.match(html, /function renderTable/);
  });

  test('bad input: a missing crawl or an unwritable --out is one message and exit 2; nothing is written', async () => {
    const missing = await runCli(['report', 'nope', '--data-dir', dataDir]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no crawl named "nope"/);
    const out = join(dataDir, 'no-such-folder', 'r.html');
    const unwritable = await runCli(['report', 'faults', '--data-dir', dataDir, '--out', out]);
    assert.equal(unwritable.code, 2);
    assert.match(unwritable.stderr, /cannot write .*no-such-folder.*does not exist/);
    const onFolder = await runCli(['report', 'faults', '--data-dir', dataDir, '--out', join(dataDir, 'faults')]);
    assert.equal(onFolder.code, 2, onFolder.stderr);
    assert.match(onFolder.stderr, /cannot write/);
    assert.ok((await stat(join(dataDir, 'faults'))).isDirectory());
    assert.deepEqual((await readdir(dataDir)).sort(), ['faults']);
    assert.deepEqual((await readdir(join(dataDir, 'faults'))).filter((f) => f.includes('.tmp')), []);
  });
});
