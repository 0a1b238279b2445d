/**
 * The project's own offline fixture (recorded by skein: bench/record-fixture.ts)
 * replays with no network into exactly the pages of the generated site it was
 * recorded from, with their titles and headings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DEMO_FIXTURE_PATH, DEMO_FIXTURE_PORT, DEMO_FIXTURE_SITE } from '../../bench/record-fixture.js';
import { createGeneratedSite } from '../../src/demo/generated-site.js';
import { replayCrawl } from '../../src/replay/replay-crawl.js';

const fixture = join(process.cwd(), DEMO_FIXTURE_PATH);

test('demo-site.json is small enough to commit', async () => {
  assert.ok((await stat(fixture)).size < 300 * 1024);
});

test('demo-site.json replays into the generated site, page by page', async () => {
  const origin = `http://127.0.0.1:${DEMO_FIXTURE_PORT}`;
  const site = createGeneratedSite(DEMO_FIXTURE_SITE);
  const expected = new Map<string, string>();
  for (const path of site.paths().filter((p) => p === '/' || p.startsWith('/p/'))) {
    const html = site.page(path, origin)!.body.toString('utf8');
    expected.set(`${origin}${path}`, /<title>([^<]*)<\/title>/.exec(html)![1]!);
  }
  const started = performance.now();
  const { summary, records } = await replayCrawl({ fixture, config: { parser: { mode: 'inline' } } });
  const replayMs = performance.now() - started;
  assert.equal(summary.endReason, 'done');
  assert.deepEqual(records.map((r) => r.key).sort(), [...expected.keys()].sort());
  for (const record of records) {
    assert.equal(record.outcome, 'ok', record.key);
    assert.equal(record.title, expected.get(record.key), record.key);
    assert.deepEqual(record.h1, [record.title]);
    assert.ok(record.text && record.text.length > 500, `${record.key} has its text`);
  }
  console.log(`# replayed ${records.length} pages of demo-site.json in ${replayMs.toFixed(0)} ms`);
});
