import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, ParseError } from '../../src/core/errors.js';
import type { ParsedPage } from '../../src/core/types.js';
import { createParsePool } from '../../src/parse/parse-pool.js';
import { batchLimit, MAX_BATCH_PAGES } from '../../src/parse/worker-parse-pool.js';
import type { ParsePool, ParserMode } from '../../src/parse/parse-types.js';
import { htmlInput, testRules } from '../helpers/parse-rules.js';
import { NO_DEFAULT_EXTRACTOR, TEST_EXTRACTOR } from '../helpers/parse-pool-helpers.js';

const PAGE = `<!doctype html><html lang="fr"><head><meta charset="windows-1252"><title>Caf\u00e9</title>
  <meta name="description" content="menu"><link rel="canonical" href="/menu"></head>
  <body><h1>Bienvenue</h1><h2>Carte</h2><p>Une page.</p>
  <a href="/a">a</a><a href="https://other.org/">o</a><a rel="nofollow" href="/nf">nf</a></body></html>`;

/** The page bytes in windows-1252 (é is 0xE9), so every mode must decode it the same way. */
function pageBytes(): Uint8Array {
  return Uint8Array.from(Array.from(PAGE, (ch) => ch.charCodeAt(0)));
}

function withoutTimings(page: ParsedPage): Omit<ParsedPage, 'parseMs'> {
  const { parseMs: _ignored, ...rest } = page;
  const fields = rest.fields ? { ...rest.fields } : undefined;
  if (fields) delete fields.worker;
  return fields ? { ...rest, fields } : rest;
}

const MODES: ParserMode[] = ['inline', 'thread', 'process'];

describe('parse pool: the three modes agree', () => {
  const pools = new Map<ParserMode, ParsePool>();
  before(() => {
    for (const mode of MODES) {
      pools.set(mode, createParsePool({
        mode,
        workers: 1,
        rules: testRules({ extract: { module: TEST_EXTRACTOR } }),
        taskTimeoutMs: 20_000,
        workerHeapMb: 256,
        maxQueue: 4,
      }));
    }
  });
  after(() => Promise.all([...pools.values()].map((pool) => pool.close())));

  test('the same page parses identically in inline, thread and process modes', async () => {
    const input = htmlInput('', { url: 'https://example.com/cafe', body: pageBytes(), contentType: 'text/html' });
    const pages = await Promise.all(MODES.map((mode) => pools.get(mode)!.parse(input)));
    const [inline, thread, processed] = pages.map(withoutTimings);
    assert.equal(inline!.title, 'Café');
    assert.equal(inline!.charset, 'windows-1252');
    assert.deepEqual(inline!.follow, ['https://example.com/a']);
    assert.deepEqual(inline!.fields, { h1Count: 1, htmlChars: PAGE.length });
    assert.deepEqual(thread, inline);
    assert.deepEqual(processed, inline);
    for (const page of pages) assert.ok(page.parseMs > 0);
  });

  test('the extractor runs inside the worker, not on the main thread', async () => {
    const input = htmlInput('<h1>x</h1>', { url: 'https://example.com/who' });
    const [inline, thread, processed] = await Promise.all(MODES.map((mode) => pools.get(mode)!.parse(input)));
    const where = (page: ParsedPage) => page.fields?.worker as { pid: number; threadId: number };
    assert.deepEqual(where(inline!), { pid: process.pid, threadId: 0 });
    assert.equal(where(thread!).pid, process.pid);
    assert.notEqual(where(thread!).threadId, 0);
    assert.notEqual(where(processed!).pid, process.pid);
  });

  for (const mode of MODES) {
    test(`${mode}: an extractor that throws fails that page only (ERR_EXTRACTOR, no retry)`, async () => {
      const pool = pools.get(mode)!;
      const before = pool.stats();
      await assert.rejects(pool.parse(htmlInput('<p>x</p>', { url: 'https://example.com/throw' })), (error: unknown) => {
        assert.ok(error instanceof ParseError);
        assert.equal(error.code, 'ERR_EXTRACTOR');
        assert.match(error.message, /extractor exploded/);
        return true;
      });
      const page = await pool.parse(htmlInput('<h1>ok</h1>', { url: 'https://example.com/fine' }));
      assert.equal(page.fields?.h1Count, 1);
      assert.equal(pool.stats().crashes, before.crashes);
    });
  }
});

describe('parse pool: backpressure and lifecycle', () => {
  test('parse() never throws past maxQueue; backlog counts waiting + running', async () => {
    const pool = createParsePool({ mode: 'process', workers: 1, rules: testRules(), taskTimeoutMs: 20_000, workerHeapMb: 128, maxQueue: 2 });
    try {
      const tasks = Array.from({ length: 6 }, (_, i) => pool.parse(htmlInput(`<title>${i}</title>`)));
      assert.equal(pool.backlog, 6);
      let capacity = false;
      const waiting = pool.waitForCapacity!().then(() => {
        capacity = true;
      });
      assert.equal(capacity, false);
      const pages = await Promise.all(tasks);
      await waiting;
      assert.deepEqual(pages.map((p) => p.title), ['0', '1', '2', '3', '4', '5']);
      assert.equal(pool.backlog, 0);
      assert.equal(pool.stats().tasksDone, 6);
    } finally {
      await pool.close();
    }
  });

  for (const mode of ['process', 'thread'] as const) {
    test(`${mode}: queued pages travel in batches of up to 8; a page that throws fails alone, in order`, async () => {
      const pool = createParsePool({ mode, workers: 1, rules: testRules({ extract: { module: TEST_EXTRACTOR } }), taskTimeoutMs: 20_000, workerHeapMb: 128, maxQueue: 32 });
      try {
        // Before any page is parsed the pool sends one page at a time; then 19 queued pages make
        // batches of 8, 8 and 3.
        const tasks = Array.from({ length: 20 }, (_, i) =>
          pool.parse(htmlInput(`<title>${i}</title><h1>x</h1>`, { url: `https://example.com/${i === 5 ? 'throw' : 'p'}/${i}` })));
        const settled = await Promise.allSettled(tasks);
        const titles = settled.map((result) => (result.status === 'fulfilled' ? result.value.title : (result.reason as ParseError).code));
        assert.deepEqual(titles, Array.from({ length: 20 }, (_, i) => (i === 5 ? 'ERR_EXTRACTOR' : String(i))));
        assert.deepEqual([pool.stats().batches, pool.stats().tasksDone, pool.stats().crashes], [4, 20, 0]);
        // An idle pool sends a lone page at once, in a batch of its own.
        assert.equal((await pool.parse(htmlInput('<title>late</title>'))).title, 'late');
        assert.equal(pool.stats().batches, 5);
      } finally {
        await pool.close();
      }
    });
  }

  test('batchLimit: one page until a parse time is known, then as many as fill a quarter of the timeout, at most 8', () => {
    const cases: Array<[number | undefined, number, number]> = [
      [undefined, 30_000, 1],
      [1, 30_000, MAX_BATCH_PAGES],
      [1_000, 30_000, 7],
      [3_750, 30_000, 2],
      [10_000, 30_000, 1],
      [300, 1_000, 1],
      [0, 1_000, MAX_BATCH_PAGES],
    ];
    for (const [parseMs, timeoutMs, expected] of cases) assert.equal(batchLimit(parseMs, timeoutMs), expected, `${parseMs} ms a page, ${timeoutMs} ms timeout`);
  });

  test('close() rejects pending pages and later calls with ERR_POOL_CLOSED', async () => {
    const pool = createParsePool({ mode: 'thread', workers: 1, rules: testRules(), taskTimeoutMs: 20_000, workerHeapMb: 128, maxQueue: 2 });
    const pending = Promise.allSettled([pool.parse(htmlInput('<p>1</p>')), pool.parse(htmlInput('<p>2</p>'))]);
    await pool.close();
    for (const result of await pending) {
      assert.equal(result.status, 'rejected');
      assert.equal((result.reason as ParseError).code, 'ERR_POOL_CLOSED');
    }
    await assert.rejects(pool.parse(htmlInput('<p>3</p>')), { code: 'ERR_POOL_CLOSED' });
  });

  test('a missing extract.module is a ConfigError at creation', () => {
    assert.throws(
      () => createParsePool({ mode: 'process', workers: 1, rules: testRules({ extract: { module: 'no/such/module.mjs' } }), taskTimeoutMs: 1000, workerHeapMb: 128, maxQueue: 2 }),
      (error: unknown) => error instanceof ConfigError && error.field === 'extract.module' && /module not found/.test(error.message),
    );
  });

  for (const mode of ['inline', 'process'] as const) {
    test(`${mode}: a module without a default export makes every parse reject with a ConfigError`, async () => {
      const pool = createParsePool({ mode, workers: 2, rules: testRules({ extract: { module: NO_DEFAULT_EXTRACTOR } }), taskTimeoutMs: 1000, workerHeapMb: 128, maxQueue: 2 });
      try {
        for (let i = 0; i < 2; i++) {
          await assert.rejects(pool.parse(htmlInput('<p>x</p>')), (error: unknown) => {
            assert.ok(error instanceof ConfigError, String(error));
            assert.equal(error.field, 'extract.module');
            assert.match(error.message, /default export/);
            return true;
          });
        }
        assert.equal(pool.stats().crashes, 0);
      } finally {
        await pool.close();
      }
    });
  }
});
