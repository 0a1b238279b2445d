/**
 * `skein check` (and `skein report --fail-on`) through the built CLI on a
 * small scripted site: exit codes, problems grouped by the page linking to
 * them with the link text, the json and github formats, bad flags, and the
 * temporary crawl folder cleaned up.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { htmlPage, startScriptedSite, type ScriptedSite } from '../helpers/faults-site.js';
import { tempDirs } from '../helpers/crawl-helpers.js';
import { readReportData } from '../helpers/report-file.js';
import { runCli } from '../helpers/run-cli.js';

const page = (title: string, body: string, head = ''): string =>
  `<!doctype html><html><head><title>${title}</title><meta name="description" content="${title}">${head}</head><body><h1>${title}</h1>${body}</body></html>`;

describe('skein check (built CLI)', () => {
  const newDir = tempDirs();
  let site: ScriptedSite;
  let clean: ScriptedSite;
  before(async () => {
    site = await startScriptedSite({
      '/': { body: page('Home', '<a href="/a">About us</a> <a href="/gone">Old news</a> <a href="/loop">Loop</a>') },
      '/a': { body: page('About', '<a href="/gone">news again</a> <a href="/moved">Moved</a> <a href="/">home</a>') },
      '/gone': { status: 404, body: 'not here' },
      '/loop': { status: 302, headers: { Location: '/loop2' } },
      '/loop2': { status: 302, headers: { Location: '/loop' } },
      '/moved': { status: 301, headers: { Location: '/new' } },
      '/new': { body: htmlPage('', ['/']) },
    });
    clean = await startScriptedSite({ '/': { body: page('Home', '<a href="/b">b</a>') }, '/b': { body: page('B', '<a href="/">home</a>') } });
  });
  after(async () => {
    await site?.close();
    await clean?.close();
  });

  test('broken links and redirect loops (the default): exit 1, grouped by the linking page, with the link text', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'skein-check-tmp-'));
    const result = await runCli(['check', `${site.url}/`], { env: { TMPDIR: tmp } });
    assert.equal(result.code, 1, result.stderr);
    const expected = [
      `${site.url}/`,
      `  broken: ${site.url}/gone (404) "Old news"`,
      `  redirect-loops: ${site.url}/loop (302 redirect-loop) "Loop"`,
      `${site.url}/a`,
      `  broken: ${site.url}/gone (404) "news again"`,
      '3 problems on 2 pages (broken 2, redirect-loops 1)',
    ];
    assert.deepEqual(result.stdout.trimEnd().split('\n'), expected);
    assert.match(result.stderr, /checked \d+ pages/);
    assert.deepEqual(await readdir(tmp), [], 'the temporary crawl folder is removed');
  });

  test('--format json and github; --fail-on picks the problems; --report writes the HTML report', async () => {
    const dir = await newDir();
    const json = await runCli(['check', `${site.url}/`, '--format', 'json', '--fail-on', 'redirects,missing-title', '--report', join(dir, 'r.html')]);
    assert.equal(json.code, 1, json.stderr);
    const parsed = JSON.parse(json.stdout) as { ok: boolean; counts: Record<string, number>; problems: Array<Record<string, string>> };
    assert.equal(parsed.ok, false);
    assert.deepEqual(parsed.counts, { redirects: 1, 'missing-title': 1 });
    assert.deepEqual(parsed.problems, [
      { kind: 'redirects', page: `${site.url}/a`, url: `${site.url}/moved`, detail: `301 → ${site.url}/new`, linkText: 'Moved' },
      { kind: 'missing-title', page: `${site.url}/new`, detail: 'title missing' },
    ]);
    assert.equal((await readReportData(join(dir, 'r.html'))).summary.problems.broken, 1);

    const github = await runCli(['check', `${site.url}/`, '--format', 'github']);
    assert.equal(github.code, 1);
    const lines = github.stdout.trimEnd().split('\n');
    assert.equal(lines[0], `::error title=Broken link::${site.url}/ links to ${site.url}/gone (404) "Old news"`);
    assert.equal(lines.length, 4);
  });

  test('a clean site exits 0; report --fail-on on a stored crawl does the same as check', async () => {
    const result = await runCli(['check', `${clean.url}/`, '--fail-on', 'all']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^no problems found \(broken 0, redirect-loops 0, redirects 0, /);

    const dataDir = await newDir();
    const kept = await runCli(['check', `${site.url}/`, '--data-dir', dataDir, '--name', 'kept', '--format', 'json']);
    assert.equal(kept.code, 1);
    await access(join(dataDir, 'kept', 'crawl.json'));
    const report = await runCli(['report', 'kept', '--data-dir', dataDir, '--fail-on', 'broken,redirect-loops', '--format', 'json']);
    assert.equal(report.code, 1, report.stderr);
    assert.deepEqual(JSON.parse(report.stdout), JSON.parse(kept.stdout));
    const none = await runCli(['report', 'kept', '--data-dir', dataDir, '--fail-on', 'oversized']);
    assert.equal(none.code, 0);

    // status: the same summary in brief (on a terminal, or with --summary)
    const status = await runCli(['status', 'kept', '--data-dir', dataDir, '--summary']);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /status codes: 200 ×3, .*404 ×1/);
    assert.equal(status.stdout.match(/pages:/g)?.length, 1, 'the page counts once');
    assert.match(status.stdout, /found: 1 broken URL \(2 links to them\), 1 redirect loop, 1 redirect/);
    assert.match(status.stdout, /the full report: skein report kept --data-dir /);
    const plain = await runCli(['status', 'kept', '--data-dir', dataDir]);
    assert.doesNotMatch(plain.stdout, /status codes:/, 'not on a pipe unless asked');
  });

  test('bad flags: exit 2 with one message, before anything is crawled', async () => {
    const dataDir = await newDir();
    const failOn = await runCli(['check', `${site.url}/`, '--fail-on', 'broken,typo', '--data-dir', dataDir]);
    assert.equal(failOn.code, 2);
    assert.match(failOn.stderr, /fail-on.*unknown problem "typo"; expected some of: broken, redirect-loops/);
    const report = await runCli(['check', `${site.url}/`, '--report', join(dataDir, 'missing', 'r.html'), '--data-dir', dataDir]);
    assert.equal(report.code, 2);
    assert.match(report.stderr, /cannot write .*missing.*does not exist/);
    const format = await runCli(['check', `${site.url}/`, '--format', 'xml']);
    assert.equal(format.code, 2);
    assert.deepEqual(await readdir(dataDir), []);
  });
});
