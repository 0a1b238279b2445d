/**
 * An offline crawl of a small shop with two page types (listing, product),
 * driven by the shipped config/example-shop.json (every rule kind) plus a
 * custom extractor module. nock serves the site in this process; the real
 * worker-process pool parses. Asserts on the exported JSONL and CSV.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config/load-config.js';
import { exportRecords, type ExportFormat } from '../../src/export/export-records.js';
import type { CrawlSummary } from '../../src/core/events.js';
import type { PageRecord } from '../../src/core/types.js';
import { crawlPaths } from '../../src/store/crawl-dir.js';
import { LowdbPageStore } from '../../src/store/lowdb-page-store.js';
import { runCrawl, tempDataDir } from '../helpers/crawl-helpers.js';
import { SHOP_ORIGIN, csvObjects, serveShopSite, type ShopSite } from '../helpers/extract-site.js';

async function exportText(dataDir: string, name: string, format: ExportFormat): Promise<string> {
  const store = await LowdbPageStore.open(crawlPaths(dataDir, name).pages);
  const chunks: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  try {
    await exportRecords(() => store.iterate(), out, { format });
  } finally {
    await store.close();
  }
  return chunks.join('');
}

describe('offline crawl of a multi-page-type shop with config/example-shop.json', () => {
  let site: ShopSite;
  let data: Awaited<ReturnType<typeof tempDataDir>>;
  let summary: CrawlSummary;
  let records: Map<string, PageRecord>;
  let csvRows: Map<string, Record<string, string>>;
  let csvHeader: string[];

  before(async () => {
    site = serveShopSite();
    data = await tempDataDir();
    const config = await loadConfig({
      file: 'config/example-shop.json',
      env: {},
      flags: {
        name: 'shop',
        dataDir: data.dir,
        'politeness.delayMs': 0,
        'politeness.sitemaps': false,
        'parser.mode': 'process',
        'parser.workers': 2,
        'parser.taskTimeoutMs': 1_000,
        'store.flushIntervalMs': 100,
        'extract.module': 'test/fixtures/extract/shop-extractor.mjs',
      },
    });
    ({ summary } = await runCrawl(config));
    const jsonl = await exportText(data.dir, 'shop', 'jsonl');
    records = new Map(
      jsonl
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as PageRecord)
        .map((record) => [new URL(record.key).pathname, record]),
    );
    const csv = await exportText(data.dir, 'shop', 'csv');
    csvHeader = csv.slice(0, csv.indexOf('\n')).trim().split(',');
    csvRows = new Map(csvObjects(csv).map((row) => [new URL(row.key!).pathname, row]));
  });

  after(async () => {
    site.close();
    await data.cleanup();
  });

  test('follows only nav, pagination and product links; the crawl goes on past failed pages', () => {
    assert.equal(summary.endReason, 'done');
    assert.deepEqual([...records.keys()].sort(), ['/', '/c/chairs', '/c/chairs/page/2', '/p/1', '/p/2', '/p/3', '/p/4', '/p/5', '/p/6']);
    for (const path of ['/about', '/blog/', '/blog/chair-care', '/p/99', '/sellers/oak', '/de/', '/feeds/new.rss']) {
      assert.equal(site.hits.get(path), undefined, `${path} is linked but not matched by follow.selectors`);
    }
    const outcomes = Object.fromEntries([...records].map(([path, r]) => [path, [r.outcome, r.reason ?? '']]));
    assert.deepEqual(outcomes, {
      '/': ['ok', ''],
      '/c/chairs': ['ok', ''],
      '/c/chairs/page/2': ['ok', ''],
      '/p/1': ['ok', ''],
      '/p/2': ['ok', ''],
      '/p/3': ['ok', ''],
      '/p/4': ['failed', 'required-field-missing'],
      '/p/5': ['failed', 'parse-failed'],
      '/p/6': ['failed', 'parse-timeout'],
    });
  });

  test('product fields: text, attr, html, lists, nested objects and lists, post-processing, defaults', () => {
    const fields = records.get('/p/1')!.fields!;
    assert.deepEqual(
      {
        name: fields.name,
        sku: fields.sku,
        price: fields.price,
        currency: fields.currency,
        image: fields.image,
        released: fields.released,
        descriptionHtml: fields.descriptionHtml,
        tags: fields.tags,
        stock: fields.stock,
        seller: fields.seller,
        reviews: fields.reviews,
        breadcrumbs: fields.breadcrumbs,
        headingCount: fields.headingCount,
      },
      {
        name: 'Windsor chair',
        sku: 'WC-100',
        price: 1299,
        currency: 'USD',
        image: 'https://shop.example/p/img/windsor.jpg', // resolved against <base href>
        released: '2024-03-15T00:00:00.000Z',
        descriptionHtml: '<p>Steam-bent <b>ash</b>, hand-finished.</p>',
        tags: ['ash', 'classic', 'dining'],
        stock: 12,
        seller: { name: 'Oak & Co Workshop', url: 'https://shop.example/sellers/oak' },
        reviews: [
          { author: 'Ada', stars: 5, date: '2024-04-02T07:30:00.000Z', text: 'Sturdy and beautiful.' },
          { author: 'Grace', stars: 4, date: '2024-04-20T00:00:00.000Z', text: 'A little pricey.' },
        ],
        breadcrumbs: ['Home', 'Chairs'],
        headingCount: 1,
      },
    );
    const p3 = records.get('/p/3')!;
    assert.deepEqual([p3.fields!.price, p3.fields!.stock, p3.fields!.sku, p3.fields!.seller], [49, 0, null, null], 'defaults and nulls');
    assert.deepEqual(p3.warnings, ['field reviews[0].stars: "n/a" is not a number']);
  });

  test('listing fields only on listing pages (URL-scoped rules)', () => {
    const listing = records.get('/c/chairs/page/2')!.fields!;
    assert.equal(listing.category, 'Chairs');
    assert.deepEqual(listing.productUrls, [`${SHOP_ORIGIN}/p/4`, `${SHOP_ORIGIN}/p/5`, `${SHOP_ORIGIN}/p/6`]);
    assert.equal(listing.page, 2);
    assert.equal(listing.price, undefined, 'product rules do not run on listings');
    assert.equal(records.get('/p/1')!.fields!.category, undefined, 'listing rules do not run on products');
    assert.equal(records.get('/c/chairs')!.fields!.page, 1);
  });

  test('built-ins: JSON-LD (invalid block → warning), OpenGraph, Twitter, microdata, hreflang, feeds', () => {
    const home = records.get('/')!.fields!;
    assert.deepEqual(home.jsonLd, [{ '@context': 'https://schema.org', '@type': 'Organization', name: 'Oak & Co', url: 'https://shop.example/' }]);
    assert.deepEqual(home.openGraph, { title: 'Oak & Co', type: 'website', image: ['https://shop.example/img/logo.png', 'https://shop.example/img/logo-2.png'] });
    assert.deepEqual(home.twitter, { card: 'summary', site: '@oakandco' });
    assert.deepEqual(home.hreflang, [{ lang: 'en', url: 'https://shop.example/' }, { lang: 'de', url: 'https://shop.example/de/' }]);
    assert.deepEqual(home.feeds, [
      { url: 'https://shop.example/feeds/new.rss', type: 'rss', title: 'New arrivals' },
      { url: 'https://shop.example/feeds/news.atom', type: 'atom' },
    ]);
    assert.deepEqual(records.get('/p/1')!.fields!.microdata, [
      {
        '@type': 'https://schema.org/Product',
        name: 'Windsor chair',
        offers: { '@type': 'https://schema.org/Offer', priceCurrency: 'USD', price: '$1,299.00' },
        image: 'https://shop.example/p/img/windsor.jpg',
      },
    ]);
    const p2 = records.get('/p/2')!;
    assert.deepEqual(p2.fields!.jsonLd, [[{ '@type': 'BreadcrumbList' }, { '@type': 'Product', name: 'Rocking chair' }]]);
    assert.match(p2.warnings![0]!, /^invalid JSON-LD block 1 of 2: /);
  });

  test('a missing required field fails that page only, naming the field and rule', () => {
    const p4 = records.get('/p/4')!;
    assert.equal(p4.error!.code, 'required-field-missing');
    assert.equal(p4.error!.message, 'required field missing: price (extract.rules[0] "product")');
    assert.equal(p4.fields!.name, 'Folding chair', 'the fields that were found are kept');
  });

  test('a custom extractor that throws or loops costs that page only', () => {
    const p5 = records.get('/p/5')!;
    assert.equal(p5.error!.code, 'ERR_EXTRACTOR');
    assert.match(p5.error!.message, /custom extractor threw .*cannot read \/p\/5/);
    assert.equal(records.get('/p/6')!.error!.code, 'ERR_PARSE_TIMEOUT');
    assert.equal(records.get('/c/chairs/page/2')!.fields!.headingCount, 1, 'the extractor kept working after both');
  });

  test('CSV flattens nested fields: objects to dotted columns, lists of scalars joined, lists of objects as JSON', () => {
    for (const column of ['fields.price', 'fields.seller.name', 'fields.seller.url', 'fields.openGraph.image', 'fields.reviews', 'fields.tags']) {
      assert.ok(csvHeader.includes(column), `column ${column} in ${csvHeader.join(',')}`);
    }
    const row = csvRows.get('/p/1')!;
    assert.equal(row['fields.price'], '1299');
    assert.equal(row['fields.seller.name'], 'Oak & Co Workshop');
    assert.equal(row['fields.tags'], 'ash | classic | dining');
    assert.deepEqual(JSON.parse(row['fields.reviews']!), records.get('/p/1')!.fields!.reviews);
    assert.equal(row['fields.sku'], 'WC-100');
    assert.equal(csvRows.get('/p/3')!['fields.sku'], '', 'null is an empty cell');
    assert.equal(csvRows.get('/')!['fields.openGraph.image'], 'https://shop.example/img/logo.png | https://shop.example/img/logo-2.png');
    assert.equal(csvRows.get('/p/4')!.reason, 'required-field-missing');
  });
});
