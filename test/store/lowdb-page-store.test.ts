import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { StoreError } from '../../src/core/errors.js';
import { LowdbPageStore } from '../../src/store/lowdb-page-store.js';
import { pageRecord, pageStoreContract } from './page-store-contract.js';

async function tempDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'skein-page-store-'));
}

async function segmentNames(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((name) => /^\d+\.json$/.test(name)).sort();
  } catch {
    return [];
  }
}

pageStoreContract('LowdbPageStore', async () => {
  const root = await tempDir();
  const dir = path.join(root, 'pages');
  return {
    store: await LowdbPageStore.open(dir),
    reopen: () => LowdbPageStore.open(dir),
    cleanup: () => rm(root, { recursive: true, force: true }),
    batchesOnDisk: async () => (await segmentNames(dir)).length,
  };
});

describe('LowdbPageStore on disk', () => {
  const roots: string[] = [];
  async function newDir(): Promise<string> {
    const root = await tempDir();
    roots.push(root);
    return path.join(root, 'pages');
  }
  after(async () => {
    for (const root of roots) await rm(root, { recursive: true, force: true });
  });

  test('each flush writes one new segment file and leaves older ones byte-for-byte unchanged', async () => {
    const dir = await newDir();
    const store = await LowdbPageStore.open(dir);
    store.put(pageRecord('https://example.com/1'));
    store.put(pageRecord('https://example.com/2'));
    await store.flush();
    const first = await readFile(path.join(dir, '000001.json'), 'utf8');
    store.put(pageRecord('https://example.com/3'));
    await store.flush();
    assert.deepEqual(await segmentNames(dir), ['000001.json', '000002.json']);
    assert.equal(await readFile(path.join(dir, '000001.json'), 'utf8'), first);
    const second = JSON.parse(await readFile(path.join(dir, '000002.json'), 'utf8')) as { items: { key: string }[] };
    assert.deepEqual(second.items.map((item) => item.key), ['https://example.com/3']);
  });

  test('opening a missing directory changes nothing on disk until the first flush', async () => {
    const dir = await newDir();
    const store = await LowdbPageStore.open(dir);
    assert.equal(store.size, 0);
    await store.flush();
    await assert.rejects(readdir(dir), { code: 'ENOENT' });
    store.put(pageRecord('https://example.com/1'));
    await store.close();
    assert.deepEqual(await segmentNames(dir), ['000001.json']);
  });

  test('a truncated segment fails open with a StoreError naming the file; the file is left untouched', async () => {
    const dir = await newDir();
    const store = await LowdbPageStore.open(dir);
    store.put(pageRecord('https://example.com/1'));
    await store.flush();
    store.put(pageRecord('https://example.com/2'));
    await store.flush();
    const file = path.join(dir, '000002.json');
    const whole = await readFile(file, 'utf8');
    const truncated = whole.slice(0, Math.floor(whole.length / 2));
    await writeFile(file, truncated);

    await assert.rejects(LowdbPageStore.open(dir), (error: unknown) => {
      assert.ok(error instanceof StoreError);
      assert.equal(error.code, 'ERR_STORE_CORRUPT');
      assert.equal(error.retryable, false);
      assert.ok(error.message.includes(file), error.message);
      assert.match(error.message, /not valid JSON/);
      assert.match(error.message, /move it out of/);
      return true;
    });
    assert.equal(await readFile(file, 'utf8'), truncated);
    assert.deepEqual(await segmentNames(dir), ['000001.json', '000002.json']);
  });

  test('a segment holding a record without a key is corrupt, reported with the item index', async () => {
    const dir = await newDir();
    const store = await LowdbPageStore.open(dir);
    store.put(pageRecord('https://example.com/1'));
    await store.close();
    const file = path.join(dir, '000001.json');
    const content = JSON.stringify({ version: 1, items: [pageRecord('https://example.com/1'), { url: 'https://example.com/x', outcome: 'ok' }] });
    await writeFile(file, content);
    await assert.rejects(LowdbPageStore.open(dir), (error: unknown) => {
      assert.ok(error instanceof StoreError);
      assert.equal(error.code, 'ERR_STORE_CORRUPT');
      assert.ok(error.message.includes(file));
      assert.match(error.message, /item 1 is invalid: "key"/);
      return true;
    });
    assert.equal(await readFile(file, 'utf8'), content);
  });

  test('a temp file left by a killed flush is ignored on open and removed by the next flush', async () => {
    const dir = await newDir();
    const store = await LowdbPageStore.open(dir);
    store.put(pageRecord('https://example.com/1'));
    await store.close();
    // What a kill leaves behind: an open batch's temp file, and (older versions) lowdb's temp file.
    const temp = path.join(dir, '.000002.json.tmp');
    await writeFile(temp, '{"version":1,"items":[{"key":"https://example.com/half');
    await writeFile(path.join(dir, '.open-0f0e0d0c-0000-4000-8000-000000000000.json.tmp'), '{"version":1,"items":[\n{"key":"https://example.com/open"');

    const again = await LowdbPageStore.open(dir);
    assert.equal(again.size, 1);
    assert.equal(again.has('https://example.com/half'), false);
    assert.ok((await readdir(dir)).includes('.000002.json.tmp'), 'opening alone does not delete anything');
    assert.equal(again.has('https://example.com/open'), false);
    again.put(pageRecord('https://example.com/2'));
    await again.flush();
    assert.deepEqual(await readdir(dir).then((names) => names.sort()), ['000001.json', '000001.keys.json', '000002.json', '000002.keys.json']);
    const third = await LowdbPageStore.open(dir);
    assert.equal(third.size, 2);
  });

  test('a failed flush keeps the records buffered and the next flush writes them once', async () => {
    const dir = await newDir();
    const store = await LowdbPageStore.open(dir);
    // A regular file where the store's directory should be: the write fails.
    await writeFile(dir, 'not a directory');
    store.put(pageRecord('https://example.com/1'));
    await assert.rejects(store.flush(), (error: unknown) => {
      assert.ok(error instanceof StoreError);
      assert.equal(error.code, 'ERR_STORE_WRITE');
      assert.equal(error.retryable, true);
      return true;
    });
    assert.equal(store.pending, 1);
    await rm(dir);
    store.put(pageRecord('https://example.com/2'));
    await store.flush();
    assert.equal(store.pending, 0);
    const again = await LowdbPageStore.open(dir);
    const keys: string[] = [];
    for await (const record of again.iterate()) keys.push(record.key);
    assert.deepEqual(keys, ['https://example.com/1', 'https://example.com/2']);
  });

  test('a record JSON cannot hold is refused at put with ERR_STORE_RECORD; nothing of it is stored', async () => {
    const dir = await newDir();
    const store = await LowdbPageStore.open(dir);
    const bad = { ...pageRecord('https://example.com/big'), fields: { n: 1n } } as unknown as Parameters<LowdbPageStore['put']>[0];
    assert.throws(() => store.put(bad), { name: 'StoreError', code: 'ERR_STORE_RECORD' });
    assert.equal(store.has('https://example.com/big'), false);
    assert.equal(store.pending, 0);
    assert.equal(store.put(pageRecord('https://example.com/ok')), true);
    await store.close();
    const keys: string[] = [];
    for await (const record of (await LowdbPageStore.open(dir)).iterate()) keys.push(record.key);
    assert.deepEqual(keys, ['https://example.com/ok']);
  });

  test('fetched is counted from the segments when a sidecar is missing or of an older version', async () => {
    const dir = await newDir();
    const store = await LowdbPageStore.open(dir);
    store.put(pageRecord('https://example.com/1'));
    store.put(pageRecord('https://example.com/2', { fetched: false, outcome: 'skipped', reason: 'robots' }));
    await store.flush();
    store.put(pageRecord('https://example.com/3', { fetched: false, outcome: 'skipped', reason: 'robots' }));
    await store.close();
    assert.deepEqual(JSON.parse(await readFile(path.join(dir, '000001.keys.json'), 'utf8')).marked, 1);
    await rm(path.join(dir, '000001.keys.json'));
    const sidecar = path.join(dir, '000002.keys.json');
    const { marked: _marked, ...older } = JSON.parse(await readFile(sidecar, 'utf8'));
    await writeFile(sidecar, JSON.stringify({ ...older, version: 1 }));
    const again = await LowdbPageStore.open(dir);
    assert.deepEqual([again.size, again.fetched], [3, 1]);
  });

  test('put after close throws a StoreError', async () => {
    const store = await LowdbPageStore.open(await newDir());
    await store.close();
    assert.throws(() => store.put(pageRecord('https://example.com/1')), { name: 'StoreError', code: 'ERR_STORE_CLOSED' });
  });
});
