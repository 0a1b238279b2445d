/**
 * The field-rule engine on HTML strings, through parsePage: every take kind,
 * post-processors, defaults, required fields, nested objects and lists, and
 * URL-scoped rules.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CrawlConfigInput } from '../../src/config/schema.js';
import { compileParseRules, parsePage } from '../../src/parse/parse-page.js';
import { htmlInput, testRules } from '../helpers/parse-rules.js';

type ExtractInput = NonNullable<CrawlConfigInput['extract']>;

function extract(html: string, extractConfig: ExtractInput, url = 'https://example.com/dir/page.html') {
  return parsePage(htmlInput(html, { url }), compileParseRules(testRules({ extract: extractConfig })));
}

const PRODUCT = `<html><head><base href="https://cdn.example.com/assets/"></head><body>
  <h1 class="name">  Oak
     table </h1>
  <p class="price" data-cents="129900">Now only €1.299,00!</p>
  <p class="old-price">$1,499.95</p>
  <a class="more" href="../docs/table.html" rel="nofollow">More</a>
  <div class="desc"><p>Solid <b>oak</b>.</p></div>
  <ul class="tags"><li>oak</li><li> </li><li>table</li></ul>
  <time datetime="2024-05-01T10:00:00">May 1</time>
  <span class="published">03/04/2024</span>
  <p class="sku">SKU: T-42 (new)</p>
  <script type="text/template" class="tpl"><b>raw</b></script>
</body></html>`;

describe('take kinds and post-processing', () => {
  const cases: Array<{ name: string; rule: unknown; expected: unknown; warning?: RegExp }> = [
    { name: 'shorthand selector: text of the first match, whitespace collapsed', rule: 'h1.name', expected: 'Oak table' },
    { name: 'take text (explicit)', rule: { selector: '.tags li', take: 'text' }, expected: 'oak' },
    { name: 'attr implies take attr', rule: { selector: '.price', attr: 'data-cents' }, expected: '129900' },
    { name: 'attr then number', rule: { selector: '.price', attr: 'data-cents', process: ['number'] }, expected: 129900 },
    { name: 'inner html', rule: { selector: '.desc', take: 'html' }, expected: '<p>Solid <b>oak</b>.</p>' },
    { name: 'outer html', rule: { selector: '.desc', take: 'outerHtml' }, expected: '<div class="desc"><p>Solid <b>oak</b>.</p></div>' },
    { name: 'all: every match, empty strings dropped', rule: { selector: '.tags li', all: true }, expected: ['oak', 'table'] },
    { name: 'all with no match is []', rule: { selector: '.none', all: true }, expected: [] },
    { name: 'no match is null', rule: '.none', expected: null },
    { name: 'missing attribute is null', rule: { selector: 'h1', attr: 'data-x' }, expected: null },
    { name: 'number with decimal comma', rule: { selector: '.price', process: [{ number: { decimal: ',' } }] }, expected: 1299 },
    { name: 'number with group commas', rule: { selector: '.old-price', process: ['number'] }, expected: 1499.95 },
    { name: 'not a number: null plus a warning', rule: { selector: 'h1', process: ['number'] }, expected: null, warning: /^field f: "Oak table" is not a number$/ },
    { name: 'regex: first group by default', rule: { selector: '.sku', process: [{ regex: 'SKU:\\s*(\\S+)' }] }, expected: 'T-42' },
    { name: 'regex: named group and flags', rule: { selector: '.sku', process: [{ regex: 'sku: (?<code>[a-z]-\\d+)', group: 'code', flags: 'i' }] }, expected: 'T-42' },
    { name: 'regex: group 0 without groups', rule: { selector: '.sku', process: [{ regex: '\\(.*\\)' }] }, expected: '(new)' },
    { name: 'regex no match: null plus a warning', rule: { selector: 'h1', process: [{ regex: '\\d+' }] }, expected: null, warning: /does not match/ },
    { name: 'date without zone is UTC', rule: { selector: 'time', attr: 'datetime', process: ['date'] }, expected: '2024-05-01T10:00:00.000Z' },
    { name: 'date m/d/y by default', rule: { selector: '.published', process: ['date'] }, expected: '2024-03-04T00:00:00.000Z' },
    { name: 'date d/m/y with dayFirst', rule: { selector: '.published', process: [{ date: { dayFirst: true } }] }, expected: '2024-04-03T00:00:00.000Z' },
    { name: 'url resolves against <base href>', rule: { selector: 'a.more', attr: 'href', process: ['url'] }, expected: 'https://cdn.example.com/docs/table.html' },
    { name: 'trim on html', rule: { selector: 'ul.tags', take: 'html', process: ['trim'] }, expected: '<li>oak</li><li> </li><li>table</li>' },
    { name: 'steps chain: regex then number', rule: { selector: '.sku', process: [{ regex: 'T-(\\d+)' }, 'number'] }, expected: 42 },
    { name: 'script text is taken raw when selected', rule: { selector: 'script.tpl', take: 'html' }, expected: '<b>raw</b>' },
    { name: 'no selector: the page itself (attr of the document is missing)', rule: { attr: 'lang' }, expected: null },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const page = extract(PRODUCT, { fields: { f: c.rule } } as ExtractInput);
      assert.deepEqual(page.fields, { f: c.expected });
      if (c.warning) assert.match(page.warnings?.[0] ?? '', c.warning);
      else assert.equal(page.warnings, undefined);
      assert.equal(page.failedReason, undefined);
    });
  }
});

describe('defaults and required fields', () => {
  const cases: Array<{ name: string; rule: unknown; expected: unknown; failed?: string }> = [
    { name: 'default replaces a missing value', rule: { selector: '.none', default: 'n/a' }, expected: 'n/a' },
    { name: 'default replaces a failed post-processing', rule: { selector: 'h1', process: ['number'], default: 0 }, expected: 0 },
    { name: 'default is not used when a value exists', rule: { selector: 'h1', default: 'x' }, expected: 'Oak table' },
    { name: 'a list default', rule: { selector: '.none', all: true, default: ['none'] }, expected: ['none'] },
    { name: 'required and present', rule: { selector: 'h1', required: true }, expected: 'Oak table' },
    { name: 'required with a default never fails', rule: { selector: '.none', required: true, default: null }, expected: null },
    { name: 'required and missing fails the page', rule: { selector: '.none', required: true }, expected: null, failed: 'required field missing: f (extract)' },
    { name: 'required list and empty fails', rule: { selector: '.none', all: true, required: true }, expected: [], failed: 'required field missing: f (extract)' },
    { name: 'required but empty text fails', rule: { selector: '.tags li:nth-child(2)', required: true }, expected: null, failed: 'required field missing: f (extract)' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const page = extract(PRODUCT, { fields: { f: c.rule } } as ExtractInput);
      assert.deepEqual(page.fields, { f: c.expected });
      assert.equal(page.failedReason, c.failed === undefined ? undefined : 'required-field-missing');
      assert.equal(page.failedMessage, c.failed);
    });
  }
});

const REVIEWS = `<div class="product"><h1>Lamp</h1>
  <div class="maker"><span class="name">Lumen</span><a href="/makers/lumen">site</a></div>
  <div class="review" data-id="r1"><b class="by">Ada</b><i class="stars">5</i><p>Bright.</p></div>
  <div class="review" data-id="r2"><i class="stars">2</i><p>Dim.</p></div>
  <div class="review" data-id="r3"><b class="by">Linus</b><i class="stars">4</i></div>
</div>`;

describe('nested objects and lists', () => {
  test('an object of sub-fields, selected inside the matched element', () => {
    const page = extract(REVIEWS, { fields: { maker: { selector: '.maker', fields: { name: '.name', url: { selector: 'a', attr: 'href', process: ['url'] } } } } });
    assert.deepEqual(page.fields, { maker: { name: 'Lumen', url: 'https://example.com/makers/lumen' } });
  });

  test('a list of objects; a sub-field without selector reads the item itself', () => {
    const page = extract(REVIEWS, {
      fields: { reviews: { selector: '.review', all: true, fields: { id: { attr: 'data-id' }, author: '.by', stars: { selector: '.stars', process: ['number'] }, text: 'p' } } },
    });
    assert.deepEqual(page.fields!.reviews, [
      { id: 'r1', author: 'Ada', stars: 5, text: 'Bright.' },
      { id: 'r2', author: null, stars: 2, text: 'Dim.' },
      { id: 'r3', author: 'Linus', stars: 4, text: null },
    ]);
  });

  test('sub-fields do not escape their item (no match outside it)', () => {
    const page = extract(REVIEWS, { fields: { maker: { selector: '.maker', fields: { title: 'h1' } } } });
    assert.deepEqual(page.fields, { maker: { title: null } });
  });

  test('a missing nested object is null (or its default)', () => {
    const page = extract(REVIEWS, { fields: { a: { selector: '.none', fields: { x: 'b' } }, b: { selector: '.none', fields: { x: 'b' }, default: {} } } });
    assert.deepEqual(page.fields, { a: null, b: {} });
  });

  test('a required sub-field missing in one item fails the page, naming the item', () => {
    const page = extract(REVIEWS, { fields: { reviews: { selector: '.review', all: true, fields: { author: { selector: '.by', required: true } } } } });
    assert.equal(page.failedReason, 'required-field-missing');
    assert.equal(page.failedMessage, 'required field missing: reviews[1].author (extract)');
    assert.deepEqual(page.fields!.reviews, [{ author: 'Ada' }, { author: null }, { author: 'Linus' }]);
  });

  test('lists nest: a list inside each item', () => {
    const html = '<ul><li class="g"><b>A</b><i>1</i><i>2</i></li><li class="g"><b>B</b></li></ul>';
    const page = extract(html, { fields: { groups: { selector: 'li.g', all: true, fields: { name: 'b', items: { selector: 'i', all: true, process: ['number'] } } } } });
    assert.deepEqual(page.fields!.groups, [{ name: 'A', items: [1, 2] }, { name: 'B', items: [] }]);
  });
});

describe('URL-scoped rules', () => {
  const config: ExtractInput = {
    fields: { title: 'h1' },
    rules: [
      { name: 'product', urls: ['https://example.com/p/*'], fields: { kind: { selector: 'body', attr: 'data-kind', default: 'product' } } },
      { name: 'listing', urls: ['/\\/c\\/[a-z]+$/'], fields: { kind: { selector: 'body', attr: 'data-kind', default: 'listing' }, count: { selector: 'li', all: true } } },
      { name: 'late override', urls: ['https://example.com/c/sale'], fields: { title: { selector: 'h1', process: [{ regex: '(\\w+)$' }] } } },
    ],
  };
  const html = '<body><h1>Big sale</h1><ul><li>a</li><li>b</li></ul></body>';
  const cases: Array<[string, Record<string, unknown>]> = [
    ['https://example.com/p/1', { title: 'Big sale', kind: 'product' }],
    ['https://example.com/c/chairs', { title: 'Big sale', kind: 'listing', count: ['a', 'b'] }],
    ['https://example.com/c/sale', { title: 'sale', kind: 'listing', count: ['a', 'b'] }],
    ['https://example.com/about', { title: 'Big sale' }],
    ['https://example.com/p/1?utm_source=x', { title: 'Big sale', kind: 'product' }],
  ];
  for (const [url, expected] of cases) {
    test(`${url} → ${Object.keys(expected).join(', ')}`, () => {
      assert.deepEqual(extract(html, config, url).fields, expected);
    });
  }

  test('no extraction configured: no fields key at all', () => {
    assert.equal(extract(html, {}).fields, undefined);
  });
});
