/**
 * Selector-limited link following (extract.follow / extract.rules[i].follow):
 * only picked links are followed, they still pass scope and nofollow, and
 * `links` (what the page links to) is unchanged.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CrawlConfigInput } from '../../src/config/schema.js';
import { compileParseRules, parsePage } from '../../src/parse/parse-page.js';
import { htmlInput, testRules } from '../helpers/parse-rules.js';

const HTML = `<body>
  <nav><a href="/">Home</a></nav>
  <ul><li><a class="product" href="/p/1">1</a></li><li><a class="product" href="https://other.example/p/2">2</a></li></ul>
  <div class="pagination"><a href="/c?page=2">2</a><a href="/c?page=3" rel="nofollow">3</a></div>
  <a href="/about">About</a>
  <area href="/map" class="product">
</body>`;

const E = 'https://example.com';

function follow(extract: NonNullable<CrawlConfigInput['extract']>, url = `${E}/c`) {
  return parsePage(htmlInput(HTML, { url }), compileParseRules(testRules({ extract })));
}

describe('follow.selectors', () => {
  const cases: Array<{ name: string; extract: NonNullable<CrawlConfigInput['extract']>; url?: string; follow: string[] }> = [
    { name: 'not set: every in-scope link', extract: {}, follow: [`${E}/`, `${E}/p/1`, `${E}/c?page=2`, `${E}/about`, `${E}/map`] },
    {
      name: 'links matched directly; offsite and rel=nofollow still dropped',
      extract: { follow: { selectors: ['a.product', '.pagination a'] } },
      follow: [`${E}/p/1`, `${E}/c?page=2`],
    },
    { name: 'a container selector picks the links inside it', extract: { follow: { selectors: ['.pagination', 'nav'] } }, follow: [`${E}/`, `${E}/c?page=2`] },
    { name: '<area> counts as a link', extract: { follow: { selectors: ['.product'] } }, follow: [`${E}/p/1`, `${E}/map`] },
    { name: 'an empty list follows nothing', extract: { follow: { selectors: [] } }, follow: [] },
    {
      name: 'rules add selectors on their pages only (matching page)',
      extract: { follow: { selectors: ['nav a'] }, rules: [{ urls: [`${E}/c`], follow: { selectors: ['a.product'] } }] },
      follow: [`${E}/`, `${E}/p/1`],
    },
    {
      name: 'rules add selectors on their pages only (other page)',
      extract: { follow: { selectors: ['nav a'] }, rules: [{ urls: [`${E}/c`], follow: { selectors: ['a.product'] } }] },
      url: `${E}/other`,
      follow: [`${E}/`],
    },
    {
      name: 'a rule with follow.selectors [] stops following on its pages',
      extract: { rules: [{ urls: [`${E}/p/*`], follow: { selectors: [] } }] },
      url: `${E}/p/9`,
      follow: [],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const page = follow(c.extract, c.url);
      assert.deepEqual(page.follow, c.follow);
      assert.equal(page.links.length, 7, 'links lists everything the page links to');
    });
  }
});
