import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { crawlConfigSchema } from '../../src/config/schema.js';
import { ConfigError } from '../../src/core/errors.js';
import { crawlDir, crawlPaths, deriveCrawlName, listCrawls } from '../../src/store/crawl-dir.js';
import { CrawlMeta } from '../../src/store/crawl-meta.js';

const roots: string[] = [];
after(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

describe('deriveCrawlName', () => {
  const cases: [string, string][] = [
    ['https://example.com/', 'example.com'],
    ['https://Docs.Example.COM/path?q=1#x', 'docs.example.com'],
    ['http://127.0.0.1:8080/', '127.0.0.1-8080'],
    ['https://example.com:443/', 'example.com'],
    ['http://localhost:3000/a', 'localhost-3000'],
    ['http://[::1]:8080/', '1-8080'],
    ['https://bücher.example/', 'xn--bcher-kva.example'],
    ['https://under_score.example/', 'under_score.example'],
    [`https://${'a'.repeat(63)}.${'b'.repeat(63)}.example/`, `${'a'.repeat(63)}.${'b'.repeat(36)}`],
  ];
  for (const [url, expected] of cases) {
    test(`${url} → ${expected}`, () => {
      const name = deriveCrawlName(url);
      assert.equal(name, expected);
      // Always a valid config name.
      assert.equal(crawlConfigSchema.shape.name.safeParse(name).success, true);
    });
  }

  test('a string that is not a URL is a ConfigError on seeds', () => {
    assert.throws(() => deriveCrawlName('not a url'), (error: unknown) => error instanceof ConfigError && error.field === 'seeds');
  });
});

describe('crawl paths', () => {
  test('layout under <dataDir>/<name>/', () => {
    assert.deepEqual(crawlPaths('data', 'example.com'), {
      dir: path.join('data', 'example.com'),
      pages: path.join('data', 'example.com', 'pages'),
      frontier: path.join('data', 'example.com', 'frontier'),
      meta: path.join('data', 'example.com', 'crawl.json'),
    });
  });

  for (const name of ['..', '../etc', 'a/b', '', '.hidden', 'a'.repeat(101)]) {
    test(`invalid name ${JSON.stringify(name.slice(0, 12))} is a ConfigError on name, never a path`, () => {
      assert.throws(() => crawlDir('data', name), (error: unknown) => error instanceof ConfigError && error.field === 'name');
    });
  }
});

describe('listCrawls', () => {
  test('lists directories holding a crawl.json, sorted, with a corrupt one reported, not thrown', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'skein-crawls-'));
    roots.push(dataDir);
    const config = crawlConfigSchema.parse({ seeds: ['https://example.com/'] });
    await new CrawlMeta(crawlPaths(dataDir, 'zeta').meta).startRun(config, 'zeta');
    await new CrawlMeta(crawlPaths(dataDir, 'alpha').meta).startRun(config, 'alpha');
    await mkdir(path.join(dataDir, 'broken'));
    await writeFile(crawlPaths(dataDir, 'broken').meta, '{');
    await mkdir(path.join(dataDir, 'no-meta'));
    await writeFile(path.join(dataDir, '.gitkeep'), '');

    const listings = await listCrawls(dataDir);
    assert.deepEqual(
      listings.map((l) => [l.name, l.dir, l.meta?.name, l.error?.code]),
      [
        ['alpha', path.join(dataDir, 'alpha'), 'alpha', undefined],
        ['broken', path.join(dataDir, 'broken'), undefined, 'ERR_STORE_CORRUPT'],
        ['zeta', path.join(dataDir, 'zeta'), 'zeta', undefined],
      ],
    );
  });

  test('a missing data directory has no crawls', async () => {
    assert.deepEqual(await listCrawls(path.join(os.tmpdir(), 'skein-does-not-exist-' + process.pid)), []);
  });
});
