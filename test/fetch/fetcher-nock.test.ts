/**
 * Offline tests and fixture replay intercept the fetcher with nock in the main
 * process. The keep-alive agent must not make nock hang (the known trap is an
 * explicit `Connection: keep-alive` header, which the fetcher never sends).
 */
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import nock from 'nock';
import { createFetcher, type Fetcher } from '../../src/fetch/fetcher.js';
import { fetchTestConfig } from '../helpers/fetch-server.js';

describe('fetcher under nock', () => {
  let fetcher: Fetcher;

  before(() => {
    nock.disableNetConnect();
    // A Connection header in config must not reach nock (it would hang).
    fetcher = createFetcher(fetchTestConfig({ headers: { Connection: 'keep-alive' }, timeouts: { requestMs: 2_000 } }));
  });

  afterEach(() => {
    nock.cleanAll();
  });

  after(() => {
    fetcher.close();
    nock.enableNetConnect();
  });

  test('an intercepted page comes back ok, with the User-Agent sent', async () => {
    const scope = nock('http://site.example.test')
      .matchHeader('user-agent', 'skein-test/1.0 (+https://example.test/bot)')
      .get('/')
      .reply(200, '<title>from nock</title>', { 'content-type': 'text/html' });
    const result = await fetcher.fetch('http://site.example.test/');
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.body.toString(), '<title>from nock</title>');
    assert.equal(result.contentType, 'text/html');
    assert.ok(scope.isDone());
  });

  test('sequential requests on the keep-alive agent all complete', async () => {
    const scope = nock('https://secure.example.test')
      .get('/one')
      .reply(200, 'one', { 'content-type': 'text/html' })
      .get('/two')
      .reply(200, 'two', { 'content-type': 'text/html' })
      .get('/three')
      .reply(200, 'three', { 'content-type': 'text/html' });
    for (const path of ['/one', '/two', '/three']) {
      const result = await fetcher.fetch(`https://secure.example.test${path}`);
      assert.ok(result.ok, JSON.stringify(result));
      assert.equal(result.body.toString(), path.slice(1));
    }
    assert.ok(scope.isDone());
  });

  test('redirects, gzip and errors replay under nock', async () => {
    nock('http://site.example.test')
      .get('/old')
      .reply(301, '', { location: '/new' })
      .get('/new')
      .reply(200, zlib.gzipSync('<p>moved here</p>'), { 'content-type': 'text/html', 'content-encoding': 'gzip' })
      .get('/busy')
      .reply(429, 'busy', { 'retry-after': '7' });
    const moved = await fetcher.fetch('http://site.example.test/old');
    assert.ok(moved.ok, JSON.stringify(moved));
    assert.equal(moved.finalUrl, 'http://site.example.test/new');
    assert.equal(moved.body.toString(), '<p>moved here</p>');
    const busy = await fetcher.fetch('http://site.example.test/busy');
    assert.ok(!busy.ok);
    assert.equal(busy.status, 429);
    assert.equal(busy.retryAfterMs, 7_000);
  });

  test('a host nock does not know is refused as a connection failure', async () => {
    const result = await fetcher.fetch('http://unmocked.example.test/');
    assert.ok(!result.ok);
    assert.equal(result.reason, 'connection');
  });
});
