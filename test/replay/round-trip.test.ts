/**
 * Record a crawl of a local site, stop the site, replay the fixture: the
 * stored records match the live run field by field (timings and fetchedAt
 * aside), run after run; what the fixture lacks fails as `not-recorded`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCrawler } from '../../src/core/create-crawler.js';
import type { PageRecord } from '../../src/core/types.js';
import { decodeBody, type FixtureDefinition } from '../../src/replay/fixture-definition.js';
import { comparableRecord, replayCrawl } from '../../src/replay/replay-crawl.js';
import { storedRecords, tempDataDir, testConfig } from '../helpers/crawl-helpers.js';
import { COMPACT_JSON, LATIN1_HTML, MOVED_TITLE, PDF_BYTES, PNG_BYTES, PRETTY_JSON, startReplaySite } from '../helpers/replay-site.js';

describe('record, then replay offline', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let origin: string;
  let fixturePath: string;
  let live: Map<string, PageRecord>;
  let definitions: FixtureDefinition[];

  before(async () => {
    tmp = await tempDataDir();
    fixturePath = join(tmp.dir, 'fixtures', 'site.json');
    const site = await startReplaySite();
    origin = site.url;
    try {
      // One request at a time: discovery order (hence depth and referrer) is the same in both runs.
      const config = testConfig(tmp.dir, { name: 'live', seeds: [`${origin}/`], fetch: { concurrency: 1, perHostParallelism: 1 } });
      const handle = await createCrawler(config, { record: fixturePath });
      try {
        const summary = await handle.run();
        assert.equal(summary.endReason, 'done');
      } finally {
        await handle.close();
      }
    } finally {
      await site.close();
    }
    live = await storedRecords(tmp.dir, 'live');
    definitions = JSON.parse(await readFile(fixturePath, 'utf8')) as FixtureDefinition[];
  });

  after(() => tmp.cleanup());

  test('the live crawl met every kind of response', () => {
    const at = (path: string): PageRecord | undefined => live.get(`${origin}${path}`);
    assert.equal(at('/old')?.finalUrl, `${origin}/moved`);
    assert.deepEqual(at('/old')?.redirects, [{ url: `${origin}/old`, status: 301 }]);
    assert.equal(at('/old')?.title, MOVED_TITLE);
    assert.equal(at('/doc.pdf')?.reason, 'content-type');
    assert.equal(at('/missing')?.status, 404);
    assert.equal(at('/latin1')?.title, 'Café');
    assert.ok(at('/p/3')?.title, 'generated pages were parsed');
    assert.ok(live.size >= 20, `${live.size} records`);
  });

  test('the fixture holds every exchange, bodies byte-exact, text as text', () => {
    const byPath = new Map(definitions.map((d) => [d.path, d]));
    for (const path of ['/robots.txt', '/sitemap.xml', '/sitemap-extra.xml.gz', '/old', '/moved', '/doc.pdf', '/logo.png', '/data.json', '/pretty.json', '/latin1', '/missing', '/', '/p/0']) {
      assert.ok(byPath.has(path), `recorded ${path}`);
    }
    assert.equal(definitions.filter((d) => d.path === '/old').length, 1, 'the redirect hop is its own exchange');
    assert.equal(byPath.get('/old')!.status, 301);
    assert.equal(byPath.get('/old')!.rawHeaders.location, '/moved');
    assert.deepEqual(decodeBody(byPath.get('/doc.pdf')!), PDF_BYTES);
    assert.equal(byPath.get('/doc.pdf')!.responseIsBinary, true);
    assert.deepEqual(decodeBody(byPath.get('/logo.png')!), PNG_BYTES);
    assert.equal(byPath.get('/sitemap-extra.xml.gz')!.responseIsBinary, true, 'a gzip file is binary');
    assert.deepEqual(byPath.get('/data.json')!.response, JSON.parse(COMPACT_JSON));
    assert.deepEqual(decodeBody(byPath.get('/pretty.json')!).toString(), PRETTY_JSON);
    assert.deepEqual(decodeBody(byPath.get('/latin1')!), LATIN1_HTML);
    // A gzip-encoded page is stored decoded, as diffable text, without Content-Encoding.
    const home = byPath.get('/')!;
    assert.equal(typeof home.response, 'string');
    assert.match(home.response as string, /<title>Skein demo site<\/title>/);
    assert.equal(home.rawHeaders['content-encoding'], undefined);
    assert.equal(home.rawHeaders['content-length'], String(Buffer.byteLength(home.response as string)));
    assert.equal(home.rawHeaders['set-cookie'], undefined, 'cookies are not stored');
    // Sorted by URL, the recorded crawl first.
    const urls = definitions.map((d) => new URL(d.path, d.scope).href);
    assert.deepEqual(urls, [...urls].sort());
    assert.deepEqual(definitions[0]!.skein?.config.seeds, [`${origin}/`]);
  });

  test('a replay stores the same records as the live run, with no network', async () => {
    const started = performance.now();
    const { summary, records } = await replayCrawl({ fixture: fixturePath });
    const replayMs = performance.now() - started;
    assert.equal(summary.endReason, 'done');
    assert.equal(records.length, live.size);
    for (const record of records) {
      const expected = live.get(record.key);
      assert.ok(expected, `${record.key} was crawled live`);
      assert.deepEqual(comparableRecord(record), comparableRecord(expected));
    }
    assert.equal(summary.reasons['not-recorded'], undefined);
    console.log(`# replay of ${records.length} pages / ${definitions.length} exchanges: ${replayMs.toFixed(0)} ms; fixture ${(await stat(fixturePath)).size} bytes`);
  });

  test('replaying twice gives identical records', async () => {
    const inline = { parser: { mode: 'inline' as const } };
    const first = await replayCrawl({ fixture: fixturePath, config: inline });
    const second = await replayCrawl({ fixture: fixturePath, config: inline });
    assert.deepEqual(second.records.map(comparableRecord), first.records.map(comparableRecord));
    // Concurrent replays fetch the same pages with the same fields; only the
    // discovery order (depth, referrer) may differ.
    const concurrent = await replayCrawl({ fixture: fixturePath, config: { ...inline, fetch: { concurrency: 8, perHostParallelism: 8 } } });
    const withoutOrder = (r: PageRecord) => ({ ...comparableRecord(r), referrer: undefined, depth: undefined });
    assert.deepEqual(concurrent.records.map(withoutOrder), first.records.map(withoutOrder));
  });

  test('a request the fixture does not hold becomes a failed page: not-recorded', async () => {
    const started = performance.now();
    const { records, summary } = await replayCrawl({ fixture: fixturePath, config: { seeds: [`${origin}/`, `${origin}/never-recorded`], parser: { mode: 'inline' } } });
    const missing = records.find((r) => r.key === `${origin}/never-recorded`);
    assert.equal(missing?.outcome, 'failed');
    assert.equal(missing?.reason, 'not-recorded');
    assert.equal(missing?.error?.code, 'ERR_NOT_RECORDED');
    assert.equal(summary.reasons['not-recorded'], 1);
    assert.equal(records.length, live.size + 1);
    assert.ok(performance.now() - started < 20_000, 'no hang');
  });

  test('an interrupted recording leaves the old fixture as it was', async () => {
    const site = await startReplaySite();
    const path = join(tmp.dir, 'fixtures', 'keep.json');
    await writeFile(path, '[]\n');
    try {
      const config = testConfig(tmp.dir, { name: 'interrupted', seeds: [`${site.url}/`], fetch: { concurrency: 1, perHostParallelism: 1 }, parser: { mode: 'inline' } });
      const handle = await createCrawler(config, { record: path });
      handle.events.on('page:stored', () => handle.stop('test', 0));
      try {
        assert.equal((await handle.run()).endReason, 'interrupted');
      } finally {
        await handle.close();
      }
    } finally {
      await site.close();
    }
    assert.equal(await readFile(path, 'utf8'), '[]\n');
    assert.deepEqual((await readdir(join(tmp.dir, 'fixtures'))).sort(), ['keep.json', 'site.json'], 'no temp files left');
  });
});
