import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type http from 'node:http';
import { createFetcher, type Fetcher } from '../../src/fetch/fetcher.js';
import { fetchTestConfig, startFetchServer, type FetchTestServer } from '../helpers/fetch-server.js';

function redirect(status: number, location: string) {
  return (_req: http.IncomingMessage, res: http.ServerResponse): void => {
    res.writeHead(status, { location, 'content-type': 'text/html' });
    res.end(`<a href="${location}">moved</a>`);
  };
}

const html = (_req: http.IncomingMessage, res: http.ServerResponse): void => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end('<title>final</title>');
};

describe('fetcher redirects', () => {
  let server: FetchTestServer;
  let fetcher: Fetcher;

  let deadUrl: string;

  before(async () => {
    const dead = await startFetchServer({});
    deadUrl = dead.url('/gone');
    await dead.close();
    server = await startFetchServer({
      '/to-dead': (_req, res) => {
        res.writeHead(302, { location: deadUrl });
        res.end();
      },
      '/a': redirect(301, '/b'),
      '/b': redirect(302, '/c'),
      '/c': html,
      '/loop1': redirect(302, '/loop2'),
      '/loop2': redirect(307, '/loop1#again'),
      '/self': redirect(301, '/self'),
      '/ftp': redirect(301, 'ftp://files.example.test/x'),
      '/mailto': redirect(302, 'mailto:someone@example.test'),
      '/javascript': redirect(302, 'javascript:alert(1)'),
      '/data': redirect(302, 'data:text/html,<p>x</p>'),
      '/offsite': redirect(301, 'https://elsewhere.example.test/page'),
      '/dir/sub/page': redirect(301, '../other/target?x=1'),
      '/dir/other/target': html,
      '/303': redirect(303, '/c'),
      '/308': redirect(308, '/c'),
      '/no-location': (_req, res) => {
        res.writeHead(304);
        res.end();
      },
      ...Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`/hop${i}`, redirect(302, `/hop${i + 1}`)])),
    });
    fetcher = createFetcher(fetchTestConfig({ maxRedirects: 3 }));
  });

  after(async () => {
    fetcher.close();
    await server.close();
  });

  test('follows 301 → 302 → 200 and records each hop', async () => {
    const result = await fetcher.fetch(server.url('/a'));
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.ok(result.ok);
    assert.equal(result.url, server.url('/a'));
    assert.equal(result.finalUrl, server.url('/c'));
    assert.deepEqual(result.redirects, [
      { url: server.url('/a'), status: 301 },
      { url: server.url('/b'), status: 302 },
    ]);
    assert.equal(result.status, 200);
    assert.equal(result.body.toString(), '<title>final</title>');
  });

  for (const path of ['/303', '/308']) {
    test(`follows ${path.slice(1)}`, async () => {
      const result = await fetcher.fetch(server.url(path));
      assert.ok(result.ok);
      assert.equal(result.finalUrl, server.url('/c'));
      assert.equal(result.redirects[0]?.status, Number(path.slice(1)));
    });
  }

  test('resolves a relative Location against the current URL', async () => {
    const result = await fetcher.fetch(server.url('/dir/sub/page'));
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.finalUrl, server.url('/dir/other/target?x=1'));
  });

  test('detects a loop (fragment ignored) as redirect-loop', async () => {
    const result = await fetcher.fetch(server.url('/loop1'));
    assert.equal(result.ok, false);
    assert.ok(!result.ok);
    assert.equal(result.reason, 'redirect-loop');
    assert.equal(result.code, 'ERR_REDIRECT_LOOP');
    assert.deepEqual(result.redirects.map((hop) => hop.status), [302, 307]);
  });

  test('a URL redirecting to itself is a loop', async () => {
    const result = await fetcher.fetch(server.url('/self'));
    assert.ok(!result.ok);
    assert.equal(result.reason, 'redirect-loop');
  });

  test('stops after maxRedirects hops with too-many-redirects', async () => {
    const before = server.requests.length;
    const result = await fetcher.fetch(server.url('/hop0'));
    assert.ok(!result.ok);
    assert.equal(result.reason, 'too-many-redirects');
    assert.equal(result.code, 'ERR_TOO_MANY_REDIRECTS');
    // maxRedirects 3: /hop0../hop3 requested (3 hops followed), the 4th redirect refused.
    assert.equal(server.requests.length - before, 4);
    assert.equal(result.redirects.length, 4);
  });

  test('maxRedirects 0 follows no redirect at all', async () => {
    const strict = createFetcher(fetchTestConfig({ maxRedirects: 0 }));
    try {
      const result = await strict.fetch(server.url('/a'));
      assert.ok(!result.ok);
      assert.equal(result.reason, 'too-many-redirects');
    } finally {
      strict.close();
    }
  });

  for (const path of ['/ftp', '/mailto', '/javascript', '/data']) {
    test(`refuses a redirect to a non-http scheme (${path.slice(1)})`, async () => {
      const result = await fetcher.fetch(server.url(path));
      assert.ok(!result.ok);
      assert.equal(result.reason, 'redirect-scheme');
      assert.equal(result.code, 'ERR_REDIRECT_SCHEME');
      assert.equal(result.redirects.length, 1);
    });
  }

  test('asks checkRedirect at every hop and stops on a rejection', async () => {
    const asked: string[] = [];
    const seenBefore = server.requests.length;
    const result = await fetcher.fetch(server.url('/a'), {
      checkRedirect: (url) => {
        asked.push(url);
        return url.endsWith('/c') ? { ok: false, reason: 'redirect-offsite' } : { ok: true };
      },
    });
    assert.deepEqual(asked, [server.url('/b'), server.url('/c')]);
    assert.ok(!result.ok);
    assert.equal(result.reason, 'redirect-offsite');
    assert.equal(result.finalUrl, server.url('/c'));
    assert.deepEqual(server.requests.slice(seenBefore).map((r) => r.path), ['/a', '/b']);
  });

  test('checkRedirect may wait (robots.txt of a new host, its spacing): the wait is not request time', async () => {
    const patient = createFetcher(fetchTestConfig({ timeouts: { requestMs: 400 } }));
    try {
      const result = await patient.fetch(server.url('/a'), {
        checkRedirect: async () => {
          await new Promise((resolve) => setTimeout(resolve, 300));
          return { ok: true };
        },
      });
      assert.ok(result.ok, `two 300 ms waits in a 400 ms request: ${!result.ok && result.message}`);
      assert.equal(result.finalUrl, server.url('/c'));
      assert.ok(result.timings.waitMs < 300, `waitMs ${result.timings.waitMs} leaves the gate out`);
    } finally {
      patient.close();
    }
  });

  test('a rejection keeps its detail, and the time it may pass again', async () => {
    const seenBefore = server.requests.length;
    const result = await fetcher.fetch(server.url('/a'), {
      checkRedirect: async (url) => ({ ok: false, reason: 'robots', detail: `robots.txt says no to ${url}`, retryAtMs: 12_345 }),
    });
    assert.ok(!result.ok);
    assert.equal(result.reason, 'robots');
    assert.equal(result.code, 'ERR_REDIRECT_REJECTED');
    assert.equal(result.message, `robots.txt says no to ${server.url('/b')}`);
    assert.equal(result.retryAtMs, 12_345);
    assert.deepEqual(server.requests.slice(seenBefore).map((r) => r.path), ['/a'], 'the hop is never requested');
  });

  test('an abort during checkRedirect ends the fetch as aborted, the hop not requested', async () => {
    const controller = new AbortController();
    const seenBefore = server.requests.length;
    const result = await fetcher.fetch(server.url('/a'), {
      signal: controller.signal,
      checkRedirect: async () => {
        controller.abort();
        return { ok: true };
      },
    });
    assert.ok(!result.ok);
    assert.equal(result.reason, 'aborted');
    assert.deepEqual(server.requests.slice(seenBefore).map((r) => r.path), ['/a']);
  });

  test('an offsite redirect rejected by scope is never requested', async () => {
    const result = await fetcher.fetch(server.url('/offsite'), {
      checkRedirect: (url) => (new URL(url).host === new URL(server.origin).host ? { ok: true } : { ok: false, reason: 'redirect-offsite' }),
    });
    assert.ok(!result.ok);
    assert.equal(result.reason, 'redirect-offsite');
    assert.equal(result.finalUrl, 'https://elsewhere.example.test/page');
  });

  test('a hop that fails reports that hop, not the redirect before it', async () => {
    const result = await fetcher.fetch(server.url('/to-dead'));
    assert.ok(!result.ok);
    assert.equal(result.reason, 'connection');
    assert.equal(result.code, 'ECONNREFUSED');
    assert.equal(result.finalUrl, deadUrl);
    assert.equal(result.status, undefined);
    assert.deepEqual(result.redirects, [{ url: server.url('/to-dead'), status: 302 }]);
  });

  test('a 3xx without Location is a final response', async () => {
    const result = await fetcher.fetch(server.url('/no-location'));
    assert.ok(result.ok);
    assert.equal(result.status, 304);
    assert.deepEqual(result.redirects, []);
  });

  test('redirect hops reuse the keep-alive connection', async () => {
    const reuse = createFetcher(fetchTestConfig());
    try {
      const before = server.connections();
      const result = await reuse.fetch(server.url('/a'));
      assert.ok(result.ok);
      assert.equal(server.connections() - before, 1);
    } finally {
      reuse.close();
    }
  });
});
