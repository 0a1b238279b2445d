import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { SegmentFileAdapter } from '../../src/store/segment-file-adapter.js';
import { tempDirs } from '../helpers/crawl-helpers.js';

const newDir = tempDirs('skein-segment-file-');

describe('SegmentFileAdapter', () => {
  test('writes one compact item per line, valid JSON that reads back equal', async () => {
    const file = path.join(await newDir(), '000001.json');
    const items = [{ id: 1, text: 'café — naïve' }, { id: 2, nested: { list: [1, 2] } }, null];
    await new SegmentFileAdapter<unknown>(file).write({ version: 1, items });
    const text = await readFile(file, 'utf8');
    assert.equal(text, '{"version":1,"items":[\n{"id":1,"text":"café — naïve"},\n{"id":2,"nested":{"list":[1,2]}},\nnull\n]}\n');
    assert.deepEqual(await new SegmentFileAdapter<unknown>(file).read(), { version: 1, items });
  });

  test('a batch far larger than one write chunk (and UTF-16 text) arrives whole', async () => {
    const file = path.join(await newDir(), '000002.json');
    const items = Array.from({ length: 300 }, (_, id) => ({ id, text: `${'x'.repeat(20_000)} — ${id}` }));
    await new SegmentFileAdapter<(typeof items)[number]>(file).write({ version: 1, items });
    const parsed = JSON.parse(await readFile(file, 'utf8')) as { items: typeof items };
    assert.equal(parsed.items.length, 300);
    assert.deepEqual(parsed.items[299], items[299]);
    assert.equal((await readFile(file, 'utf8')).split('\n').length, 300 + 2 + 1);
  });

  test('undefined items become null, as JSON.stringify writes them in an array', async () => {
    const file = path.join(await newDir(), '000003.json');
    await new SegmentFileAdapter<unknown>(file).write({ version: 1, items: [undefined, 1] });
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), { version: 1, items: [null, 1] });
  });

  test('a write that fails leaves neither the segment nor its temp file', async () => {
    const dir = await newDir();
    const file = path.join(dir, '000004.json');
    await assert.rejects(new SegmentFileAdapter<unknown>(file).write({ version: 1, items: [{ ok: 1 }, { big: 1n }] }), TypeError);
    assert.deepEqual(await readdir(dir), []);
  });

  test('read of a missing file is null (lowdb: no data yet)', async () => {
    assert.equal(await new SegmentFileAdapter<unknown>(path.join(await newDir(), 'missing.json')).read(), null);
  });
});
