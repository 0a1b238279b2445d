import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { PageRecord } from '../../src/core/types.js';
import { ConfigError } from '../../src/core/errors.js';
import { beats, openMergedCrawl, pickRank } from '../../src/distributed/merged-crawl.js';
import { nodePaths } from '../../src/distributed/node-paths.js';
import { LowdbPageStore } from '../../src/store/lowdb-page-store.js';
import { tempDirs } from '../helpers/crawl-helpers.js';

function record(key: string, outcome: PageRecord['outcome'], fetchedAt: string, node: string): PageRecord {
  return { key, url: key, redirects: [], depth: 0, fetchedAt, outcome, bytes: 0, timings: { waitMs: 0, downloadMs: 0, parseMs: 0, totalMs: 0 }, node };
}

async function writeStore(dir: string, records: PageRecord[]): Promise<void> {
  const store = await LowdbPageStore.open(dir);
  for (const r of records) store.put(r);
  await store.close();
}

async function collect(iterable: AsyncIterable<PageRecord>): Promise<string[]> {
  const out: string[] = [];
  for await (const r of iterable) out.push(`${r.key}@${r.node}`);
  return out.sort();
}

describe('merged export of node stores', () => {
  const newDir = tempDirs();

  test('pick rule: ok before failed before skipped, then the earliest fetch', () => {
    const t1 = '2026-01-01T00:00:01.000Z';
    const t2 = '2026-01-01T00:00:02.000Z';
    const table: Array<[PageRecord['outcome'], string, PageRecord['outcome'], string, boolean]> = [
      ['ok', t2, 'failed', t1, true],
      ['failed', t1, 'ok', t2, false],
      ['failed', t2, 'skipped', t1, true],
      ['ok', t1, 'ok', t2, true],
      ['ok', t2, 'ok', t1, false],
      ['ok', t1, 'ok', t1, false],
    ];
    for (const [oa, ta, ob, tb, expected] of table) {
      assert.equal(beats(pickRank({ outcome: oa, fetchedAt: ta }), pickRank({ outcome: ob, fetchedAt: tb })), expected, `${oa}@${ta} vs ${ob}@${tb}`);
    }
  });

  test('every key once across node stores in several data dirs, and a single-node crawl too', async () => {
    const a = await newDir();
    const b = await newDir();
    const t = (s: number) => `2026-01-01T00:00:0${s}.000Z`;
    await writeStore(nodePaths(a, 'c1', 'n1').pages, [record('u:1', 'ok', t(1), 'n1'), record('u:2', 'failed', t(1), 'n1')]);
    await writeStore(nodePaths(a, 'c1', 'n2').pages, [record('u:2', 'ok', t(3), 'n2'), record('u:3', 'ok', t(2), 'n2')]);
    await writeStore(nodePaths(b, 'c1', 'n3').pages, [record('u:3', 'ok', t(1), 'n3'), record('u:4', 'skipped', t(1), 'n3')]);
    await writeStore(join(b, 'c1', 'pages'), [record('u:1', 'ok', t(5), 'solo')]);

    const merged = await openMergedCrawl([a, b], 'c1');
    assert.equal(merged.dirs.length, 4);
    assert.deepEqual([merged.records, merged.duplicates], [4, 3]);
    const expected = ['u:1@n1', 'u:2@n2', 'u:3@n3', 'u:4@n3'];
    assert.deepEqual(await collect(merged.iterate()), expected);
    assert.deepEqual(await collect(merged.iterate()), expected, 'a second pass (CSV columns) yields the same');
  });

  test('a single-node crawl alone: its records in stored order, counted, no duplicates', async () => {
    const a = await newDir();
    const t = '2026-01-01T00:00:01.000Z';
    const store = await LowdbPageStore.open(join(a, 'solo', 'pages'));
    for (const key of ['u:3', 'u:1']) store.put(record(key, 'ok', t, 'solo'));
    await store.flush();
    for (const key of ['u:2', 'u:0']) store.put(record(key, 'failed', t, 'solo'));
    await store.close();

    const merged = await openMergedCrawl([a], 'solo');
    assert.deepEqual(merged.dirs, [join(a, 'solo')]);
    assert.deepEqual([merged.records, merged.duplicates], [4, 0]);
    const inOrder = async () => {
      const keys: string[] = [];
      for await (const r of merged.iterate()) keys.push(r.key);
      return keys;
    };
    assert.deepEqual(await inOrder(), ['u:3', 'u:1', 'u:2', 'u:0']);
    assert.deepEqual(await inOrder(), ['u:3', 'u:1', 'u:2', 'u:0'], 'a second pass yields the same');
  });

  test('no store anywhere: ConfigError naming where it looked', async () => {
    const a = await newDir();
    await assert.rejects(openMergedCrawl([a], 'nothing'), (e: unknown) => e instanceof ConfigError && /no crawl named "nothing"/.test(e.message));
  });
});
