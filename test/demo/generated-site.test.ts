import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createGeneratedSite, type GeneratedSite } from '../../src/demo/generated-site.js';

const ORIGIN = 'http://127.0.0.1:8080';
const HREF = /href="([^"]*)"/g;

function hrefs(site: GeneratedSite, path: string): string[] {
  const body = site.page(path, ORIGIN)?.body.toString('utf8') ?? '';
  return [...body.matchAll(HREF)].map((m) => m[1]!);
}

/** Same-origin pathnames a crawler would follow from `path` (fragments and queries dropped). */
function followable(site: GeneratedSite, path: string): string[] {
  const out: string[] = [];
  for (const href of hrefs(site, path)) {
    const url = new URL(href, ORIGIN + path);
    if (url.origin === ORIGIN) out.push(url.pathname);
  }
  return out;
}

describe('createGeneratedSite', () => {
  test('the same seed gives byte-identical pages; another seed gives other pages', () => {
    const a = createGeneratedSite({ pages: 50, seed: 7 });
    const b = createGeneratedSite({ pages: 50, seed: 7, cacheBytes: 0 });
    const c = createGeneratedSite({ pages: 50, seed: 8 });
    for (const path of ['/', '/p/0', '/p/17', '/p/49', '/robots.txt', '/sitemap.xml']) {
      assert.deepEqual(a.page(path, ORIGIN), b.page(path, ORIGIN), path);
    }
    assert.notDeepEqual(a.page('/p/17', ORIGIN)?.body, c.page('/p/17', ORIGIN)?.body);
    assert.notDeepEqual(a.page('/p/17', ORIGIN)?.body, a.page('/p/18', ORIGIN)?.body);
  });

  test('HTML bodies stay within ±15% of pageBytes', () => {
    for (const pageBytes of [25_000, 60_000]) {
      const site = createGeneratedSite({ pages: 300, pageBytes, seed: 3 });
      for (const path of site.paths().filter((p) => p === '/' || p.startsWith('/p/'))) {
        const size = site.page(path)!.body.length;
        assert.ok(size >= pageBytes * 0.85 && size <= pageBytes * 1.15, `${path}: ${size} bytes for target ${pageBytes}`);
      }
    }
  });

  test('pages are realistic HTML with content a text extractor must skip', () => {
    const site = createGeneratedSite({ pages: 20 });
    const html = new TextDecoder('utf-8', { fatal: true }).decode(site.page('/p/4', ORIGIN)!.body);
    for (const needle of ['<!doctype html>', '<html lang="en">', '<title>', '<meta name="description" content="',
      `<link rel="canonical" href="${ORIGIN}/p/4">`, '<style>', '<script>', '<nav>', '<h1>', '<h2>', '<h3>', '<p>', '<footer>', 'Zürich']) {
      assert.ok(html.includes(needle), `missing ${needle}`);
    }
    assert.equal(site.page('/p/4')!.contentType, 'text/html; charset=utf-8');
  });

  test('links come in every spelling a normaliser must handle, with many duplicates', () => {
    const site = createGeneratedSite({ pages: 400 });
    const all = site.paths().filter((p) => p.startsWith('/p/')).slice(0, 100).flatMap((p) => hrefs(site, p));
    const has = (re: RegExp): boolean => all.some((h) => re.test(h));
    assert.ok(has(/^\/p\/\d+$/), 'path-absolute');
    assert.ok(has(/^http:\/\/127\.0\.0\.1:8080\/p\/\d+$/), 'absolute with origin');
    assert.ok(has(/^\d+$/) && has(/^\.\/\d+$/) && has(/^\.\.\/p\/\d+$/), 'relative forms');
    assert.ok(has(/#section-\d$/), 'fragment');
    assert.ok(has(/\?utm_source=/), 'utm parameter');
    assert.ok(has(/^mailto:/) && has(/^javascript:/), 'non-http schemes');
    const perPage = hrefs(site, '/p/9').length;
    assert.ok(perPage >= 95 && perPage <= 105, `~100 links per page, got ${perPage}`);
    const targets = site.paths().filter((p) => p.startsWith('/p/')).slice(0, 100).flatMap((p) => followable(site, p));
    assert.ok(new Set(targets).size < targets.length / 2, 'most links are duplicates');
  });

  test('every page is reachable from / by BFS within 6 levels', () => {
    const cases = [
      { pages: 1_000, pageBytes: 8_000, seed: 42 },
      { pages: 1_500, pageBytes: 3_000, linksPerPage: 20, seed: 5 },
    ];
    for (const opts of cases) {
      const site = createGeneratedSite(opts);
      const depth = new Map<string, number>([['/', 0]]);
      let frontier = ['/'];
      while (frontier.length > 0) {
        const next: string[] = [];
        for (const path of frontier) {
          for (const target of followable(site, path)) {
            if (depth.has(target)) continue;
            assert.match(target, /^\/p\/\d+$/, `unexpected link from ${path}`);
            depth.set(target, depth.get(path)! + 1);
            next.push(target);
          }
        }
        frontier = next;
      }
      for (let i = 0; i < opts.pages; i++) assert.ok(depth.has(`/p/${i}`), `/p/${i} unreachable (${JSON.stringify(opts)})`);
      assert.equal(depth.size, opts.pages + 1, 'links only to existing pages');
      const maxDepth = Math.max(...depth.values());
      assert.ok(maxDepth <= 6, `max depth ${maxDepth} (${JSON.stringify(opts)})`);
    }
  });

  test('robots.txt allows all and names the sitemap; the sitemap lists a subset of real pages', () => {
    const site = createGeneratedSite({ pages: 95 });
    const robots = site.page('/robots.txt', ORIGIN)!;
    assert.equal(robots.contentType, 'text/plain; charset=utf-8');
    assert.match(robots.body.toString(), /^User-agent: \*\nAllow: \/\n/);
    assert.match(robots.body.toString(), new RegExp(`^Sitemap: ${ORIGIN}/sitemap.xml$`, 'm'));
    const sitemap = site.page('/sitemap.xml', ORIGIN)!;
    assert.equal(sitemap.contentType, 'application/xml');
    const locs = [...sitemap.body.toString().matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]!);
    assert.ok(locs.length > 5 && locs.length < 95, `${locs.length} sitemap entries`);
    for (const loc of locs) {
      assert.ok(loc.startsWith(ORIGIN + '/'), loc);
      assert.ok(site.page(loc.slice(ORIGIN.length), ORIGIN), loc);
    }
  });

  test('unknown paths are undefined; queries and fragments are ignored', () => {
    const site = createGeneratedSite({ pages: 10 });
    for (const path of ['/p/10', '/p/01', '/p/-1', '/p/', '/p/1/x', '/nope', '/P/1']) assert.equal(site.page(path), undefined, path);
    assert.deepEqual(site.page('/p/3?utm_source=x'), site.page('/p/3'));
    assert.deepEqual(site.page('/p/3#top'), site.page('/p/3'));
    assert.equal(site.paths().length, 13);
    for (const path of site.paths()) assert.ok(site.page(path), path);
  });

  test('rejects invalid sizes', () => {
    assert.throws(() => createGeneratedSite({ pages: 0 }), RangeError);
    assert.throws(() => createGeneratedSite({ pages: 1.5 }), RangeError);
    assert.throws(() => createGeneratedSite({ pages: 5, pageBytes: -1 }), RangeError);
    assert.throws(() => createGeneratedSite({ pages: 5, linksPerPage: 2.5 }), RangeError);
  });
});
