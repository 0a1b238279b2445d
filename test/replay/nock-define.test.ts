/**
 * A fixture recorded by skein is plain nock: any test suite can load it with
 * `nock.define()` and fetch through got, and gets the bytes the site served
 * (decoded, for compressed responses).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import got from 'got';
import nock from 'nock';
import { createCrawler } from '../../src/core/create-crawler.js';
import { tempDataDir, testConfig } from '../helpers/crawl-helpers.js';
import { startReplaySite } from '../helpers/replay-site.js';

const PATHS = ['/', '/p/1', '/robots.txt', '/sitemap.xml', '/sitemap-extra.xml.gz', '/doc.pdf', '/logo.png', '/data.json', '/pretty.json', '/latin1', '/old', '/missing'];

interface Seen {
  status: number;
  contentType: string | undefined;
  location: string | undefined;
  body: Buffer;
}

const fetchAll = async (origin: string): Promise<Map<string, Seen>> => {
  const seen = new Map<string, Seen>();
  for (const path of PATHS) {
    const response = await got(`${origin}${path}`, { followRedirect: false, throwHttpErrors: false, responseType: 'buffer', retry: { limit: 0 } });
    seen.set(path, { status: response.statusCode, contentType: response.headers['content-type'], location: response.headers.location, body: response.body });
  }
  return seen;
};

let tmp: { dir: string; cleanup: () => Promise<void> };
let fixturePath: string;
let origin: string;
let live: Map<string, Seen>;

before(async () => {
  tmp = await tempDataDir();
  fixturePath = join(tmp.dir, 'site.json');
  const site = await startReplaySite({ pages: 4 });
  origin = site.url;
  try {
    const handle = await createCrawler(testConfig(tmp.dir, { seeds: [`${origin}/`], parser: { mode: 'inline' } }), { record: fixturePath });
    try {
      await handle.run();
    } finally {
      await handle.close();
    }
    live = await fetchAll(origin);
  } finally {
    await site.close();
  }
});

after(async () => {
  nock.cleanAll();
  nock.enableNetConnect();
  await tmp.cleanup();
});

test('nock.define() replays the recorded fixture through got, byte-exact', async () => {
  nock.disableNetConnect();
  const definitions = JSON.parse(await readFile(fixturePath, 'utf8')) as nock.Definition[];
  nock.define(definitions);
  const replayed = await fetchAll(origin);
  for (const path of PATHS) {
    const expected = live.get(path)!;
    const actual = replayed.get(path)!;
    assert.equal(actual.status, expected.status, path);
    assert.equal(actual.contentType, expected.contentType, path);
    assert.equal(actual.location, expected.location, path);
    assert.ok(actual.body.equals(expected.body), `${path}: ${actual.body.length} vs ${expected.body.length} bytes`);
  }
  assert.equal(live.get('/doc.pdf')!.contentType, 'application/pdf');
  assert.ok(live.get('/')!.body.includes('Skein demo site'), 'the compressed home page arrives decoded');
});
