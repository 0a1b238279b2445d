/**
 * A crawl with `output.warc` of a local site with every kind of response
 * (gzip-encoded pages, a redirect, binaries, a gzipped sitemap, robots.txt, a
 * 404), read back with warcio: every record parses and its digests verify,
 * requests and responses pair up, every exchange the crawl made is there
 * (robots.txt, the sitemap and each redirect hop included), payloads are as
 * transferred, secrets are redacted, and a replay of the archive stores the
 * same records as the live crawl.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createCrawler } from '../../src/core/create-crawler.js';
import type { PageRecord } from '../../src/core/types.js';
import { comparableRecord, replayCrawl } from '../../src/replay/replay-crawl.js';
import { storedRecords, tempDataDir, testConfig } from '../helpers/crawl-helpers.js';
import { PDF_BYTES, startReplaySite } from '../helpers/replay-site.js';
import { runCli } from '../helpers/run-cli.js';
import { checkPairs, readWarc, warcFiles, type ReadRecord } from '../helpers/read-warc.js';

const SECRET = 'sk-live-warc-secret-4711';

describe('a crawl archived as WARC', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let origin: string;
  let warcDir: string;
  let live: Map<string, PageRecord>;
  let records: ReadRecord[];

  before(async () => {
    tmp = await tempDataDir();
    warcDir = join(tmp.dir, 'warc');
    const site = await startReplaySite();
    origin = site.url;
    try {
      const config = testConfig(tmp.dir, {
        name: 'live',
        seeds: [`${origin}/`],
        fetch: { concurrency: 1, perHostParallelism: 1, headers: { 'X-Api-Key': SECRET } },
        output: { warc: { dir: warcDir } },
      });
      const handle = await createCrawler(config);
      try {
        assert.equal((await handle.run()).endReason, 'done');
      } finally {
        await handle.close();
      }
    } finally {
      await site.close();
    }
    live = await storedRecords(tmp.dir, 'live');
    records = await readWarc(warcDir);
  });

  after(() => tmp.cleanup());

  test('one .warc.gz file named after the crawl, opened by a warcinfo record', async () => {
    const files = await warcFiles(warcDir);
    assert.equal(files.length, 1);
    assert.match(files[0]!, /\/live-\d{17}-00001\.warc\.gz$/);
    const info = records[0]!;
    assert.equal(info.type, 'warcinfo');
    const text = info.payload.toString('utf8');
    assert.match(text, /^software: skein\//m);
    assert.match(text, /^isPartOf: live$/m);
    assert.match(text, /^skein-config-digest: sha1:[A-Z2-7]{32}$/m);
    assert.equal(records.filter((r) => r.type === 'warcinfo').length, 1);
  });

  test('every request pairs with its response, both ways; dates have milliseconds; addresses are there', () => {
    checkPairs(records);
    for (const record of records.filter((r) => r.type !== 'warcinfo')) {
      assert.match(record.date ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, `${record.type} ${record.uri}`);
      if (record.type !== 'metadata') assert.equal(record.ip, '127.0.0.1');
    }
  });

  test('every fetched page, robots.txt, the sitemap and each redirect hop has its response', () => {
    const responses = records.filter((r) => r.type === 'response' || r.type === 'revisit');
    const uris = new Set(responses.map((r) => r.uri));
    for (const record of live.values()) {
      if (record.fetched === false) continue;
      assert.ok(uris.has(record.url), `the response of ${record.url}`);
      if (record.finalUrl) assert.ok(uris.has(record.finalUrl), `the response of ${record.finalUrl}`);
    }
    assert.ok(uris.has(`${origin}/robots.txt`));
    assert.ok(uris.has(`${origin}/sitemap-extra.xml.gz`));
    assert.equal(responses.find((r) => r.uri === `${origin}/old`)?.status, 301);
    // Each page once: the site serves every URL once to this crawl.
    const counts = new Map<string, number>();
    for (const r of responses) counts.set(r.uri!, (counts.get(r.uri!) ?? 0) + 1);
    for (const [uri, count] of counts) assert.equal(count, 1, uri);
    assert.equal(records.filter((r) => r.type === 'request').length, responses.length);
  });

  test('payloads are as transferred: a gzip-encoded page stays gzip, with its Content-Encoding; binaries byte-exact', () => {
    const home = records.find((r) => r.type === 'response' && r.uri === `${origin}/`)!;
    assert.equal(home.headers?.get('content-encoding'), 'gzip');
    assert.deepEqual([...home.payload.subarray(0, 2)], [0x1f, 0x8b]);
    assert.match(gunzipSync(home.payload).toString('utf8'), /<html/i);
    assert.match(home.content!.toString('utf8'), /<html/i, 'warcio decodes it');
    assert.equal(home.headers?.has('transfer-encoding'), false);
    const pdf = records.find((r) => r.type === 'response' && r.uri === `${origin}/doc.pdf`)!;
    assert.deepEqual(pdf.payload, PDF_BYTES);
  });

  test('request records carry the request as sent, the configured secret redacted', async () => {
    const request = records.find((r) => r.type === 'request' && r.uri === `${origin}/`)!;
    assert.equal(request.headers?.get('x-api-key'), '[redacted]');
    assert.match(request.headers?.get('user-agent') ?? '', /skein/);
    for (const file of await warcFiles(warcDir)) {
      const bytes = await readFile(file);
      assert.ok(!bytes.includes(SECRET), `${file} (compressed) holds no secret`);
      assert.ok(!gunzipSync(bytes).includes(SECRET), `${file} (decompressed) holds no secret`);
    }
    const state = await readdir(join(tmp.dir, 'live'));
    assert.ok(state.includes('warc-state.json'));
  });

  test('a metadata record lists the outlinks of each page with links', () => {
    const home = live.get(`${origin}/`)!;
    const metadata = records.find((r) => r.type === 'metadata' && r.uri === `${origin}/`)!;
    const outlinks = metadata.payload.toString('utf8').trim().split('\r\n').map((line) => line.replace(/^outlink: /, ''));
    assert.deepEqual(outlinks, home.links);
    const response = records.find((r) => r.type === 'response' && r.uri === `${origin}/`)!;
    assert.deepEqual(metadata.concurrentTo, [response.id]);
  });

  test('replaying the archive stores the same records as the live crawl', async () => {
    const { summary, records: replayed } = await replayCrawl({ fixture: warcDir });
    assert.equal(summary.endReason, 'done');
    assert.deepEqual(replayed.map(comparableRecord), [...live.values()].sort((a, b) => (a.key < b.key ? -1 : 1)).map(comparableRecord));
  });

  test('skein crawl --replay <WARC directory> runs the recorded crawl offline', async () => {
    const result = await runCli(['crawl', '--replay', warcDir, '--data-dir', join(tmp.dir, 'cli'), '--workers', '1', '-q']);
    assert.equal(result.code, 0, result.stderr);
    const replayed = await storedRecords(join(tmp.dir, 'cli'), 'replay-warc');
    assert.deepEqual([...replayed.keys()].sort(), [...live.keys()].sort());
  });
});
