/**
 * The contract every PageStore passes. Call it from a test file with a
 * factory that makes a fresh, empty store; `reopen` opens the same storage
 * again (as a resumed crawl would; the first store may or may not be closed,
 * which is how a kill is simulated); `batchesOnDisk`, when given, counts the
 * write batches the storage holds (segment files…).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PageRecord } from '../../src/core/types.js';
import type { PageStore } from '../../src/store/page-store.js';

export interface PageStoreFixture {
  store: PageStore;
  /** Opens the same storage again. */
  reopen: () => Promise<PageStore>;
  cleanup: () => Promise<void>;
  /** Write batches the storage holds now. */
  batchesOnDisk?: () => Promise<number>;
}

/** A small, valid record for `key` (a URL). */
export function pageRecord(key: string, extra: Partial<PageRecord> = {}): PageRecord {
  return {
    key,
    url: key,
    redirects: [],
    status: 200,
    contentType: 'text/html',
    depth: 0,
    fetchedAt: '2024-01-02T03:04:05.000Z',
    outcome: 'ok',
    bytes: 100,
    timings: { waitMs: 1, downloadMs: 2, parseMs: 3, totalMs: 6 },
    title: `Title of ${key}`,
    ...extra,
  };
}

async function collect(store: PageStore): Promise<PageRecord[]> {
  const out: PageRecord[] = [];
  for await (const record of store.iterate()) out.push(record);
  return out;
}

async function keysOf(store: PageStore): Promise<string[]> {
  return (await collect(store)).map((record) => record.key);
}

const A = 'https://example.com/a';
const B = 'https://example.com/b';
const C = 'https://example.com/c';
const D = 'https://example.com/d';

export function pageStoreContract(name: string, makeStore: () => Promise<PageStoreFixture>): void {
  describe(`PageStore contract: ${name}`, () => {
    const fixtures: PageStoreFixture[] = [];
    async function fresh(): Promise<PageStoreFixture> {
      const fixture = await makeStore();
      fixtures.push(fixture);
      return fixture;
    }
    after(async () => {
      for (const fixture of fixtures) await fixture.cleanup();
    });

    test('a new store is empty', async () => {
      const { store } = await fresh();
      assert.equal(store.size, 0);
      assert.equal(store.pending, 0);
      assert.equal(store.has(A), false);
      assert.deepEqual(await collect(store), []);
    });

    test('put buffers a record: has, size and pending see it before any flush', async () => {
      const { store } = await fresh();
      assert.equal(store.put(pageRecord(A)), true);
      assert.equal(store.has(A), true);
      assert.equal(store.has(B), false);
      assert.equal(store.size, 1);
      assert.equal(store.pending, 1);
      await store.flush();
      assert.equal(store.pending, 0);
      assert.equal(store.size, 1);
      assert.equal(store.has(A), true);
    });

    test('a key already buffered or stored is ignored and returns false', async () => {
      const { store } = await fresh();
      assert.equal(store.put(pageRecord(A, { title: 'first' })), true);
      assert.equal(store.put(pageRecord(A, { title: 'buffered duplicate' })), false);
      await store.flush();
      assert.equal(store.put(pageRecord(A, { title: 'stored duplicate' })), false);
      assert.equal(store.size, 1);
      assert.equal(store.pending, 0);
      const records = await collect(store);
      assert.equal(records.length, 1);
      assert.equal(records[0]?.title, 'first');
    });

    test('iterate yields records in write order: flushed ones, then buffered ones', async () => {
      const { store } = await fresh();
      store.put(pageRecord(B));
      store.put(pageRecord(A));
      await store.flush();
      store.put(pageRecord(D));
      await store.flush();
      store.put(pageRecord(C));
      assert.deepEqual(await keysOf(store), [B, A, D, C]);
    });

    test('records come back exactly as they were put', async () => {
      const { store, reopen } = await fresh();
      const record = pageRecord(A, {
        finalUrl: `${A}/`,
        redirects: [{ url: A, status: 301 }],
        referrer: B,
        h1: ['Ünïcödé “quotes”', 'emoji 🕸️'],
        links: [B, C],
        fields: { price: 12.5, tags: ['x', 'y'], nested: { ok: true, none: null } },
        warnings: ['bad JSON-LD'],
      });
      store.put(record);
      await store.close();
      const again = await reopen();
      assert.deepEqual(await collect(again), [record]);
    });

    test('flush, then reopen: every record, has, size and order are kept', async () => {
      const { store, reopen } = await fresh();
      store.put(pageRecord(A));
      store.put(pageRecord(B));
      await store.flush();
      store.put(pageRecord(C));
      await store.flush();
      const again = await reopen();
      assert.equal(again.size, 3);
      assert.equal(again.pending, 0);
      assert.equal(again.has(A) && again.has(B) && again.has(C), true);
      assert.equal(again.has(D), false);
      assert.deepEqual(await keysOf(again), [A, B, C]);
    });

    test('fetched counts the records of pages fetched, buffered and after reopen (not fetched: false)', async () => {
      const { store, reopen } = await fresh();
      store.put(pageRecord(A));
      store.put(pageRecord(B, { fetched: false, outcome: 'skipped', reason: 'robots' }));
      assert.deepEqual([store.size, store.fetched], [2, 1]);
      assert.equal(store.put(pageRecord(B, { fetched: false })), false);
      assert.equal(store.fetched, 1, 'a duplicate put counts nothing');
      await store.flush();
      store.put(pageRecord(C, { fetched: false, outcome: 'skipped', reason: 'host-gave-up' }));
      store.put(pageRecord(D, { outcome: 'failed', reason: 'connection' }));
      await store.close();
      const again = await reopen();
      assert.deepEqual([again.size, again.fetched], [4, 2]);
    });

    test('close flushes what is buffered', async () => {
      const { store, reopen } = await fresh();
      store.put(pageRecord(A));
      await store.close();
      const again = await reopen();
      assert.deepEqual(await keysOf(again), [A]);
    });

    test('a record put but never flushed is not durable (kill before flush)', async () => {
      const { store, reopen } = await fresh();
      store.put(pageRecord(A));
      await store.flush();
      store.put(pageRecord(B));
      const again = await reopen();
      assert.deepEqual(await keysOf(again), [A]);
      assert.equal(again.has(B), false);
    });

    test('after reopen, re-putting stored records stores nothing twice', async () => {
      const { store, reopen } = await fresh();
      store.put(pageRecord(A));
      store.put(pageRecord(B));
      await store.close();
      const again = await reopen();
      assert.equal(again.put(pageRecord(A)), false);
      assert.equal(again.put(pageRecord(B)), false);
      assert.equal(again.put(pageRecord(C)), true);
      assert.equal(again.size, 3);
      assert.equal(again.pending, 1);
      await again.close();
      const third = await reopen();
      assert.deepEqual(await keysOf(third), [A, B, C]);
    });

    test('an empty flush writes nothing and changes nothing', async (t) => {
      const { store, reopen, batchesOnDisk } = await fresh();
      const batches = batchesOnDisk ?? (async () => 0);
      if (!batchesOnDisk) t.diagnostic('no batchesOnDisk: only the visible state is checked');
      await store.flush();
      assert.equal(await batches(), 0);
      store.put(pageRecord(A));
      await store.flush();
      const afterOne = await batches();
      await store.flush();
      await Promise.all([store.flush(), store.flush()]);
      assert.equal(await batches(), afterOne);
      assert.equal(store.size, 1);
      assert.deepEqual(await keysOf(await reopen()), [A]);
    });

    test('concurrent flushes are serialised and write every record once', async () => {
      const { store, reopen, batchesOnDisk } = await fresh();
      store.put(pageRecord(A));
      store.put(pageRecord(B));
      const first = store.flush();
      store.put(pageRecord(C));
      const second = store.flush();
      const third = store.flush();
      await Promise.all([first, second, third]);
      assert.equal(store.pending, 0);
      assert.deepEqual(await keysOf(store), [A, B, C]);
      // The first flush may or may not take C along; never a batch per call.
      if (batchesOnDisk) assert.ok((await batchesOnDisk()) <= 2);
      assert.deepEqual(await keysOf(await reopen()), [A, B, C]);
    });

    test('iterate is a snapshot: a flush finishing mid-iteration yields nothing twice', async () => {
      const { store } = await fresh();
      store.put(pageRecord(A));
      await store.flush();
      store.put(pageRecord(B));
      const iterator = store.iterate()[Symbol.asyncIterator]();
      const first = await iterator.next();
      await store.flush();
      store.put(pageRecord(C));
      const rest: string[] = [];
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) rest.push(next.value.key);
      assert.deepEqual([first.value?.key, ...rest], [A, B]);
      assert.deepEqual(await keysOf(store), [A, B, C]);
    });
  });
}
