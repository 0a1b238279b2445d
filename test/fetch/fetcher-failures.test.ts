import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { createFetcher, type Fetcher } from '../../src/fetch/fetcher.js';
import { retryDecision } from '../../src/fetch/retry-policy.js';
import { fetchTestConfig, startFetchServer, trickle, type FetchTestServer } from '../helpers/fetch-server.js';

describe('fetcher failures', () => {
  let server: FetchTestServer;
  let fetcher: Fetcher;
  let requestArrived: (() => void) | undefined;

  before(async () => {
    server = await startFetchServer({
      '/silent': () => {
        // Never answers; the server's closeAllConnections() ends it.
        requestArrived?.();
      },
      '/trickle': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        trickle(res, 20);
      },
      '/reset': (req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.write('<html><body>' + 'x'.repeat(2000));
        setImmediate(() => req.socket.destroy());
      },
      '/short': (req, res) => {
        res.writeHead(200, { 'content-type': 'text/html', 'content-length': '10000' });
        res.write('<html>' + 'y'.repeat(994));
        setImmediate(() => req.socket.end());
      },
      '/short-gzip': (req, res) => {
        const gzipped = zlib.gzipSync('<html>' + 'z'.repeat(50_000));
        res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip', 'content-length': String(gzipped.length) });
        res.write(gzipped.subarray(0, Math.floor(gzipped.length / 2)));
        setImmediate(() => req.socket.end());
      },
      '/truncated-gzip': (_req, res) => {
        const gzipped = zlib.gzipSync('<html>' + 'z'.repeat(50_000));
        res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' });
        res.end(gzipped.subarray(0, Math.floor(gzipped.length / 2)));
      },
      '/429': (_req, res) => {
        res.writeHead(429, { 'content-type': 'text/html', 'retry-after': '120' });
        res.end('<h1>slow down</h1>');
      },
      '/503-date': (_req, res) => {
        res.writeHead(503, { 'retry-after': new Date(Date.now() + 30_000).toUTCString() });
        res.end('maintenance');
      },
      '/500': (_req, res) => {
        res.writeHead(500, { 'content-type': 'text/html' });
        res.end('<h1>oops</h1>');
      },
      '/echo': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<p>hi</p>');
      },
    });
    fetcher = createFetcher(
      fetchTestConfig({
        headers: { 'X-Crawl': 'tests', Connection: 'keep-alive', 'User-Agent': 'overridden?' },
        timeouts: { responseMs: 300, requestMs: 800 },
      }),
    );
  });

  after(async () => {
    fetcher.close();
    await server.close();
  });

  test('headers that never come time out (responseMs)', async () => {
    const startedAtMs = performance.now();
    const result = await fetcher.fetch(server.url('/silent'));
    const elapsedMs = performance.now() - startedAtMs;
    assert.ok(!result.ok);
    assert.equal(result.reason, 'timeout');
    assert.equal(result.code, 'ETIMEDOUT');
    assert.match(result.message, /response/);
    assert.ok(elapsedMs >= 250 && elapsedMs < 5000, `took ${elapsedMs} ms`);
  });

  test('a body that trickles forever is cut by the request timeout', async () => {
    const startedAtMs = performance.now();
    const result = await fetcher.fetch(server.url('/trickle'));
    const elapsedMs = performance.now() - startedAtMs;
    assert.ok(!result.ok);
    assert.equal(result.reason, 'timeout');
    assert.equal(result.status, 200);
    assert.ok(result.bytes > 0);
    assert.ok(elapsedMs < 5000, `took ${elapsedMs} ms`);
  });

  test('a body that trickles forever is cut by a small cap', async () => {
    const result = await fetcher.fetch(server.url('/trickle'), { maxBodyBytes: 5 });
    assert.ok(!result.ok);
    // Not 'timeout': the cap (6th byte, ~120 ms) comes long before requestMs (800 ms).
    assert.equal(result.reason, 'body-too-large');
    assert.equal(result.bytes, 6);
  });

  test('a reset in the middle of the body is a connection failure', async () => {
    const result = await fetcher.fetch(server.url('/reset'));
    assert.ok(!result.ok, 'a truncated body must not pass as a success');
    assert.equal(result.reason, 'connection');
    assert.equal(result.code, 'ECONNRESET');
    assert.equal(result.status, 200);
  });

  test('a Content-Length larger than the body sent is a connection failure', async () => {
    const result = await fetcher.fetch(server.url('/short'));
    assert.ok(!result.ok, 'a truncated body must not pass as a success');
    assert.equal(result.reason, 'connection');
    assert.equal(result.code, 'ERR_HTTP_CONTENT_LENGTH_MISMATCH');
  });

  test('a gzip body cut before its Content-Length is a connection failure, not a truncated page', async () => {
    const result = await fetcher.fetch(server.url('/short-gzip'));
    assert.ok(!result.ok);
    assert.equal(result.reason, 'connection');
    assert.equal(result.code, 'ERR_HTTP_CONTENT_LENGTH_MISMATCH');
  });

  test('a complete chunked response holding a truncated gzip stream is a decompression failure', async () => {
    const result = await fetcher.fetch(server.url('/truncated-gzip'));
    assert.ok(!result.ok);
    assert.equal(result.reason, 'decompression');
    assert.equal(result.code, 'Z_BUF_ERROR');
  });

  test('429 is an http-error with Retry-After, and the host backs off', async () => {
    const result = await fetcher.fetch(server.url('/429'));
    assert.ok(!result.ok);
    assert.equal(result.reason, 'http-error');
    assert.equal(result.code, 'ERR_HTTP_STATUS');
    assert.equal(result.status, 429);
    assert.equal(result.retryAfterMs, 120_000);
    assert.equal(result.bytes, 0);
    const decision = retryDecision({ attempt: 0, maxRetries: 2, reason: result.reason, status: result.status, retryAfterMs: result.retryAfterMs, maxDelayMs: 300_000 });
    assert.deepEqual(decision, { retry: true, delayMs: 120_000, backoffHost: true });
  });

  test('503 with an HTTP-date Retry-After', async () => {
    const result = await fetcher.fetch(server.url('/503-date'));
    assert.ok(!result.ok);
    assert.equal(result.status, 503);
    assert.ok(result.retryAfterMs !== undefined && result.retryAfterMs > 25_000 && result.retryAfterMs <= 30_000, String(result.retryAfterMs));
  });

  test('500 is an http-error without Retry-After', async () => {
    const result = await fetcher.fetch(server.url('/500'));
    assert.ok(!result.ok);
    assert.equal(result.reason, 'http-error');
    assert.equal(result.status, 500);
    assert.equal(result.retryAfterMs, undefined);
    assert.equal(result.contentType, 'text/html');
  });

  test('sends the configured User-Agent and headers, never an explicit Connection header', async () => {
    const result = await fetcher.fetch(server.url('/echo'));
    assert.ok(result.ok);
    const seen = server.requests.findLast((r) => r.path === '/echo')!;
    assert.equal(seen.headers['user-agent'], 'skein-test/1.0 (+https://example.test/bot)');
    assert.equal(seen.headers['x-crawl'], 'tests');
    assert.match(String(seen.headers['accept-encoding']), /gzip/);
    // Node's keep-alive agent sends its own "keep-alive"; the config value was dropped, not duplicated.
    assert.equal(seen.headers.connection, 'keep-alive');
  });

  test('error pages are drained so the connection is reused', async () => {
    const reuse = createFetcher(fetchTestConfig());
    try {
      const before = server.connections();
      assert.equal((await reuse.fetch(server.url('/500'))).ok, false);
      assert.equal((await reuse.fetch(server.url('/missing'))).ok, false);
      assert.equal((await reuse.fetch(server.url('/echo'))).ok, true);
      assert.equal(server.connections() - before, 1);
    } finally {
      reuse.close();
    }
  });

  test('a refused connection is a connection failure', async () => {
    const closed = await startFetchServer({});
    const url = closed.url('/');
    await closed.close();
    const result = await fetcher.fetch(url);
    assert.ok(!result.ok);
    assert.equal(result.reason, 'connection');
    assert.equal(result.code, 'ECONNREFUSED');
  });

  test('an abort signal ends the fetch with reason aborted', async () => {
    const controller = new AbortController();
    requestArrived = () => controller.abort();
    const result = await fetcher.fetch(server.url('/silent'), { signal: controller.signal });
    requestArrived = undefined;
    assert.ok(!result.ok);
    // Not 'timeout': the abort lands as soon as the server has the request.
    assert.equal(result.reason, 'aborted');
    assert.equal(result.code, 'ERR_ABORTED');
  });

  test('an already aborted signal never sends the request', async () => {
    const before = server.requests.length;
    const result = await fetcher.fetch(server.url('/echo'), { signal: AbortSignal.abort() });
    assert.ok(!result.ok);
    assert.equal(result.reason, 'aborted');
    assert.equal(server.requests.length, before);
  });

  test('invalid and non-http URLs are values, not throws', async () => {
    const invalid = await fetcher.fetch('not a url');
    assert.ok(!invalid.ok);
    assert.equal(invalid.reason, 'invalid-url');
    const ftp = await fetcher.fetch('ftp://example.test/file');
    assert.ok(!ftp.ok);
    assert.equal(ftp.reason, 'scheme');
  });

  test('a throwing checkRedirect still yields a value', async () => {
    const redirecting = await startFetchServer({
      '/': (_req, res) => {
        res.writeHead(301, { location: '/next' });
        res.end();
      },
    });
    try {
      const result = await fetcher.fetch(redirecting.url('/'), {
        checkRedirect: () => {
          throw new Error('scope exploded');
        },
      });
      assert.ok(!result.ok);
      assert.match(result.message, /scope exploded/);
    } finally {
      await redirecting.close();
    }
  });

  test('after close(), fetches fail with aborted', async () => {
    const closing = createFetcher(fetchTestConfig());
    closing.close();
    const result = await closing.fetch(server.url('/echo'));
    assert.ok(!result.ok);
    assert.equal(result.reason, 'aborted');
    assert.equal(result.code, 'ERR_FETCHER_CLOSED');
  });
});
