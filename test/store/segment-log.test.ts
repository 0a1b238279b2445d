import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { StoreError } from '../../src/core/errors.js';
import { parseSegmentFileName, SegmentLog, segmentFileName } from '../../src/store/segment-log.js';
import { tempDirs } from '../helpers/crawl-helpers.js';

interface Item {
  id: number;
}

const newRoot = tempDirs('skein-segment-log-');
/** A log dir that does not exist yet, inside a fresh temp dir. */
const newDir = async (): Promise<string> => path.join(await newRoot(), 'log');

async function readAll<T>(log: SegmentLog<T>, options?: { upToSeq?: number }): Promise<T[]> {
  const out: T[] = [];
  for await (const item of log.read(options)) out.push(item);
  return out;
}

function isCorrupt(file: string): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof StoreError, String(error));
    assert.equal(error.code, 'ERR_STORE_CORRUPT');
    assert.ok(error.message.includes(file), error.message);
    assert.match(error.message, /left the file untouched/);
    return true;
  };
}

describe('segment file names', () => {
  const cases: [string, number | undefined][] = [
    ['000001.json', 1],
    ['000123.json', 123],
    ['1234567.json', 1_234_567],
    ['0000001.json', undefined],
    ['000000.json', undefined],
    ['00001.json', undefined],
    ['.000001.json.tmp', undefined],
    ['000001.json.bak', undefined],
    ['crawl.json', undefined],
  ];
  for (const [name, seq] of cases) {
    test(`${name} → ${seq}`, () => assert.equal(parseSegmentFileName(name), seq));
  }
  test('segmentFileName pads to six digits and round-trips', () => {
    assert.equal(segmentFileName(7), '000007.json');
    assert.equal(parseSegmentFileName(segmentFileName(1_000_000)), 1_000_000);
  });
});

describe('SegmentLog', () => {
  test('append writes one numbered segment per call; read streams them in order', async () => {
    const dir = await newDir();
    const log = await SegmentLog.open<Item>(dir);
    assert.equal(log.lastSeq, 0);
    assert.equal(await log.append([{ id: 1 }, { id: 2 }]), 1);
    assert.equal(await log.append([{ id: 3 }]), 2);
    assert.deepEqual((await readdir(dir)).sort(), ['000001.json', '000002.json']);
    assert.deepEqual(await readAll(log), [{ id: 1 }, { id: 2 }, { id: 3 }]);
    assert.deepEqual(await readAll(log, { upToSeq: 1 }), [{ id: 1 }, { id: 2 }]);
    const reopened = await SegmentLog.open<Item>(dir);
    assert.equal(reopened.lastSeq, 2);
    assert.deepEqual(await readAll(reopened), [{ id: 1 }, { id: 2 }, { id: 3 }]);
  });

  test('a segment is one JSON document with one compact item per line; older indented segments still read', async () => {
    const dir = await newDir();
    const log = await SegmentLog.open<Item & { text?: string }>(dir);
    await log.append([{ id: 1, text: 'a\nb "quoted"' }, { id: 2 }]);
    const raw = await readFile(path.join(dir, '000001.json'), 'utf8');
    assert.equal(raw, '{"version":1,"items":[\n{"id":1,"text":"a\\nb \\"quoted\\""},\n{"id":2}\n]}\n');
    assert.deepEqual(JSON.parse(raw), { version: 1, items: [{ id: 1, text: 'a\nb "quoted"' }, { id: 2 }] });
    await writeFile(path.join(dir, '000002.json'), JSON.stringify({ version: 1, items: [{ id: 3 }] }, null, 2));
    assert.deepEqual(await readAll(await SegmentLog.open<Item>(dir)), [{ id: 1, text: 'a\nb "quoted"' }, { id: 2 }, { id: 3 }]);
  });

  test('an empty append writes nothing', async () => {
    const dir = await newDir();
    const log = await SegmentLog.open<Item>(dir);
    assert.equal(await log.append([]), undefined);
    await assert.rejects(readdir(dir), { code: 'ENOENT' });
    assert.equal(log.lastSeq, 0);
  });

  test('concurrent appends get distinct, consecutive numbers', async () => {
    const dir = await newDir();
    const log = await SegmentLog.open<Item>(dir);
    const seqs = await Promise.all([1, 2, 3, 4].map((id) => log.append([{ id }])));
    assert.deepEqual(seqs, [1, 2, 3, 4]);
    assert.deepEqual(await readAll(log), [{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }]);
  });

  test('read holds one segment at a time: items of segment 1 arrive before segment 2 is read', async () => {
    const dir = await newDir();
    const log = await SegmentLog.open<Item>(dir);
    await log.append([{ id: 1 }]);
    await log.append([{ id: 2 }]);
    const iterator = log.read()[Symbol.asyncIterator]();
    assert.deepEqual((await iterator.next()).value, { id: 1 });
    // Segment 2 is replaced before the reader gets to it: the reader sees the new content.
    await writeFile(path.join(dir, '000002.json'), JSON.stringify({ version: 1, items: [{ id: 22 }] }));
    assert.deepEqual((await iterator.next()).value, { id: 22 });
    assert.equal((await iterator.next()).done, true);
  });

  const corruptions: [string, string, RegExp][] = [
    ['truncated JSON', '{"version":1,"items":[{"id":1},{"i', /not valid JSON/],
    ['empty file', '', /not valid JSON/],
    ['JSON null', 'null', /not a segment/],
    ['an array', '[1,2]', /not a segment/],
    ['items missing', '{"version":1}', /not a segment/],
    ['items not an array', '{"version":1,"items":{}}', /not a segment/],
  ];
  for (const [what, content, message] of corruptions) {
    test(`a segment with ${what} raises ERR_STORE_CORRUPT naming the file, which is left as it was`, async () => {
      const dir = await newDir();
      const log = await SegmentLog.open<Item>(dir, { label: 'test segment', corruptHint: 'Extra hint.' });
      await log.append([{ id: 1 }]);
      const file = path.join(dir, '000002.json');
      await writeFile(file, content);
      const reopened = await SegmentLog.open<Item>(dir, { label: 'test segment', corruptHint: 'Extra hint.' });
      await assert.rejects(readAll(reopened), (error: unknown) => {
        isCorrupt(file)(error);
        assert.match((error as Error).message, message);
        assert.match((error as Error).message, /corrupt test segment .*Extra hint\.$/);
        return true;
      });
      assert.equal(await readFile(file, 'utf8'), content);
      // New segments continue after the highest number present; the corrupt one is not overwritten.
      assert.equal(await reopened.append([{ id: 3 }]), 3);
      assert.equal(await readFile(file, 'utf8'), content);
    });
  }

  test('checkItem rejects a bad item with its index', async () => {
    const dir = await newDir();
    const checkItem = (value: unknown): string | undefined =>
      typeof (value as Item).id === 'number' ? undefined : '"id" must be a number';
    const log = await SegmentLog.open<Item>(dir, { checkItem });
    await log.append([{ id: 1 }, { id: 'two' } as unknown as Item]);
    await assert.rejects(readAll(log), (error: unknown) => {
      isCorrupt(path.join(dir, '000001.json'))(error);
      assert.match((error as Error).message, /item 1 is invalid: "id" must be a number/);
      return true;
    });
  });

  test('a segment from a newer format version is refused with ERR_STORE_VERSION', async () => {
    const dir = await newDir();
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, '000001.json'), JSON.stringify({ version: 99, items: [] }));
    const log = await SegmentLog.open<Item>(dir);
    await assert.rejects(readAll(log), { name: 'StoreError', code: 'ERR_STORE_VERSION' });
  });

  test('temp files from a killed writer and unrelated files are ignored; the first append removes only temp files', async () => {
    const dir = await newDir();
    const log = await SegmentLog.open<Item>(dir);
    await log.append([{ id: 1 }]);
    await writeFile(path.join(dir, '.000002.json.tmp'), '{"version":1,"items":[{"id":');
    await writeFile(path.join(dir, 'notes.txt'), 'mine');
    await writeFile(path.join(dir, '0000009.json'), 'not a segment name');
    const reopened = await SegmentLog.open<Item>(dir);
    assert.equal(reopened.lastSeq, 1);
    assert.deepEqual(await readAll(reopened), [{ id: 1 }]);
    assert.equal(await reopened.append([{ id: 2 }]), 2);
    assert.deepEqual((await readdir(dir)).sort(), ['0000009.json', '000001.json', '000002.json', 'notes.txt']);
    assert.deepEqual(await readAll(reopened), [{ id: 1 }, { id: 2 }]);
  });

  test('a segment written by someone else after opening is never overwritten (ERR_STORE_CONFLICT)', async () => {
    const dir = await newDir();
    const log = await SegmentLog.open<Item>(dir);
    await log.append([{ id: 1 }]);
    const other = await SegmentLog.open<Item>(dir);
    await other.append([{ id: 2 }]);
    await assert.rejects(log.append([{ id: 3 }]), { name: 'StoreError', code: 'ERR_STORE_CONFLICT' });
    assert.deepEqual(await readAll(log), [{ id: 1 }, { id: 2 }]);
  });
});
