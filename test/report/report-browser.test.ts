/**
 * The report opened in headless Chromium (playwright-core driving the
 * Debian package): it renders every section without a console error, and
 * its tables sort, filter and page like a user expects. A screenshot goes to
 * test-artifacts/report.png. Skipped, saying why, where no Chromium exists.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import type { PageRecord } from '../../src/core/types.js';
import { collectReport } from '../../src/report/collect-report.js';
import { writeReport } from '../../src/report/render-report.js';
import { writeOutFile } from '../../src/cli/write-out-file.js';
import { tempDirs } from '../helpers/crawl-helpers.js';
import { NO_CHROMIUM, findChromium } from '../helpers/find-chromium.js';

const O = 'https://site.test';
const DEAD = 'https://other.test/dead';
const LIVE = 'https://other.test/fine';
/** Pages of the synthetic site: enough for the all-pages table to have several pages of rows. */
const PAGES = 120;

function record(n: number): PageRecord {
  const key = n === 0 ? `${O}/` : `${O}/p/${n}`;
  const links = [`${O}/`, `${O}/p/${(n + 1) % PAGES}`, ...(n % 10 === 1 ? [`${O}/gone`] : []), ...(n % 30 === 2 ? [DEAD] : []), ...(n % 40 === 4 ? [LIVE] : [])];
  return {
    key, url: key, finalUrl: key, redirects: [], status: 200, contentType: 'text/html', depth: n === 0 ? 0 : 1,
    fetchedAt: new Date(1_700_000_000_000 + n).toISOString(), outcome: 'ok', bytes: 1_000 + n * 100, charset: 'utf-8',
    timings: { waitMs: n, downloadMs: 1, parseMs: 1, totalMs: n + 2 },
    title: n % 7 === 0 ? 'Shared title' : n === 3 ? 'Page 3 <script>alert(1)</script><b>bold</b>' : `Page ${n}`, description: `About page ${n}`, h1: n === 5 ? [] : [`Page ${n}`],
    links, linkText: links.map((url) => (url.endsWith('/gone') ? `Gone from ${n}` : url === DEAD ? `Dead outbound from ${n}` : 'next')), contentHash: `h${n}`,
  };
}

const gone: PageRecord = {
  key: `${O}/gone`, url: `${O}/gone`, finalUrl: `${O}/gone`, redirects: [], status: 404, depth: 2, fetchedAt: new Date(1_700_000_000_000).toISOString(),
  outcome: 'failed', reason: 'http-error', bytes: 10, timings: { waitMs: 1, downloadMs: 0, parseMs: 0, totalMs: 1 },
};

/** Off-site links checked with --check-external: one dead (linked from 4 pages), one fine (from 3), stored with `external: true`. */
const external = (url: string, status: number): PageRecord => ({
  key: url, url, finalUrl: url, redirects: [], status, contentType: 'text/html', depth: 2, fetchedAt: new Date(1_700_000_000_000).toISOString(),
  outcome: status < 400 ? 'ok' : 'failed', ...(status < 400 ? {} : { reason: 'http-error' as const }), bytes: 0, external: true,
  timings: { waitMs: 9_000, downloadMs: 0, parseMs: 0, totalMs: 9_000 },
});

const chromium = findChromium();

describe('the report in headless Chromium', { skip: chromium ? false : NO_CHROMIUM }, () => {
  const newDir = tempDirs();
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  before(async () => {
    const { chromium: launcher } = await import('playwright-core');
    const records = [...Array.from({ length: PAGES }, (_, n) => record(n)), gone, external(DEAD, 404), external(LIVE, 200)];
    const data = await collectReport((async function* () { yield* records; })(), { name: 'site', dirs: ['data/site'] });
    const file = join(await newDir(), 'report.html');
    await writeOutFile(file, (stream) => writeReport(data, stream));
    browser = await launcher.launch({ executablePath: chromium!, args: ['--no-sandbox', '--disable-gpu'] });
    page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('dialog', (dialog) => errors.push(`dialog: ${dialog.message()}`));
    page.on('request', (request) => !request.url().startsWith('file:') && errors.push(`fetched ${request.url()}`));
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  });
  after(async () => {
    await browser?.close();
  });

  const rowsOf = (section: string) => page.locator(`#${section} tbody tr`);
  const rangeOf = (section: string) => page.locator(`#${section} .range`).textContent();

  test('every section renders, with no console error and nothing fetched', async () => {
    for (const id of ['summary', 'broken', 'loops', 'redirects', 'oversized', 'slowest', 'largest', 'duplicate-titles', 'duplicate-descriptions', 'duplicate-content', 'missing', 'canonical', 'noindex', 'blocked', 'non-html', 'external', 'orphans', 'pages']) {
      assert.equal(await page.locator(`section#${id} h2`).count(), 1, id);
    }
    assert.equal(await page.locator('#summary svg').count() >= 4, true, 'charts drawn');
    assert.equal(await page.locator('#nav a').count(), 18);
    assert.deepEqual(errors, []);
  });

  test('broken links: one row per referrer, with the link text, each URL a link', async () => {
    assert.equal(await rowsOf('broken').count(), PAGES / 10 + PAGES / 30);
    const first = rowsOf('broken').filter({ hasText: `${O}/gone` }).first();
    assert.equal(await first.locator('td').nth(0).locator('a').getAttribute('href'), `${O}/gone`);
    assert.equal(await first.locator('td').nth(0).locator('.badge').count(), 0, 'a page of the site has no badge');
    assert.equal(await first.locator('td').nth(1).textContent(), '404');
    assert.match((await first.locator('td').nth(3).textContent()) ?? '', /^Gone from \d+$/);
    assert.equal(await page.locator('#nav a[href="#broken"] .count.bad').textContent(), String(PAGES / 10 + PAGES / 30));
  });

  test('external link checks are badged, listed apart, and not counted or listed as pages of the crawl', async () => {
    const dead = rowsOf('broken').filter({ hasText: DEAD });
    assert.equal(await dead.count(), PAGES / 30, 'the dead outbound link with each page linking to it');
    assert.equal(await dead.first().locator('td').nth(0).locator('.badge').textContent(), 'external');
    assert.match((await dead.first().locator('td').nth(3).textContent()) ?? '', /^Dead outbound from \d+$/);
    assert.deepEqual(await rowsOf('external').locator('td:first-child a').allTextContents(), [DEAD, LIVE]);
    assert.deepEqual(await rowsOf('external').locator('td:nth-child(3)').allTextContents(), ['broken', 'ok']);
    assert.deepEqual(await rowsOf('external').locator('td:last-child').allTextContents(), [`${PAGES / 30} pages`, `${PAGES / 40} pages`]);
    const card = (label: string) => page.locator('#summary .card', { has: page.locator('.label', { hasText: new RegExp(`^${label}$`) }) }).locator('.value').textContent();
    assert.equal(await card('pages'), String(PAGES + 1), 'the site\'s pages and the broken URL, not the external checks');
    assert.equal(await card('external links checked'), '2');
    assert.equal(await card('external broken'), '1');
    for (const section of ['pages', 'slowest', 'largest', 'non-html']) {
      assert.equal(await rowsOf(section).filter({ hasText: 'other.test' }).count(), 0, `${section} lists no external check`);
    }
    const slowBar = await page.locator('#summary figure', { hasText: 'Response time' }).locator('rect title').allTextContents();
    assert.equal(slowBar.find((title) => title.startsWith('≥ 5 s')), '≥ 5 s: 0', 'the external checks\' 9 s are not in the response-time chart');
  });

  test('sorting: a click on a header sorts by it, a second click reverses', async () => {
    const firstUrl = () => rowsOf('largest').first().locator('td').first().textContent();
    assert.equal(await firstUrl(), `${O}/p/${PAGES - 1}`, 'largest first by default');
    await page.locator('#largest th', { hasText: 'Size' }).click();
    assert.equal(await firstUrl(), `${O}/gone`, 'smallest first');
    await page.locator('#largest th', { hasText: 'URL' }).click();
    assert.equal(await firstUrl(), `${O}/`);
    assert.equal(await page.locator('#largest th', { hasText: 'URL' }).getAttribute('aria-sort'), 'ascending');
  });

  test('filtering and paging the all-pages table; markup in the data stays text', async () => {
    assert.equal(await rangeOf('pages'), `1–25 of ${PAGES + 1}`);
    await page.locator('#pages .next').click();
    assert.equal(await rangeOf('pages'), `26–50 of ${PAGES + 1}`);
    await page.locator('#pages .filter').fill('/p/11');
    await page.waitForFunction("document.querySelector('#pages .range').textContent.startsWith('1–')");
    assert.deepEqual(await rowsOf('pages').locator('td:first-child').allTextContents(), [`${O}/p/11`, `${O}/p/110`, `${O}/p/111`, `${O}/p/112`, `${O}/p/113`, `${O}/p/114`, `${O}/p/115`, `${O}/p/116`, `${O}/p/117`, `${O}/p/118`, `${O}/p/119`]);
    await page.locator('#pages .filter').fill('no such page');
    await page.waitForFunction("document.querySelector('#pages .range').textContent === '0 rows'");
    assert.equal(await page.locator('script:not([id]):not([src])').count(), 1, 'no injected script elements');
    assert.equal(await page.locator('main b').count(), 0, 'no injected markup');
    assert.equal(await rowsOf('duplicate-titles').count(), Math.ceil(PAGES / 7));
    assert.deepEqual(errors, []);
  });

  test('screenshot saved as a test artifact', async () => {
    const dir = resolve('test-artifacts');
    await mkdir(dir, { recursive: true });
    await page.locator('#pages .filter').fill('');
    await page.screenshot({ path: join(dir, 'report.png'), fullPage: true });
  });
});
