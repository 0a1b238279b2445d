import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { open, readdir, readFile, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { StoreError } from '../../src/core/errors.js';
import { SegmentLog } from '../../src/store/segment-log.js';
import { CHUNK_BYTES, SegmentWriter } from '../../src/store/segment-writer.js';
import { tempDirs } from '../helpers/crawl-helpers.js';
import { waitFor } from '../helpers/wait-for.js';

const newDir = tempDirs('skein-segment-writer-');

describe('segment format', () => {
  test('one compact item per line, valid JSON that reads back equal', async () => {
    const dir = await newDir();
    const log = await SegmentLog.open<unknown>(dir);
    const items = [{ id: 1, text: 'café — naïve' }, { id: 2, nested: { list: [1, 2] } }, null];
    assert.equal(await log.append(items), 1);
    const text = await readFile(path.join(dir, '000001.json'), 'utf8');
    assert.equal(text, '{"version":1,"items":[\n{"id":1,"text":"café — naïve"},\n{"id":2,"nested":{"list":[1,2]}},\nnull\n]}\n');
    const read: unknown[] = [];
    for await (const item of log.read()) read.push(item);
    assert.deepEqual(read, items);
  });

  test('a batch far larger than one write chunk (and UTF-16 text) arrives whole', async () => {
    const dir = await newDir();
    const log = await SegmentLog.open<{ id: number; text: string }>(dir);
    const items = Array.from({ length: 300 }, (_, id) => ({ id, text: `${'x'.repeat(20_000)} — ${id}` }));
    await log.append(items);
    const text = await readFile(path.join(dir, '000001.json'), 'utf8');
    const parsed = JSON.parse(text) as { items: typeof items };
    assert.equal(parsed.items.length, 300);
    assert.deepEqual(parsed.items[299], items[299]);
    assert.equal(text.split('\n').length, 300 + 2 + 1);
  });

  test('undefined items become null, as JSON.stringify writes them in an array', async () => {
    const dir = await newDir();
    await (await SegmentLog.open<unknown>(dir)).append([undefined, 1]);
    assert.deepEqual(JSON.parse(await readFile(path.join(dir, '000001.json'), 'utf8')), { version: 1, items: [null, 1] });
  });
});

describe('SegmentWriter', () => {
  test('items go to a temp file as they are added; commit renames it into place', async () => {
    const dir = await newDir();
    const log = await SegmentLog.open<{ id: number; text: string }>(dir, { keyOf: (item) => String(item.id) });
    const writer = log.openSegment();
    const big = 'y'.repeat(CHUNK_BYTES);
    for (let id = 0; id < 4; id++) writer.add({ id, text: big });
    // Four chunks' worth, before any commit: on disk in a temp file, not a segment.
    const tempFile = async () => (await readdir(dir)).find((n) => /^\.open-[0-9a-f-]+\.json\.tmp$/.test(n));
    await waitFor('the temp file to hold the items', async () => {
      const name = await tempFile();
      return name !== undefined && (await stat(path.join(dir, name))).size >= 4 * CHUNK_BYTES;
    }, 5_000);
    assert.deepEqual((await readdir(dir)).filter((n) => !n.startsWith('.')), []);
    assert.equal(await log.commit(writer), 1);
    assert.deepEqual((await readdir(dir)).sort(), ['000001.json', '000001.keys.json']);
    assert.equal(await tempFile(), undefined);
    const read: unknown[] = [];
    for await (const item of log.read()) read.push(item);
    assert.equal(read.length, 4);
    const keys: string[] = [];
    for await (const key of log.readKeys()) keys.push(key);
    assert.deepEqual(keys, ['0', '1', '2', '3']);
  });

  test('items of every size and script fill chunks and read back exactly', async () => {
    const dir = await newDir();
    const log = await SegmentLog.open<{ id: number; text: string }>(dir);
    const writer = log.openSegment();
    // Multi-byte text (2, 3 and 4 bytes a character) whose lines end across chunk boundaries, and a few lines longer than a chunk.
    const pieces = ['é', '語', '😀', 'a"\\\n'];
    const items = Array.from({ length: 300 }, (_, id) => ({ id, text: pieces[id % 4]!.repeat(id % 50 === 49 ? CHUNK_BYTES : 700 + id * 37) }));
    for (const item of items) writer.add(item);
    await log.commit(writer);
    assert.deepEqual(JSON.parse(await readFile(path.join(dir, '000001.json'), 'utf8')), { version: 1, items });
  });

  test('an item JSON cannot write throws at add and changes nothing', async () => {
    const dir = await newDir();
    const log = await SegmentLog.open<unknown>(dir);
    const writer = log.openSegment();
    writer.add({ ok: 1 });
    assert.throws(() => writer.add({ big: 1n }), TypeError);
    assert.equal(writer.count, 1);
    await log.commit(writer);
    assert.deepEqual(JSON.parse(await readFile(path.join(dir, '000001.json'), 'utf8')), { version: 1, items: [{ ok: 1 }] });
  });

  test('failed and short writes are retried at the right offset; nothing is lost or doubled', async () => {
    const dir = await newDir();
    const file = path.join(dir, 'temp');
    // The first write goes through, the next ones fail ("disk full") until `diskFull` is cleared,
    // and every write that goes through writes only a third of what it was given.
    let writes = 0;
    let diskFull = true;
    const writer = new SegmentWriter<{ id: number; text: string }>({
      version: 1,
      createTemp: async () => ({ path: file, handle: flakyHandle(await open(file, 'wx'), () => ++writes > 1 && diskFull) }),
    });
    const items = Array.from({ length: 6 }, (_, id) => ({ id, text: `${'z'.repeat(CHUNK_BYTES / 2)}${id}` }));
    for (const item of items) writer.add(item);
    await assert.rejects(writer.finish(), /disk full/);
    assert.ok((await stat(file)).size > 0, 'the first write reached the file');
    diskFull = false;
    await writer.finish();
    await writer.moveTo(path.join(dir, '000001.json'));
    assert.deepEqual(JSON.parse(await readFile(path.join(dir, '000001.json'), 'utf8')), { version: 1, items });
  });

  test('a temp file removed by another writer of the directory is reported as a conflict', async () => {
    const dir = await newDir();
    const log = await SegmentLog.open<{ text: string }>(dir);
    const writer = log.openSegment();
    writer.add({ text: 'x'.repeat(CHUNK_BYTES) });
    await waitFor('the temp file', async () => (await readdir(dir).catch(() => [])).some((n) => n.startsWith('.open-')), 5_000);
    // A second writer's clean-up, before its first temp file, removes temp files it did not make.
    const other = await (await SegmentLog.open<{ text: string }>(dir)).createTemp();
    await other.handle.close();
    await assert.rejects(log.commit(writer), (error: unknown) => {
      assert.equal((error as StoreError).code, 'ERR_STORE_CONFLICT');
      assert.match((error as Error).message, /temp file of .*000001\.json was removed.*another skein process/);
      return true;
    });
  });

  test('abandon after failed writes closes the temp file and keeps it for the next clean-up', async () => {
    const dir = await newDir();
    const file = path.join(dir, '.open-abandoned.json.tmp');
    let closed = 0;
    const writer = new SegmentWriter<{ text: string }>({
      version: 1,
      createTemp: async () => {
        const handle = flakyHandle(await open(file, 'wx'), () => true);
        return { path: file, handle: new Proxy(handle, { get: (target, prop) => (prop === 'close' ? () => (closed++, target.close()) : Reflect.get(target, prop)) }) };
      },
    });
    writer.add({ text: 'y'.repeat(CHUNK_BYTES) });
    await assert.rejects(writer.finish(), /disk full/);
    assert.equal(closed, 0);
    await writer.abandon();
    assert.equal(closed, 1);
    assert.ok((await readdir(dir)).includes('.open-abandoned.json.tmp'));
    assert.throws(() => writer.add({ text: 'late' }));
  });

  test('a writer with no items writes no file', async () => {
    const dir = await newDir();
    const log = await SegmentLog.open<unknown>(dir);
    assert.equal(await log.commit(log.openSegment()), undefined);
    assert.deepEqual(await readdir(dir).catch(() => []), []);
  });
});

/** A file handle whose writes fail ("disk full") while `fail()` says so, and otherwise write a third of what they are given. */
function flakyHandle(handle: FileHandle, fail: () => boolean): FileHandle {
  return new Proxy(handle, {
    get(target, prop) {
      if (prop === 'write') {
        return (buffer: Buffer, offset: number, length: number, position: number) =>
          fail() ? Promise.reject(new Error('ENOSPC: disk full')) : target.write(buffer, offset, Math.max(1, Math.floor(length / 3)), position);
      }
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
