/**
 * The two store mechanisms resume relies on, tested without killing anything:
 * the flush barrier (a page batch is written only after the journal, and
 * holds only pages put before the journal flush started) and the keys
 * sidecars (a fast key rebuild that never claims a key its segment lacks).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, readdir, readFile, rename, truncate, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CrawlRequest } from '../../src/core/types.js';
import { StoreError } from '../../src/core/errors.js';
import { FrontierJournal } from '../../src/store/frontier-journal.js';
import { keysSidecarPath } from '../../src/store/keys-sidecar.js';
import { LowdbPageStore } from '../../src/store/lowdb-page-store.js';
import { pageRecord } from '../store/page-store-contract.js';
import { tempDirs } from '../helpers/crawl-helpers.js';
import { lostLinks, readRawState } from '../helpers/resume-state.js';

const newDir = tempDirs('skein-resume-store-');

const url = (p: string) => `https://example.com${p}`;
const link = (p: string): CrawlRequest => ({ key: url(p), url: url(p), depth: 1, source: 'link' });
async function keysOf(dir: string): Promise<string[]> {
  const store = await LowdbPageStore.open(dir);
  const keys: string[] = [];
  for (const candidate of ['/a', '/b', '/c', '/late', '/x', '/y']) if (store.has(url(candidate))) keys.push(candidate);
  assert.equal(store.size, keys.length);
  return keys;
}

describe('flush barrier (flushFirst)', () => {
  test('runs before the batch is written; pages put meanwhile wait for the next flush', async () => {
    const dir = await newDir();
    const order: string[] = [];
    const store: LowdbPageStore = await LowdbPageStore.open(dir, {
      flushFirst: async () => {
        order.push(`barrier (segments on disk: ${(await readdir(dir).catch(() => [])).length})`);
        if (!store.has(url('/late'))) store.put(pageRecord(url('/late')));
      },
    });
    store.put(pageRecord(url('/a')));
    store.put(pageRecord(url('/b')));
    await store.flush();
    assert.deepEqual(order, ['barrier (segments on disk: 0)']);
    assert.equal(store.pending, 1, '/late was put during the barrier: not in this batch');
    assert.deepEqual(await keysOf(dir), ['/a', '/b']);
    await store.close();
    assert.deepEqual(await keysOf(dir), ['/a', '/b', '/late']);
  });

  test('a failing barrier writes nothing and keeps the pages for the next flush', async () => {
    const dir = await newDir();
    let fail = true;
    const store = await LowdbPageStore.open(dir, { flushFirst: async () => (fail ? Promise.reject(new Error('journal disk full')) : undefined) });
    store.put(pageRecord(url('/a')));
    await assert.rejects(store.flush(), /journal disk full/);
    assert.deepEqual(await readdir(dir).catch(() => []), []);
    assert.equal(store.pending, 1);
    fail = false;
    await store.flush();
    assert.deepEqual(await keysOf(dir), ['/a']);
  });

  test('after a failed flush, the next one runs its own barrier and commits both batches once, in order', async () => {
    const dir = await newDir();
    const barriers: string[] = [];
    let fail = true;
    const store = await LowdbPageStore.open(dir, {
      flushFirst: async () => {
        barriers.push(fail ? 'failed' : 'ok');
        if (fail) throw new Error('journal disk full');
      },
    });
    store.put(pageRecord(url('/a')));
    await assert.rejects(store.flush(), /journal disk full/);
    store.put(pageRecord(url('/b')));
    fail = false;
    // A flush called while another runs waits for it and commits nothing twice.
    await Promise.all([store.flush(), store.flush()]);
    assert.deepEqual(barriers, ['failed', 'ok']);
    assert.equal(store.pending, 0);
    const order: string[] = [];
    for await (const record of (await LowdbPageStore.open(dir)).iterate()) order.push(record.key);
    assert.deepEqual(order, [url('/a'), url('/b')]);
    assert.deepEqual((await readdir(dir)).filter((n) => /^\d+\.json$/.test(n)).sort(), ['000001.json', '000002.json']);
  });

  test('wired to the journal: whenever a page is on disk, the links it found are too', async () => {
    const root = await newDir();
    const journal = new FrontierJournal(path.join(root, 'frontier'));
    const store = await LowdbPageStore.open(path.join(root, 'pages'), { flushFirst: () => journal.flush() });
    // The crawler's order per page: links recorded, then the page put.
    const found = (page: string, links: string[]) => {
      journal.record(links.map(link));
      store.put(pageRecord(url(page), { links: links.map(url) }));
    };
    found('/a', ['/x']);
    // The crawler's checkpoint: the frontier journal first, then the store.
    const journalWrite = journal.flush();
    await new Promise((resolve) => setImmediate(resolve)); // the journal's batch is taken; its write is under way
    found('/b', ['/y']); // a page finishing in that window
    await journalWrite;
    await store.flush();
    // "Killed" here: what is on disk must be consistent.
    const state = await readRawState(root);
    assert.deepEqual(lostLinks(state, () => true), []);
    assert.ok(state.pageKeys.includes(url('/a')));
  });
});

describe('keys sidecars', () => {
  async function storeWith(dir: string, batches: string[][]): Promise<void> {
    const store = await LowdbPageStore.open(dir);
    for (const batch of batches) {
      for (const p of batch) store.put(pageRecord(url(p)));
      await store.flush();
    }
  }

  test('each segment gets a sidecar with its keys; reopening reads the same keys', async () => {
    const dir = await newDir();
    await storeWith(dir, [['/a', '/b'], ['/c']]);
    assert.deepEqual((await readdir(dir)).sort(), ['000001.json', '000001.keys.json', '000002.json', '000002.keys.json']);
    const sidecar = JSON.parse(await readFile(keysSidecarPath(path.join(dir, '000001.json')), 'utf8'));
    assert.deepEqual(sidecar.keys, [url('/a'), url('/b')]);
    assert.deepEqual(await keysOf(dir), ['/a', '/b', '/c']);
  });

  test('a missing sidecar (killed between the two writes) falls back to the segment', async () => {
    const dir = await newDir();
    await storeWith(dir, [['/a'], ['/b']]);
    await unlink(keysSidecarPath(path.join(dir, '000002.json')));
    assert.deepEqual(await keysOf(dir), ['/a', '/b']);
  });

  test('a sidecar that no longer matches its segment is ignored: the segment decides', async () => {
    const dir = await newDir();
    await storeWith(dir, [['/a', '/b']]);
    const segment = path.join(dir, '000001.json');
    const data = JSON.parse(await readFile(segment, 'utf8'));
    data.items = data.items.filter((r: { key: string }) => r.key === url('/a'));
    await writeFile(segment, JSON.stringify(data, null, 2));
    assert.deepEqual(await keysOf(dir), ['/a'], 'the stale sidecar still lists /b');
    await appendFile(keysSidecarPath(segment), 'garbage');
    assert.deepEqual(await keysOf(dir), ['/a']);
  });

  test('a sidecar without its segment claims nothing, and a new segment of that number replaces it', async () => {
    const dir = await newDir();
    await storeWith(dir, [['/a'], ['/b']]);
    // The user moves segment 2 aside (say it was damaged): its sidecar stays.
    await rename(path.join(dir, '000002.json'), path.join(dir, 'aside.json.bak'));
    assert.deepEqual(await keysOf(dir), ['/a']);
    await storeWith(dir, [['/c']]);
    assert.deepEqual(await keysOf(dir), ['/a', '/c']);
    const sidecar = JSON.parse(await readFile(keysSidecarPath(path.join(dir, '000002.json')), 'utf8'));
    assert.deepEqual(sidecar.keys, [url('/c')]);
  });

  test('a truncated segment is still reported at open, naming it, although its sidecar is intact', async () => {
    const dir = await newDir();
    await storeWith(dir, [['/a', '/b']]);
    const segment = path.join(dir, '000001.json');
    await truncate(segment, 40);
    await assert.rejects(LowdbPageStore.open(dir), (error: unknown) => {
      assert.ok(error instanceof StoreError);
      assert.equal(error.code, 'ERR_STORE_CORRUPT');
      assert.ok(error.message.includes(segment));
      return true;
    });
  });
});
