/**
 * The report's data model from records (collect-report.ts), table-driven on
 * a small synthetic site: every audit a user reads in the report.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PageRecord } from '../../src/core/types.js';
import { collectReport } from '../../src/report/collect-report.js';
import { pageProblem } from '../../src/report/page-problem.js';
import { FLAG, PROBLEM, TEXT, type ReportData } from '../../src/report/report-data.js';
import { percentile } from '../../src/report/report-summary.js';
import { referrersByProblem } from '../helpers/report-file.js';

const O = 'https://site.test';
let n = 0;
function page(path: string, extra: Partial<PageRecord> = {}): PageRecord {
  const url = O + path;
  return {
    key: url, url, finalUrl: url, redirects: [], status: 200, contentType: 'text/html; charset=utf-8', depth: 1,
    fetchedAt: new Date(1_700_000_000_000 + n++).toISOString(), outcome: 'ok', bytes: 1000, charset: 'utf-8',
    timings: { waitMs: 10, downloadMs: 5, parseMs: 1, totalMs: 20 },
    title: `Title ${path}`, description: `About ${path}`, h1: [`H ${path}`], contentHash: `hash${path}`, links: [], ...extra,
  };
}

// Links to /gone come before and after its record: both are kept.
const RECORDS: PageRecord[] = [
  page('/', { depth: 0, links: [`${O}/a`, `${O}/gone`, `${O}/old`, 'https://elsewhere.test/x'], linkText: ['A page', 'Gone page', 'Old', ''] }),
  page('/a', { links: [`${O}/`, `${O}/gone`], linkText: ['Home', ''], title: 'Same', description: 'Same description', contentHash: 'dup' }),
  page('/gone', { status: 404, outcome: 'failed', reason: 'http-error', title: undefined, h1: [], charset: undefined, contentHash: undefined }),
  page('/b', { links: [`${O}/gone`, `${O}/loop`], linkText: ['gone again', 'loop'], title: 'Same', description: 'Same description', contentHash: 'dup', timings: { waitMs: 900, downloadMs: 100, parseMs: 1, totalMs: 1000 } }),
  page('/old', { redirects: [{ url: `${O}/old`, status: 301 }], finalUrl: `${O}/new` }),
  page('/loop', { status: undefined, outcome: 'failed', reason: 'redirect-loop', redirects: [{ url: `${O}/loop`, status: 302 }, { url: `${O}/loop2`, status: 302 }], finalUrl: `${O}/loop`, charset: undefined }),
  page('/sitemap-only', { title: '', description: undefined, h1: [] }),
  page('/private', { fetched: false, status: undefined, outcome: 'skipped', reason: 'robots', charset: undefined }),
  page('/doc.pdf', { contentType: 'application/pdf', charset: undefined, title: undefined, h1: [], bytes: 50_000 }),
  page('/noindex', { metaRobots: 'noindex, follow', canonical: `${O}/a` }),
];

describe('collectReport', async () => {
  const data: ReportData = await collectReport((async function* () { yield* RECORDS; })(), { name: 'site', dirs: ['data/site'], now: new Date(0) });
  const at = (path: string): number => data.urls.indexOf(path);

  test('pages keep store order, URLs are stored relative to the origin, off-site ones whole', () => {
    assert.equal(data.pages.count, RECORDS.length);
    assert.equal(data.origin, O);
    assert.deepEqual(data.urls.slice(0, 3), ['/', '/a', '/gone']);
    assert.equal(data.urls.includes('https://elsewhere.test/x'), false, 'a link to a page without a record is not embedded');
  });

  test('each problem page lists every referrer with its link text, earlier and later links alike', () => {
    assert.deepEqual(referrersByProblem(data, PROBLEM.broken), new Map([[`${O}/gone`, new Set([`${O}/ | Gone page`, `${O}/a | `, `${O}/b | gone again`])]]));
    assert.deepEqual(referrersByProblem(data, PROBLEM.redirectLoop), new Map([[`${O}/loop`, new Set([`${O}/b | loop`])]]));
    assert.deepEqual(referrersByProblem(data, PROBLEM.redirect), new Map([[`${O}/old`, new Set([`${O}/ | Old`])]]));
    assert.deepEqual(referrersByProblem(data, PROBLEM.blocked), new Map([[`${O}/private`, new Set()]]));
    assert.equal(data.links.to.every((to) => data.pages.problem[to] !== PROBLEM.none), true, 'links to fine pages are not embedded');
  });

  test('redirect chains: hops with statuses, and where they end', () => {
    const i = data.redirects.page.indexOf(at('/old'));
    assert.deepEqual(data.redirects.hops[i]!.map((v, k) => (k % 2 ? v : data.urls[v])), ['/old', 301]);
    assert.equal(data.urls[data.pages.final[at('/old')]!], '/new');
  });

  test('titles, descriptions, h1 and content: missing, empty and duplicated', () => {
    const p = data.pages;
    assert.equal(p.title[at('/gone')], TEXT.missing);
    assert.equal(p.title[at('/sitemap-only')], TEXT.empty);
    assert.equal(p.description[at('/sitemap-only')], TEXT.missing);
    assert.equal(p.description[at('/')], TEXT.unique, 'a unique description is not embedded');
    assert.equal(data.strings[p.description[at('/a')]!], 'Same description');
    assert.equal(p.title[at('/a')], p.title[at('/b')]);
    assert.equal(p.duplicate[at('/a')], p.duplicate[at('/b')]);
    assert.ok(p.duplicate[at('/a')]! >= 0);
    assert.equal(p.duplicate[at('/')], -1);
    assert.equal(p.h1[at('/sitemap-only')], 0);
  });

  test('flags, inlinks and the summary', () => {
    const p = data.pages;
    assert.ok(p.flags[at('/noindex')]! & FLAG.noindex);
    assert.ok(p.flags[at('/noindex')]! & FLAG.canonicalElsewhere);
    assert.deepEqual(data.canonical, { page: [at('/noindex')], to: [at('/a')] });
    assert.equal(p.flags[at('/doc.pdf')]! & FLAG.html, 0);
    assert.equal(p.inlinks[at('/gone')], 3);
    assert.equal(p.inlinks[at('/')], 1);
    const s = data.summary;
    assert.deepEqual(s.pages, { ok: 7, failed: 2, skipped: 1, total: 10 });
    assert.equal(s.statuses['404'], 1);
    assert.equal(s.statuses.none, 2);
    assert.deepEqual(s.depths, [1, 9]);
    assert.equal(s.responseMs.max, 1000);
    assert.equal(s.types['application/pdf'], 1);
    assert.equal(s.problems.broken, 1);
    assert.equal(s.problems.brokenLinks, 3);
    assert.equal(s.problems.duplicateTitles, 1);
    assert.equal(s.problems.duplicateDescriptions, 1);
    assert.equal(s.problems.duplicateContent, 1);
    assert.equal(s.problems.missingTitle, 1, '/sitemap-only (the 404 is no HTML page to audit)');
    // Orphans: ok HTML pages no page links to, seeds aside.
    assert.equal(s.problems.orphans, 3, '/b, /sitemap-only and /noindex');
  });
});

test('compacting the kept links (every link, here) changes nothing in the data', async () => {
  const stream = () => (async function* () { yield* RECORDS; })();
  const context = { name: 'site', dirs: ['data/site'], now: new Date(0) };
  assert.deepEqual(await collectReport(stream(), context, { compactLinksAt: 1 }), await collectReport(stream(), context));
});

test('pageProblem: what a referrer hears about its target', () => {
  const cases: [Partial<PageRecord>, number][] = [
    [{ status: 200, outcome: 'ok' }, PROBLEM.none],
    [{ status: 404, outcome: 'failed', reason: 'http-error' }, PROBLEM.broken],
    [{ status: 503, outcome: 'failed', reason: 'retry-after-too-long' }, PROBLEM.broken],
    [{ outcome: 'failed', reason: 'timeout' }, PROBLEM.broken],
    [{ outcome: 'failed', reason: 'connection' }, PROBLEM.broken],
    [{ outcome: 'skipped', reason: 'host-gave-up' }, PROBLEM.broken],
    [{ outcome: 'failed', reason: 'redirect-loop' }, PROBLEM.redirectLoop],
    [{ outcome: 'failed', reason: 'too-many-redirects' }, PROBLEM.redirectLoop],
    [{ outcome: 'skipped', reason: 'robots' }, PROBLEM.blocked],
    [{ status: 200, outcome: 'failed', reason: 'body-too-large' }, PROBLEM.oversized],
    [{ status: 200, outcome: 'ok', redirects: [{ url: 'x', status: 301 }] }, PROBLEM.redirect],
    [{ status: 200, outcome: 'skipped', reason: 'content-type' }, PROBLEM.none],
    [{ status: 200, outcome: 'failed', reason: 'parse-timeout' }, PROBLEM.none],
    [{ outcome: 'failed', reason: 'redirect-offsite', redirects: [{ url: 'x', status: 301 }] }, PROBLEM.redirect],
  ];
  for (const [record, expected] of cases) assert.equal(pageProblem({ redirects: [], outcome: 'ok', ...record }), expected, JSON.stringify(record));
});

test('percentile: nearest rank', () => {
  assert.equal(percentile([], 0.5), 0);
  assert.equal(percentile([5], 0.99), 5);
  assert.equal(percentile([1, 2, 3, 4], 0.5), 2);
  assert.equal(percentile([1, 2, 3, 4], 0.95), 4);
});
