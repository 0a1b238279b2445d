import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { discoverSitemapUrls, type DiscoverSitemapOptions } from '../../src/politeness/sitemaps.js';
import { fakeFetch, type FakeRoute } from '../helpers/politeness-server.js';

const S = 'https://shop.example';

const urlset = (...locs: string[]) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${locs
    .map((l) => `  <url><loc>${l}</loc><lastmod>2024-01-01</lastmod></url>`)
    .join('\n')}\n</urlset>\n`;
const index = (...locs: string[]) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${locs
    .map((l) => `  <sitemap><loc>${l}</loc></sitemap>`)
    .join('\n')}\n</sitemapindex>`;
const xml = (body: string): FakeRoute => ({ status: 200, body, contentType: 'application/xml' });

async function discover(routes: Record<string, FakeRoute>, options: Partial<DiscoverSitemapOptions>) {
  const fake = fakeFetch(routes);
  const result = await discoverSitemapUrls({ fetch: fake.fetch, seeds: [], robotsSitemaps: [], tryDefault: false, maxUrls: 1000, ...options });
  return { ...result, calls: fake.calls.map((c) => c.url) };
}

describe('discoverSitemapUrls', () => {
  test('urlset: <loc> values in document order, entities decoded, trimmed, deduplicated', async () => {
    const body = urlset(`${S}/a`, `\n   ${S}/b?x=1&amp;y=2  \n`, `<![CDATA[${S}/c?p=1&q=2]]>`, `${S}/a`, `${S}/caf&#233;`);
    const r = await discover({ [`${S}/s.xml`]: xml(body) }, { robotsSitemaps: [`${S}/s.xml`] });
    assert.deepEqual(r.urls, [`${S}/a`, `${S}/b?x=1&y=2`, `${S}/c?p=1&q=2`, `${S}/caf%C3%A9`]);
    assert.deepEqual(r.errors, []);
  });

  test('namespace-prefixed urlset and a BOM are read', async () => {
    const body = `\uFEFF<sm:urlset xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9"><sm:url><sm:loc>${S}/ns</sm:loc></sm:url></sm:urlset>`;
    const r = await discover({ [`${S}/s.xml`]: xml(body) }, { robotsSitemaps: [`${S}/s.xml`] });
    assert.deepEqual(r.urls, [`${S}/ns`]);
  });

  test('sitemap index → two children, URLs in index order', async () => {
    const r = await discover(
      {
        [`${S}/index.xml`]: xml(index(`${S}/one.xml`, `${S}/two.xml`)),
        [`${S}/one.xml`]: xml(urlset(`${S}/1a`, `${S}/1b`)),
        [`${S}/two.xml`]: xml(urlset(`${S}/2a`)),
      },
      { robotsSitemaps: [`${S}/index.xml`] },
    );
    assert.deepEqual(r.urls, [`${S}/1a`, `${S}/1b`, `${S}/2a`]);
    assert.deepEqual(r.calls, [`${S}/index.xml`, `${S}/one.xml`, `${S}/two.xml`]);
    assert.deepEqual(r.errors, []);
  });

  test('gzip sitemap served as application/x-gzip without Content-Encoding is gunzipped', async () => {
    const r = await discover(
      {
        [`${S}/index.xml.gz`]: { status: 200, contentType: 'application/gzip', body: gzipSync(index(`${S}/pages.xml.gz`)) },
        [`${S}/pages.xml.gz`]: { status: 200, contentType: 'application/x-gzip', body: gzipSync(urlset(`${S}/g1`, `${S}/g2`)) },
      },
      { robotsSitemaps: [`${S}/index.xml.gz`] },
    );
    assert.deepEqual(r.urls, [`${S}/g1`, `${S}/g2`]);
    assert.deepEqual(r.errors, []);
  });

  test('gzip bomb: decompression is bounded and reported', async () => {
    const bomb = gzipSync(Buffer.concat([Buffer.from(urlset(`${S}/x`)), Buffer.alloc(5_000_000, 0x20)]));
    assert.ok(bomb.length < 20_000);
    const r = await discover({ [`${S}/bomb.xml.gz`]: { status: 200, body: bomb } }, { robotsSitemaps: [`${S}/bomb.xml.gz`], maxBytes: 1_000_000 });
    assert.deepEqual(r.urls, []);
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0]?.message ?? '', /larger than 1000000 bytes/);
  });

  test('plain-text sitemap: one URL per line', async () => {
    const r = await discover(
      { [`${S}/urls.txt`]: { status: 200, body: `${S}/t1\r\n\n  ${S}/t2  \n${S}/t1\n` } },
      { robotsSitemaps: [`${S}/urls.txt`] },
    );
    assert.deepEqual(r.urls, [`${S}/t1`, `${S}/t2`]);
    assert.deepEqual(r.errors, []);
  });

  test('broken sitemaps are error entries and the others still count', async () => {
    const r = await discover(
      {
        [`${S}/truncated.xml`]: xml(urlset(`${S}/t1`, `${S}/t2`).slice(0, -30)),
        [`${S}/html.xml`]: { status: 200, body: '<!doctype html><html><body>Welcome</body></html>', contentType: 'text/html' },
        [`${S}/gone.xml`]: { status: 404 },
        [`${S}/down.xml`]: { fail: 'connection', code: 'ECONNREFUSED' },
        [`${S}/badgz.xml.gz`]: { status: 200, body: Buffer.from([0x1f, 0x8b, 1, 2, 3, 4]) },
        [`${S}/good.xml`]: xml(urlset(`${S}/ok`, 'not a url', '/relative')),
      },
      {
        robotsSitemaps: [`${S}/truncated.xml`, `${S}/html.xml`, `${S}/gone.xml`, `${S}/down.xml`, `${S}/badgz.xml.gz`, 'not-a-url', `${S}/good.xml`],
      },
    );
    assert.deepEqual(r.urls, [`${S}/ok`]);
    const bySitemap = Object.fromEntries(r.errors.map((e) => [e.sitemap, e.message]));
    assert.match(bySitemap[`${S}/truncated.xml`] ?? '', /malformed XML: <urlset> is not closed/);
    assert.match(bySitemap[`${S}/html.xml`] ?? '', /not a sitemap/);
    assert.match(bySitemap[`${S}/gone.xml`] ?? '', /404/);
    assert.match(bySitemap[`${S}/down.xml`] ?? '', /ECONNREFUSED/);
    assert.match(bySitemap[`${S}/badgz.xml.gz`] ?? '', /gunzip failed/);
    assert.match(bySitemap['not-a-url'] ?? '', /not an absolute http\(s\) URL/);
    assert.match(bySitemap[`${S}/good.xml`] ?? '', /^2 <loc> value/);
    assert.equal(r.errors.length, 7);
  });

  test('a cycle between sitemap indexes is followed once', async () => {
    const r = await discover(
      {
        [`${S}/a.xml`]: xml(index(`${S}/b.xml`, `${S}/pages.xml`)),
        [`${S}/b.xml`]: xml(index(`${S}/a.xml`, `${S}/b.xml`, `${S}/pages.xml`)),
        [`${S}/pages.xml`]: xml(urlset(`${S}/p`)),
      },
      { robotsSitemaps: [`${S}/a.xml`] },
    );
    assert.deepEqual(r.urls, [`${S}/p`]);
    assert.deepEqual(r.calls, [`${S}/a.xml`, `${S}/b.xml`, `${S}/pages.xml`]);
    assert.deepEqual(r.errors, []);
  });

  test('index nesting deeper than maxDepth is not followed', async () => {
    const r = await discover(
      {
        [`${S}/i0.xml`]: xml(index(`${S}/i1.xml`)),
        [`${S}/i1.xml`]: xml(index(`${S}/i2.xml`)),
        [`${S}/i2.xml`]: xml(index(`${S}/deep.xml`)),
        [`${S}/deep.xml`]: xml(urlset(`${S}/deep`)),
      },
      { robotsSitemaps: [`${S}/i0.xml`], maxDepth: 2 },
    );
    assert.deepEqual(r.urls, []);
    assert.deepEqual(r.errors, [{ sitemap: `${S}/deep.xml`, message: 'sitemap index nesting deeper than 2: not followed' }]);
  });

  test('maxUrls stops the discovery, including further fetches', async () => {
    const r = await discover(
      {
        [`${S}/one.xml`]: xml(urlset(`${S}/1`, `${S}/2`, `${S}/3`)),
        [`${S}/two.xml`]: xml(urlset(`${S}/4`)),
      },
      { robotsSitemaps: [`${S}/one.xml`, `${S}/two.xml`], maxUrls: 2 },
    );
    assert.deepEqual(r.urls, [`${S}/1`, `${S}/2`]);
    assert.deepEqual(r.calls, [`${S}/one.xml`]);
  });

  test('maxSitemaps bounds the number of fetches and is reported once', async () => {
    const children = Array.from({ length: 10 }, (_, i) => `${S}/c${i}.xml`);
    const routes: Record<string, FakeRoute> = { [`${S}/index.xml`]: xml(index(...children)) };
    children.forEach((c, i) => (routes[c] = xml(urlset(`${S}/page${i}`))));
    const r = await discover(routes, { robotsSitemaps: [`${S}/index.xml`], maxSitemaps: 4 });
    assert.deepEqual(r.urls, [`${S}/page0`, `${S}/page1`, `${S}/page2`]);
    assert.equal(r.calls.length, 4);
    assert.deepEqual(r.errors, [{ sitemap: `${S}/c3.xml`, message: 'maxSitemaps (4) reached: this and later sitemaps skipped' }]);
  });

  test('tryDefault fetches /sitemap.xml of each seed origin once; a missing default is not an error', async () => {
    const r = await discover(
      {
        [`${S}/sitemap.xml`]: xml(urlset(`${S}/from-default`)),
        'https://blog.example/feed.xml': xml(urlset('https://blog.example/post')),
      },
      {
        seeds: [`${S}/`, `${S}/other`, 'https://blog.example/', 'mailto:x@y.example'],
        robotsSitemaps: ['https://blog.example/feed.xml', `${S}/sitemap.xml`],
        tryDefault: true,
      },
    );
    assert.deepEqual(r.urls, ['https://blog.example/post', `${S}/from-default`]);
    assert.deepEqual(r.calls, ['https://blog.example/feed.xml', `${S}/sitemap.xml`, 'https://blog.example/sitemap.xml']);
    assert.deepEqual(r.errors, []);
  });

  test('a guessed /sitemap.xml answered with an HTML page or a 403 is silent; the same at a declared URL is an error', async () => {
    const html: FakeRoute = { status: 200, body: '<!doctype html><html><body><a href="/x">x</a></body></html>', contentType: 'text/html' };
    const guessed = await discover({ [`${S}/sitemap.xml`]: html, 'https://blog.example/sitemap.xml': { status: 403 } }, { seeds: [`${S}/`, 'https://blog.example/'], tryDefault: true });
    assert.deepEqual(guessed.calls, [`${S}/sitemap.xml`, 'https://blog.example/sitemap.xml']);
    assert.deepEqual(guessed.errors, []);
    const declared = await discover({ [`${S}/sitemap.xml`]: html }, { robotsSitemaps: [`${S}/sitemap.xml`] });
    assert.match(declared.errors[0]?.message ?? '', /not a sitemap/);
  });

  test('without tryDefault only robots sitemaps are fetched', async () => {
    const r = await discover({ [`${S}/sitemap.xml`]: xml(urlset(`${S}/x`)) }, { seeds: [`${S}/`], tryDefault: false });
    assert.deepEqual(r.urls, []);
    assert.deepEqual(r.calls, []);
  });

  test('sitemaps are fetched with keepBody and the 50 MiB cap', async () => {
    const fake = fakeFetch({ [`${S}/s.xml`]: xml(urlset(`${S}/a`)) });
    await discoverSitemapUrls({ fetch: fake.fetch, seeds: [], robotsSitemaps: [`${S}/s.xml`], tryDefault: false, maxUrls: 10 });
    assert.equal(fake.calls[0]?.opts?.keepBody, true);
    assert.equal(fake.calls[0]?.opts?.maxBodyBytes, 50 * 1024 * 1024);
  });
});
