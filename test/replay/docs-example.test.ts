/**
 * The worked example of docs/replay.md, kept as a real test so it cannot rot,
 * and a check that the doc shows it verbatim.
 * (Users import from 'skein'; inside this repo the same API is src/index.ts.)
 */
import { readFile } from 'node:fs/promises';
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

test('docs/replay.md shows the example above verbatim (importing from skein)', async () => {
  const source = await readFile('test/replay/docs-example.test.ts', 'utf8');
  const start = source.indexOf('// --- docs/replay.md example starts here ---\n');
  const end = source.indexOf('// --- docs/replay.md example ends here ---');
  assert.ok(start >= 0 && end > start, 'markers found');
  const example = source.slice(source.indexOf('\n', start) + 1, end).replace("from '../../src/index.js'", "from 'skein'");

  const doc = await readFile('docs/replay.md', 'utf8');
  const section = doc.indexOf('### Worked example');
  const open = doc.indexOf('```ts\n', section);
  const close = doc.indexOf('\n```', open);
  assert.ok(section >= 0 && open > section && close > open, 'the worked example code block found');
  assert.equal(doc.slice(open + '```ts\n'.length, close).trim(), example.trim(), 'docs/replay.md and this test differ: update the doc');
});
