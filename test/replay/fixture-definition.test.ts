/**
 * The pure parts of record/replay, table-tested: body encoding, stored
 * headers, the not-recorded mapping, replay settings; and the fixture writer's
 * atomic replace.
 */
import { withoutRedactedValues } from '../../src/fetch/redact-secrets.js';
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultReplayName, replayFlagsToOptions } from '../../src/cli/replay-flags.js';
import { validateConfig } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/core/errors.js';
import type { FetchFailure } from '../../src/fetch/fetch-types.js';
import { decodeBody, encodeBody, isTextContentType, storedHeaders, toDefinition } from '../../src/replay/fixture-definition.js';
import { FixtureWriter } from '../../src/replay/fixture-writer.js';
import { asNotRecorded } from '../../src/replay/nock-replay.js';
import { checkFixture } from '../../src/replay/read-fixture.js';
import { fixtureMeta, replayConfig } from '../../src/replay/record-replay.js';
import { tempDataDir } from '../helpers/crawl-helpers.js';

describe('encodeBody', () => {
  const cases: Array<{ name: string; body: Buffer; type?: string; expect: { response: unknown; responseIsBinary?: true } }> = [
    { name: 'HTML as text', body: Buffer.from('<p>héllo</p>\r\n'), type: 'text/html; charset=utf-8', expect: { response: '<p>héllo</p>\r\n' } },
    { name: 'robots.txt as text', body: Buffer.from('User-agent: *\n'), type: 'text/plain', expect: { response: 'User-agent: *\n' } },
    { name: 'XML as text', body: Buffer.from('<urlset/>'), type: 'application/xml', expect: { response: '<urlset/>' } },
    { name: 'RSS (+xml) as text', body: Buffer.from('<rss/>'), type: 'application/rss+xml', expect: { response: '<rss/>' } },
    { name: 'compact JSON as its value', body: Buffer.from('{"a":[1,2]}'), type: 'application/json', expect: { response: { a: [1, 2] } } },
    { name: 'pretty JSON as hex (nock would re-serialise it)', body: Buffer.from('{ "a": 1 }'), type: 'application/json', expect: { response: Buffer.from('{ "a": 1 }').toString('hex'), responseIsBinary: true } },
    { name: 'a text body that parses as a JSON number as hex', body: Buffer.from('42'), type: 'text/plain', expect: { response: '3432', responseIsBinary: true } },
    { name: 'Latin-1 HTML as hex', body: Buffer.from('caf\u00e9', 'latin1'), type: 'text/html', expect: { response: '636166e9', responseIsBinary: true } },
    { name: 'a PDF as hex even when ASCII', body: Buffer.from('%PDF'), type: 'application/pdf', expect: { response: '25504446', responseIsBinary: true } },
    { name: 'a gzip file as hex', body: Buffer.from([0x1f, 0x8b, 0x08]), type: 'application/gzip', expect: { response: '1f8b08', responseIsBinary: true } },
    { name: 'no content type as hex', body: Buffer.from('hi'), expect: { response: '6869', responseIsBinary: true } },
    { name: 'empty', body: Buffer.alloc(0), type: 'text/html', expect: { response: '' } },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const encoded = encodeBody(c.body, c.type);
      assert.deepEqual(encoded, c.expect);
      assert.ok(decodeBody(encoded).equals(c.body), 'decodes to the same bytes');
    });
  }

  test('isTextContentType', () => {
    for (const type of ['text/html', 'TEXT/CSS', 'application/xhtml+xml', 'application/ld+json; charset=utf-8', 'application/javascript', ' Image/SVG+XML ; q=1', 'Application/JSON;charset=utf-8']) assert.ok(isTextContentType(type), type);
    for (const type of ['image/png', 'application/pdf', 'application/octet-stream', 'application/gzip', 'application/rss-xml', 'application/pdf; x=text/html', '; charset=utf-8', '', undefined]) assert.ok(!isTextContentType(type), String(type));
  });
});

describe('toDefinition', () => {
  test('scope, path with query, status, headers without noise, exact Content-Length', () => {
    const definition = toDefinition({
      method: 'GET',
      url: 'http://127.0.0.1:8080/a/b?x=1&y=2',
      status: 200,
      headers: { 'content-type': 'text/html', 'content-encoding': 'gzip', 'content-length': '99', date: 'Mon', 'set-cookie': ['a=1'], link: ['<a>', '<b>'], connection: 'keep-alive' },
      body: Buffer.from('<p>ok</p>'),
    });
    assert.deepEqual(definition, {
      scope: 'http://127.0.0.1:8080',
      method: 'GET',
      path: '/a/b?x=1&y=2',
      status: 200,
      rawHeaders: { 'content-type': 'text/html', link: '<a>, <b>', 'content-length': '9' },
      response: '<p>ok</p>',
    });
  });

  test('storedHeaders sorts names', () => {
    assert.deepEqual(Object.keys(storedHeaders({ 'x-b': '1', 'x-a': '2' }, 0)), ['x-a', 'x-b', 'content-length']);
  });
});

describe('asNotRecorded', () => {
  const failure = (code: string, message: string): FetchFailure => ({ ok: false, url: 'http://h/a', finalUrl: 'http://h/b', redirects: [], reason: 'connection', code, message, bytes: 0, timings: { waitMs: 0, downloadMs: 0 } });
  const cases: Array<[string, FetchFailure, string]> = [
    ['no interceptor for the host', failure('ENETUNREACH', 'Nock: Disallowed net connect for "h:80/b"'), 'not-recorded'],
    ['no interceptor left for the path', failure('ERR_NOCK_NO_MATCH', 'Nock: No match for request'), 'not-recorded'],
    ['a real unreachable network', failure('ENETUNREACH', 'connect ENETUNREACH'), 'connection'],
    ['a reset', failure('ECONNRESET', 'socket hang up'), 'connection'],
  ];
  for (const [name, input, reason] of cases) {
    test(name, () => {
      const result = asNotRecorded(input);
      assert.ok(!result.ok);
      assert.equal(result.reason, reason);
      if (reason === 'not-recorded') assert.equal(result.message, 'not in the fixture: GET http://h/b');
    });
  }
});

describe('replay settings', () => {
  const config = validateConfig({ name: 'x', dataDir: '/data', seeds: ['http://h/'], politeness: { delayMs: 500, jitter: 0.5 } });

  test('a replay does not wait, unless politeness is kept', () => {
    assert.deepEqual(replayConfig(config, undefined), config);
    assert.deepEqual(replayConfig(config, { fixture: [], politeness: true }), config);
    const fast = replayConfig(config, { fixture: [] }).politeness;
    assert.deepEqual([fast.delayMs, fast.jitter, fast.maxCrawlDelayMs, fast.maxBackoffMs], [0, 0, 0, 1]);
    assert.equal(config.politeness.delayMs, 500, 'the input is not changed');
  });

  test('the stored crawl config: what differs from the defaults, not where it is stored, secrets redacted', () => {
    const meta = fixtureMeta(validateConfig({ ...config, store: { batchSize: 7 }, scope: { exclude: ['**/*.pdf'] }, fetch: { headers: { 'accept-language': 'de', 'x-key': 's3cret' } } }));
    assert.deepEqual(meta.config, {
      seeds: ['http://h/'],
      scope: { exclude: ['**/*.pdf'] },
      fetch: { headers: { 'accept-language': 'de', 'x-key': '[redacted]' } },
      politeness: { delayMs: 500, jitter: 0.5 },
    });
    // A replay sends nothing: the redacted header is dropped from its base layer.
    const replayBase = withoutRedactedValues(meta.config);
    assert.deepEqual(validateConfig(replayBase).fetch.headers, { 'accept-language': 'de' });
    assert.deepEqual(validateConfig(replayBase).politeness, config.politeness, 'a valid config layer');
  });

  test('default replay names', () => {
    assert.equal(defaultReplayName('fixtures/site.json'), 'replay-site');
    assert.equal(defaultReplayName('/x/my site (v2).json'), 'replay-my-site-v2-');
  });

  test('flag conflicts are config errors', async () => {
    await assert.rejects(replayFlagsToOptions({ record: 'a.json', replay: 'b.json' }, {}), ConfigError);
    await assert.rejects(replayFlagsToOptions({ record: 'a.json', resume: 'x' }, {}), ConfigError);
    await assert.rejects(replayFlagsToOptions({ replayPoliteness: true }, {}), ConfigError);
    await assert.rejects(replayFlagsToOptions({ replay: '/no/such/fixture.json' }, {}), /cannot read the fixture/);
  });

  test('a malformed fixture names the entry', () => {
    assert.throws(() => checkFixture({}, 'f.json'), /must hold a JSON array/);
    assert.throws(() => checkFixture([{ scope: 'http://h', path: 'x', method: 'GET' }], 'f.json'), /entry 0 needs "path"/);
    assert.throws(() => checkFixture([{ scope: 'http://h', path: '/', method: 'GET', skein: { fixtureVersion: 9, config: {} } }], 'f.json'), /fixtureVersion 9/);
  });
});

describe('FixtureWriter', () => {
  const definition = (path: string, body: string) => toDefinition({ method: 'GET', url: `http://h${path}`, status: 200, headers: { 'content-type': 'text/plain' }, body: Buffer.from(body) });

  /** A temp dir (removed after the test) holding `f.json` = "old", and a writer opened on that file. */
  async function writerOverOldFile(t: TestContext) {
    const { dir, cleanup } = await tempDataDir();
    t.after(cleanup);
    const path = join(dir, 'f.json');
    await writeFile(path, 'old');
    return { dir, path, writer: await FixtureWriter.open(path) };
  }

  test('commit writes one sorted JSON array (arrival order kept per URL) and replaces the file', async (t) => {
    const { dir, path, writer } = await writerOverOldFile(t);
    writer.add(definition('/b', 'b'));
    writer.add(definition('/a', 'first'));
    writer.add(definition('/a', 'second'));
    assert.equal(await readFile(path, 'utf8'), 'old', 'untouched until commit');
    const result = await writer.commit({ fixtureVersion: 1, config: { seeds: ['http://h/'] } });
    const text = await readFile(path, 'utf8');
    const written = JSON.parse(text) as Array<Record<string, unknown>>;
    assert.deepEqual(written.map((d) => [d.path, d.response]), [['/a', 'first'], ['/a', 'second'], ['/b', 'b']]);
    assert.deepEqual(written[0]!.skein, { fixtureVersion: 1, config: { seeds: ['http://h/'] } });
    assert.deepEqual(result, { path, exchanges: 3, bytes: Buffer.byteLength(text) });
    assert.deepEqual(await readdir(dir), ['f.json'], 'no temp files left');
  });

  test('abort leaves the old file and no temp files', async (t) => {
    const { dir, path, writer } = await writerOverOldFile(t);
    writer.add(definition('/a', 'x'));
    await writer.abort();
    await writer.abort();
    assert.equal(await readFile(path, 'utf8'), 'old');
    assert.deepEqual(await readdir(dir), ['f.json']);
  });

  test('an empty recording is an empty array (missing directories are created)', async (t) => {
    const { dir, cleanup } = await tempDataDir();
    t.after(cleanup);
    const writer = await FixtureWriter.open(join(dir, 'sub', 'f.json'));
    await writer.commit({ fixtureVersion: 1, config: {} });
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'sub', 'f.json'), 'utf8')), []);
  });
});
