/**
 * `skein bench` on a small local generated site: it runs, reports every mode,
 * its JSON is consistent, the SVG chart is written. No timing assertions.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { tempDataDir } from '../helpers/crawl-helpers.js';
import { runCli } from '../helpers/run-cli.js';

interface Row {
  mode: string;
  workers: number;
  pages: number;
  pagesPerSecond: number;
  crawlPagesPerSecond: number;
  parseMsPerPage: number;
  ipcMsPerPage: number;
  cpuMsPerPage: { main: number; mainThread: number; workers: number; total: number };
  peakRssMb: number;
}

describe('skein bench', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  before(async () => ({ dir, cleanup } = await tempDataDir()));
  after(() => cleanup());

  test('--json reports every mode with consistent numbers, and --chart writes an SVG', async () => {
    const chart = join(dir, 'bench.svg');
    const result = await runCli(['bench', '--pages', '12', '--parses', '12', '--worker-counts', '1,2', '--json', '--chart', chart, '-q'], { cwd: dir, timeoutMs: 120_000 });
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as {
      target: { url: string; local: boolean };
      machine: { availableParallelism: number; autoWorkers: number; node: string };
      sample: { pages: number; networkMsPerPage: number; parseMsPerPage: number; crawlMainMsPerPage: number; bytesPerPage: number };
      results: Row[];
      recommendation: { mode: string; workers: number; fetchConcurrency: number; pagesPerSecond: number; crawlPagesPerSecond: number; bound: string; reason: string };
    };
    assert.equal(report.target.local, true);
    assert.match(report.target.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal(report.machine.node, process.version);
    assert.ok(report.sample.pages > 0 && report.sample.pages <= 12, `sample of ${report.sample.pages} pages`);
    assert.ok(report.sample.bytesPerPage > 10_000, 'generated pages are ~25 KB');
    assert.ok(report.sample.parseMsPerPage > 0);
    assert.ok(report.sample.crawlMainMsPerPage > 0, 'the sample crawl measured its main process');

    const configs = report.results.map((r) => `${r.mode}×${r.workers}`).sort();
    assert.deepEqual(configs, ['inline×1', 'process×1', 'process×2', 'thread×1', 'thread×2']);
    for (const r of report.results) {
      const label = `${r.mode}×${r.workers}`;
      assert.equal(r.pages, 12, label);
      for (const value of [r.pagesPerSecond, r.parseMsPerPage, r.cpuMsPerPage.total, r.peakRssMb]) assert.ok(value > 0, `${label}: ${JSON.stringify(r)}`);
      assert.ok(r.ipcMsPerPage >= 0, label);
      assert.ok(r.crawlPagesPerSecond > 0, `${label}: a crawl estimate`);
      // Reported for every configuration (what it measures is tested in bench-units.test.ts).
      assert.equal(typeof r.cpuMsPerPage.mainThread, 'number', label);
      // Parsing happens in worker processes only in process mode.
      if (r.mode === 'process') assert.ok(r.cpuMsPerPage.workers > 0, `${label}: worker CPU is counted`);
      else assert.equal(r.cpuMsPerPage.workers, 0, label);
    }

    const rec = report.recommendation;
    const measured = report.results.find((r) => r.mode === rec.mode && r.workers === rec.workers);
    assert.ok(measured, `recommendation ${rec.mode}×${rec.workers} names a measured configuration`);
    assert.equal(rec.pagesPerSecond, measured.pagesPerSecond);
    assert.equal(rec.crawlPagesPerSecond, measured.crawlPagesPerSecond, 'the recommendation ranks the estimated results');
    assert.ok(Number.isInteger(rec.fetchConcurrency) && rec.fetchConcurrency >= 4);
    assert.ok(rec.bound === 'cpu' || rec.bound === 'io');
    assert.match(rec.reason, /pages\/s/);
    assert.equal(rec.reason.split(/\.\s/).length, 1, 'the reason is one sentence');

    const svg = await readFile(chart, 'utf8');
    assert.match(svg, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.ok(svg.trimEnd().endsWith('</svg>'));
    assert.equal((svg.match(/<rect [^>]*fill="#(?!ffffff)[0-9a-f]{6}"><title>/g) ?? []).length, report.results.length, 'one bar per configuration');
    const opened = (svg.match(/<(?!\/|\?)[a-z]+[^>]*[^/]>/g) ?? []).length;
    const closed = (svg.match(/<\/[a-z]+>/g) ?? []).length;
    assert.equal(opened, closed, 'every element that opens closes');
  });

  test('prints a table and a recommendation on the terminal; bad flags exit 2', async () => {
    const result = await runCli(['bench', '--pages', '8', '--parses', '8', '--modes', 'inline,process', '--worker-counts', '1'], { cwd: dir, timeoutMs: 120_000 });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^mode +workers +extraction pages\/s +crawl pages\/s \(est\.\) +parse ms\/page +IPC ms\/page/m);
    assert.match(result.stdout, /^inline +1 /m);
    assert.match(result.stdout, /^process +1 /m);
    assert.doesNotMatch(result.stdout, /^thread /m);
    assert.match(result.stdout, /^recommendation: parser\.mode "(inline|process)", parser\.workers 1, fetch\.concurrency \d+$/m);
    assert.match(result.stderr, /fetching a sample of up to 8 pages/);

    const bad = await runCli(['bench', '--modes', 'fibers'], { cwd: dir });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /modes.*inline, thread, process/);
  });
});
