/**
 * `skein report` of a distributed crawl (node stores in several --data-dir):
 * without --out the report goes to the crawl's folder of the first data dir
 * (`<data-dir>/<name>/report.html`), not into a node's store, and covers
 * every node's pages.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { PageRecord } from '../../src/core/types.js';
import { nodePaths } from '../../src/distributed/node-paths.js';
import { LowdbPageStore } from '../../src/store/lowdb-page-store.js';
import { tempDirs } from '../helpers/crawl-helpers.js';
import { runCli } from '../helpers/run-cli.js';

const record = (key: string, node: string, status = 200): PageRecord => ({
  key, url: key, redirects: [], status, depth: 0, fetchedAt: '2026-01-01T00:00:01.000Z', outcome: status < 400 ? 'ok' : 'failed', bytes: 10,
  timings: { waitMs: 5, downloadMs: 1, parseMs: 1, totalMs: 7 }, node, ...(status >= 400 ? { reason: 'http-error' as const } : {}),
});

async function writeStore(dir: string, records: PageRecord[]): Promise<void> {
  const store = await LowdbPageStore.open(dir);
  for (const r of records) store.put(r);
  await store.close();
}

const exists = (file: string) => access(file).then(() => true, () => false);

describe('skein report of a distributed crawl', () => {
  const newDir = tempDirs();

  test('the default output is <first data-dir>/<name>/report.html, over every node store', async () => {
    const a = await newDir();
    const b = await newDir();
    await writeStore(nodePaths(a, 'site', 'n1').pages, [record('https://example.com/', 'n1'), record('https://example.com/a', 'n1')]);
    await writeStore(nodePaths(b, 'site', 'n2').pages, [record('https://example.com/b', 'n2'), record('https://example.com/gone', 'n2', 404)]);
    const result = await runCli(['report', 'site', '--data-dir', a, '--data-dir', b]);
    assert.equal(result.code, 0, result.stderr);
    const out = join(a, 'site', 'report.html');
    assert.ok(await exists(out), result.stderr);
    assert.equal(await exists(join(nodePaths(a, 'site', 'n1').dir, 'report.html')), false, 'not inside a node store');
    assert.match(result.stderr, new RegExp(`report of 4 pages written to ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));

    // Only the second data dir holds the crawl: its folder there.
    const only = await runCli(['report', 'site', '--data-dir', join(a, 'none'), '--data-dir', b]);
    assert.equal(only.code, 0, only.stderr);
    assert.ok(await exists(join(b, 'site', 'report.html')));
  });
});
