/**
 * Built-in extractors (extract.builtins) through parsePage: JSON-LD,
 * OpenGraph, Twitter cards, microdata, hreflang and feed links.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CrawlConfigInput } from '../../src/config/schema.js';
import { compileParseRules, parsePage } from '../../src/parse/parse-page.js';
import { htmlInput, testRules } from '../helpers/parse-rules.js';

type Builtins = NonNullable<NonNullable<CrawlConfigInput['extract']>['builtins']>;

function run(html: string, builtins: Builtins) {
  return parsePage(htmlInput(html), compileParseRules(testRules({ extract: { builtins } })));
}

describe('JSON-LD', () => {
  test('every block parsed, in order; invalid and empty blocks become warnings', () => {
    const html = `<head>
      <script type="application/ld+json">{"@type": "Product", "name": "A"}</script>
      <script type="application/ld+json">{"@type": "Product", "name": "B",}</script>
      <script type="Application/LD+JSON ">[{"@type": "Thing"}]</script>
      <script type="application/ld+json"><!-- {"@type": "Wrapped"} --></script>
      <script type="application/ld+json">   </script>
      <script type="application/json">{"not": "ld"}</script>
    </head>`;
    const page = run(html, { jsonLd: true });
    assert.deepEqual(page.fields, { jsonLd: [{ '@type': 'Product', name: 'A' }, [{ '@type': 'Thing' }], { '@type': 'Wrapped' }] });
    assert.equal(page.warnings?.length, 2);
    assert.match(page.warnings![0]!, /^invalid JSON-LD block 2 of 5: .*JSON/);
    assert.equal(page.warnings![1], 'invalid JSON-LD block 5 of 5: empty');
    assert.equal(page.failedReason, undefined, 'an invalid block does not fail the page');
  });

  test('a page without blocks has an empty list', () => {
    assert.deepEqual(run('<p>x</p>', { jsonLd: true }).fields, { jsonLd: [] });
  });
});

describe('OpenGraph and Twitter cards', () => {
  const html = `<head>
    <meta property="og:title" content=" Title ">
    <meta property="OG:Type" content="article">
    <meta property="og:image" content="https://example.com/1.png">
    <meta property="og:image:width" content="800">
    <meta property="og:image" content="https://example.com/2.png">
    <meta name="og:site_name" content="Site">
    <meta property="og:" content="no name">
    <meta property="article:author" content="not og">
    <meta name="twitter:card" content="summary_large_image">
    <meta property="twitter:creator" content="@ada">
  </head>`;
  test('og:* keyed without the prefix; repeated names become lists', () => {
    assert.deepEqual(run(html, { openGraph: true }).fields, {
      openGraph: { title: 'Title', type: 'article', image: ['https://example.com/1.png', 'https://example.com/2.png'], 'image:width': '800', site_name: 'Site' },
    });
  });
  test('twitter:* from name or property', () => {
    assert.deepEqual(run(html, { twitter: true }).fields, { twitter: { card: 'summary_large_image', creator: '@ada' } });
  });
});

describe('microdata', () => {
  test('top-level items with nested items, repeated properties, and typed values', () => {
    const html = `<base href="https://example.com/shop/">
      <div itemscope itemtype="https://schema.org/Product" itemid="/p/1">
        <span itemprop="name">Chair</span>
        <img itemprop="image" src="a.jpg"><img itemprop="image" src="b.jpg">
        <a itemprop="url" href="/p/1">link</a>
        <data itemprop="sku" value="C-1">Chair one</data>
        <time itemprop="releaseDate" datetime="2024-01-02">Jan 2</time>
        <meta itemprop="color" content="red">
        <div itemprop="offers" itemscope itemtype="https://schema.org/Offer">
          <span itemprop="price">10</span><meta itemprop="priceCurrency" content="EUR">
        </div>
        <div itemprop="brand manufacturer" itemscope><span itemprop="name">Oak</span></div>
      </div>
      <div itemscope itemtype="https://schema.org/Person"><span itemprop="name">Ada</span></div>`;
    assert.deepEqual(run(html, { microdata: true }).fields, {
      microdata: [
        {
          '@type': 'https://schema.org/Product',
          '@id': 'https://example.com/p/1',
          name: 'Chair',
          image: ['https://example.com/shop/a.jpg', 'https://example.com/shop/b.jpg'],
          url: 'https://example.com/p/1',
          sku: 'C-1',
          releaseDate: '2024-01-02',
          color: 'red',
          offers: { '@type': 'https://schema.org/Offer', price: '10', priceCurrency: 'EUR' },
          brand: { name: 'Oak' },
          manufacturer: { name: 'Oak' },
        },
        { '@type': 'https://schema.org/Person', name: 'Ada' },
      ],
    });
  });
});

describe('hreflang and feeds', () => {
  const html = `<head>
    <link rel="alternate" hreflang="en" href="/en/">
    <link rel="Alternate" hreflang="x-default" href="https://example.com/">
    <link rel="alternate" hreflang="" href="/nolang/">
    <link rel="canonical" hreflang="fr" href="/fr/">
    <link rel="alternate" type="application/rss+xml" title=" News " href="feed.xml">
    <link rel="alternate" type="application/atom+xml" href="/atom">
    <link rel="alternate" type="application/feed+json" href="/feed.json">
    <link rel="alternate" type="text/html" href="/print">
    <link rel="stylesheet" type="application/rss+xml" href="/not-a-feed">
  </head>`;
  test('hreflang alternates, absolute', () => {
    assert.deepEqual(run(html, { hreflang: true }).fields, {
      hreflang: [
        { lang: 'en', url: 'https://example.com/en/' },
        { lang: 'x-default', url: 'https://example.com/' },
      ],
    });
  });
  test('RSS, Atom and JSON Feed links', () => {
    assert.deepEqual(run(html, { feeds: true }).fields, {
      feeds: [
        { url: 'https://example.com/dir/feed.xml', type: 'rss', title: 'News' },
        { url: 'https://example.com/atom', type: 'atom' },
        { url: 'https://example.com/feed.json', type: 'json' },
      ],
    });
  });
});

test('built-ins are off by default', () => {
  const page = parsePage(htmlInput('<script type="application/ld+json">{}</script><meta property="og:title" content="x">'), compileParseRules(testRules()));
  assert.equal(page.fields, undefined);
});
