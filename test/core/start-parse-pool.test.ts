/**
 * The crawl config reaches the parser pool: recycling and worker count.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startParsePool } from '../../src/core/create-crawler.js';
import { testConfig } from '../helpers/crawl-helpers.js';

test('parser.recycleAfterPages from the config replaces workers with no page lost', async () => {
  const config = testConfig('/nonexistent', { seeds: ['http://127.0.0.1/'], parser: { mode: 'process', workers: 1, recycleAfterPages: 3 } });
  const pool = startParsePool(config);
  try {
    const html = (i: number) => new TextEncoder().encode(`<html><head><title>page ${i}</title></head><body><a href="/p/${i + 1}">next</a></body></html>`);
    const pages = await Promise.all(
      Array.from({ length: 7 }, (_, i) => pool.parse({ url: `http://127.0.0.1/p/${i}`, depth: 0, status: 200, contentType: 'text/html', body: html(i) })),
    );
    assert.deepEqual(pages.map((p) => p.title), Array.from({ length: 7 }, (_, i) => `page ${i}`));
    const stats = pool.stats();
    assert.equal(stats.workers, 1);
    assert.ok((stats.recycled ?? 0) >= 2, `recycled ${stats.recycled}`);
  } finally {
    await pool.close();
  }
});
