/**
 * The worked example of docs/replay.md, kept as a real test so it cannot rot.
 * (Users import from 'skein'; inside this repo the same API is src/index.ts.)
 */
// --- docs/replay.md example starts here ---
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { replayCrawl } from '../../src/index.js';

test('the recorded site still yields the fields we rely on', async () => {
  const { summary, records } = await replayCrawl({
    fixture: 'test/fixtures/replay/demo-site.json',
    // Layered over the recorded crawl's own config: a custom extractor, and
    // parsing in this process (no worker start-up: fastest for small fixtures).
    config: { extract: { module: 'test/fixtures/replay/heading-extractor.mjs' }, parser: { mode: 'inline' } },
  });

  // Nothing missing from the fixture, nothing failed.
  assert.equal(summary.reasons['not-recorded'], undefined);
  assert.equal(summary.pages.failed, 0);

  const home = records.find((record) => record.url === 'http://127.0.0.1:47321/');
  assert.equal(home?.title, 'Skein demo site');
  assert.deepEqual(home?.fields?.heading, 'Skein demo site');

  // Every content page kept its heading and its links.
  for (const page of records.filter((record) => record.url.includes('/p/'))) {
    assert.equal(page.fields?.heading, page.title, page.url);
    assert.ok(Number(page.fields?.linkCount) > 0, page.url);
  }
});
// --- docs/replay.md example ends here ---
