/**
 * The spill file's line format and the frontier's host reading: both must
 * give back exactly what the slow, general way (JSON, `new URL`) gives.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { CrawlRequest } from '../../src/core/types.js';
import { decodeRequest, encodeRequest } from '../../src/frontier/spill-queue.js';
import { hostOf } from '../../src/url/host-of.js';

describe('spilled request lines', () => {
  const cases: CrawlRequest[] = [
    { key: 'http://a.test/', url: 'http://a.test/', depth: 0, source: 'seed' },
    { key: 'http://a.test/p?x=1', url: 'http://a.test/p?x=1&utm_source=y', depth: 3, source: 'link', referrer: 'http://a.test/', priority: -2, attempt: 1 },
    { key: 'https://b.test/é', url: 'https://b.test/é', depth: 1, source: 'sitemap', priority: 0 },
    { key: 'http://a.test/tab', url: 'http://a.test/\there', depth: 1, source: 'link' },
    { key: 'http://a.test/x', url: 'http://a.test/x', depth: 1, source: 'link', redirectOf: 'http://a.test/' },
  ];
  for (const request of cases) {
    test(`round trip: ${JSON.stringify(request)}`, () => {
      const line = encodeRequest(request);
      assert.ok(line.endsWith('\n') && line.indexOf('\n') === line.length - 1, 'one line');
      assert.deepEqual(decodeRequest(line.slice(0, -1)), request);
    });
  }
});

describe('hostOf', () => {
  for (const key of ['http://a.test/', 'http://127.1.0.1:8080/p/1', 'https://a.test:443/', 'http://a.test:80/x', 'http://[::1]:9/x', 'http://user:pw@a.test/', 'http://A.test/', 'http://a.test', 'http://a.test?x', 'https://xn--bcher-kva.test/b']) {
    test(key, () => assert.equal(hostOf(key), new URL(key).host));
  }
});
