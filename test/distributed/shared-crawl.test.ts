import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/core/errors.js';
import { assertSameCrawl, firstDifference, nodeConfig, sharedPart, type SharedCrawl } from '../../src/distributed/shared-crawl.js';
import { parseRedisUrl, redact } from '../../src/distributed/redis-connection.js';
import { scheduledDelayMs } from '../../src/distributed/node-frontier.js';

const seeder = validateConfig({
  name: 'mine',
  seeds: ['https://example.com/'],
  dataDir: '/seeder/data',
  scope: { maxPages: 500 },
  politeness: { delayMs: 250 },
  fetch: { concurrency: 64, perHostParallelism: 2 },
  parser: { workers: 8 },
});
const crawl: SharedCrawl = { version: 1, crawlId: 'site-2026', config: sharedPart(seeder), leaseMs: 60_000, createdAt: '2026-01-01T00:00:00.000Z', seededBy: 'n1' };

describe('shared crawl definition', () => {
  test('sharedPart drops what is node-local', () => {
    const shared = sharedPart(seeder) as Record<string, Record<string, unknown>>;
    for (const key of ['name', 'dataDir', 'parser', 'store']) assert.equal(key in shared, false, key);
    assert.equal('concurrency' in shared.fetch!, false);
    assert.equal(shared.fetch!.perHostParallelism, 2);
    assert.equal(shared.politeness!.delayMs, 250);
  });

  test('firstDifference names the first differing dotted path', () => {
    const table: Array<[unknown, unknown, string | undefined]> = [
      [{ a: 1 }, { a: 1 }, undefined],
      [{ a: { b: [1, 2] } }, { a: { b: [1, 3] } }, 'a.b'],
      [{ a: 1 }, { a: 1, z: 2 }, 'z'],
      [{ a: { x: 1 }, b: 2 }, { a: { x: 2 }, b: 3 }, 'a.x'],
      [1, 2, 'config'],
    ];
    for (const [a, b, expected] of table) assert.equal(firstDifference(a, b), expected, JSON.stringify([a, b]));
  });

  test('nodeConfig: shared settings from Redis, local ones from the node; only the seeder reads sitemaps', () => {
    const local = validateConfig({ dataDir: '/node/data', fetch: { concurrency: 8 }, parser: { workers: 1 }, scope: { maxPages: 3 } });
    const joiner = nodeConfig(crawl, local, false);
    assert.equal(joiner.name, 'site-2026');
    assert.deepEqual(joiner.seeds, ['https://example.com/']);
    assert.equal(joiner.scope.maxPages, 500, 'scope comes from the crawl, not the node');
    assert.equal(joiner.politeness.delayMs, 250);
    assert.equal(joiner.fetch.perHostParallelism, 2);
    assert.equal(joiner.fetch.concurrency, 8);
    assert.equal(joiner.parser.workers, 1);
    assert.equal(joiner.dataDir, '/node/data');
    assert.equal(joiner.politeness.sitemaps, false);
    assert.equal(nodeConfig(crawl, local, true).politeness.sitemaps, true);
  });

  test('assertSameCrawl: node-local differences are fine, crawl-defining ones are a ConfigError naming the field', () => {
    assertSameCrawl(crawl, validateConfig({ ...JSON.parse(JSON.stringify(seeder)), dataDir: 'elsewhere', fetch: { ...seeder.fetch, concurrency: 4 } }));
    const other = validateConfig({ ...JSON.parse(JSON.stringify(seeder)), scope: { ...seeder.scope, maxDepth: 3 } });
    assert.throws(() => assertSameCrawl(crawl, other), (e: unknown) => e instanceof ConfigError && e.field === 'scope.maxDepth' && /skein worker/.test(e.message));
  });

  test('the schedule adds a margin to non-zero delays only', () => {
    assert.deepEqual([0, 1, 150, 1000].map(scheduledDelayMs), [0, 21, 170, 1020]);
  });
});

describe('Redis URLs', () => {
  test('credentials are redacted; TLS is rediss://', () => {
    const t = parseRedisUrl('rediss://admin:p%40ss-word@redis.example:6380/2');
    assert.equal(t.tls, true);
    assert.equal(t.redacted, 'rediss://***:***@redis.example:6380/2');
    assert.equal(redact('AUTH failed for p@ss-word and p%40ss-word (admin)', t), 'AUTH failed for *** and *** (***)');
    const plain = parseRedisUrl('redis://127.0.0.1:6379');
    assert.deepEqual([plain.tls, plain.redacted, plain.secrets], [false, 'redis://127.0.0.1:6379', []]);
    assert.equal(parseRedisUrl('redis://:only-password@h').redacted, 'redis://:***@h');
  });

  test('a bad URL is a ConfigError that does not echo it', () => {
    for (const url of ['http://u:secret-pw@h:6379', 'not a url secret-pw']) {
      assert.throws(() => parseRedisUrl(url), (e: unknown) => e instanceof ConfigError && e.field === 'redis' && !e.message.includes('secret-pw'));
    }
  });
});
