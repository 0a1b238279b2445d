import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { StoreError } from '../../src/core/errors.js';
import type { CrawlRequest } from '../../src/core/types.js';
import { checkCrawlRequest, FrontierJournal } from '../../src/store/frontier-journal.js';
import { LowdbPageStore } from '../../src/store/lowdb-page-store.js';
import { tempDirs } from '../helpers/crawl-helpers.js';
import { pageRecord } from './page-store-contract.js';

const newRoot = tempDirs('skein-journal-');

function request(pathname: string, extra: Partial<CrawlRequest> = {}): CrawlRequest {
  const url = `https://example.com${pathname}`;
  return { key: url, url, depth: 1, source: 'link', referrer: 'https://example.com/', ...extra };
}

async function readAll(journal: FrontierJournal): Promise<CrawlRequest[]> {
  const out: CrawlRequest[] = [];
  for await (const item of journal.readAll()) out.push(item);
  return out;
}

describe('FrontierJournal', () => {
  test('round trip: recorded requests come back in order after reopening, exactly as recorded', async () => {
    const dir = path.join(await newRoot(), 'frontier');
    const journal = new FrontierJournal(dir);
    const seed: CrawlRequest = { key: 'https://example.com/', url: 'https://example.com/', depth: 0, source: 'seed' };
    journal.record([seed]);
    journal.record([request('/a', { priority: 2, attempt: 1 }), request('/b')]);
    assert.equal(journal.pending, 3);
    await journal.flush();
    journal.record([request('/c', { source: 'sitemap' })]);
    await journal.flush();
    assert.equal(journal.pending, 0);
    assert.deepEqual((await readdir(dir)).sort(), ['000001.json', '000002.json']);

    const reopened = new FrontierJournal(dir);
    assert.deepEqual(await readAll(reopened), [seed, request('/a', { priority: 2, attempt: 1 }), request('/b'), request('/c', { source: 'sitemap' })]);
  });

  test('readAll writes what is buffered first, then yields everything in record order', async () => {
    const dir = path.join(await newRoot(), 'frontier');
    const journal = new FrontierJournal(dir);
    journal.record([request('/a')]);
    assert.deepEqual((await readAll(new FrontierJournal(dir))).map((r) => r.key), [], 'recorded is not durable before a flush');
    await journal.flush();
    journal.record([request('/b')]);
    assert.deepEqual((await readAll(journal)).map((r) => r.key), ['https://example.com/a', 'https://example.com/b']);
    assert.equal(journal.pending, 0);
    assert.deepEqual((await readAll(new FrontierJournal(dir))).map((r) => r.key), ['https://example.com/a', 'https://example.com/b']);
  });

  test('an empty flush writes nothing; a journal never written reads as empty', async () => {
    const dir = path.join(await newRoot(), 'frontier');
    const journal = new FrontierJournal(dir);
    await journal.flush();
    journal.record([]);
    await journal.flush();
    await assert.rejects(readdir(dir), { code: 'ENOENT' });
    assert.deepEqual(await readAll(journal), []);
  });

  test('a corrupt journal segment raises a StoreError naming the file and leaves it untouched', async () => {
    const dir = path.join(await newRoot(), 'frontier');
    const journal = new FrontierJournal(dir);
    journal.record([request('/a')]);
    await journal.flush();
    const file = path.join(dir, '000001.json');
    const broken = (await readFile(file, 'utf8')).slice(0, 20);
    await writeFile(file, broken);
    await assert.rejects(readAll(new FrontierJournal(dir)), (error: unknown) => {
      assert.ok(error instanceof StoreError);
      assert.equal(error.code, 'ERR_STORE_CORRUPT');
      assert.ok(error.message.includes(file), error.message);
      assert.match(error.message, /frontier journal segment/);
      return true;
    });
    assert.equal(await readFile(file, 'utf8'), broken);
  });

  test('checkCrawlRequest', () => {
    const cases: [unknown, string | undefined][] = [
      [request('/a'), undefined],
      [{ key: 'k', url: 'u', depth: 0, source: 'seed' }, undefined],
      [null, 'expected an object'],
      [{ url: 'u', depth: 0, source: 'seed' }, '"key" must be a non-empty string'],
      [{ key: 'k', depth: 0, source: 'seed' }, '"url" must be a string'],
      [{ key: 'k', url: 'u', depth: -1, source: 'seed' }, '"depth" must be an integer >= 0'],
      [{ key: 'k', url: 'u', depth: 1.5, source: 'seed' }, '"depth" must be an integer >= 0'],
      [{ key: 'k', url: 'u', depth: 0, source: 'rss' }, '"source" must be "seed", "link" or "sitemap"'],
    ];
    for (const [value, expected] of cases) assert.equal(checkCrawlRequest(value), expected, JSON.stringify(value));
  });
});
