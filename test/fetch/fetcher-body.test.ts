import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { createFetcher, type Fetcher } from '../../src/fetch/fetcher.js';
import { fetchTestConfig, startFetchServer, writeBody, type FetchTestServer, type WriteOutcome } from '../helpers/fetch-server.js';

const MiB = 1024 * 1024;

/** ~100 MB of zeros gzipped (about 100 KB on the wire), built by streaming so the test never holds 100 MB. */
async function gzipBomb(inflatedBytes: number): Promise<Buffer> {
  const gzip = zlib.createGzip({ level: 9 });
  const parts: Buffer[] = [];
  gzip.on('data', (part: Buffer) => parts.push(part));
  const done = new Promise<void>((resolve, reject) => {
    gzip.on('end', resolve);
    gzip.on('error', reject);
  });
  const zeros = Buffer.alloc(MiB);
  for (let written = 0; written < inflatedBytes; written += zeros.length) {
    if (!gzip.write(zeros)) await new Promise((resolve) => gzip.once('drain', resolve));
  }
  gzip.end();
  await done;
  return Buffer.concat(parts);
}

describe('fetcher bodies', () => {
  let server: FetchTestServer;
  let fetcher: Fetcher;
  let bomb: Buffer;
  const outcomes = new Map<string, Promise<WriteOutcome>>();
  const html = '<!doctype html><title>hello</title><p>' + 'x'.repeat(5000) + '</p>';

  before(async () => {
    bomb = await gzipBomb(100 * MiB);
    server = await startFetchServer({
      '/page': (_req, res) => {
        // Headers after ~60 ms, the body in two parts ~60 ms apart: timings must see both.
        setTimeout(() => {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.write(html.slice(0, 100));
          setTimeout(() => res.end(html.slice(100)), 60);
        }, 60);
      },
      '/gzip': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' });
        res.end(zlib.gzipSync(html));
      },
      '/brotli': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'br' });
        res.end(zlib.brotliCompressSync(html));
      },
      '/huge-chunked': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        outcomes.set('/huge-chunked', writeBody(res, 50 * MiB));
      },
      '/huge-declared': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html', 'content-length': String(50 * MiB) });
        outcomes.set('/huge-declared', writeBody(res, 50 * MiB));
      },
      '/bomb': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip', 'content-length': String(bomb.length) });
        res.end(bomb);
      },
      '/bad-gzip': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' });
        res.end(Buffer.from('this is not gzip at all'));
      },
      '/pdf': (_req, res) => {
        res.writeHead(200, { 'content-type': 'Application/PDF' });
        outcomes.set('/pdf', writeBody(res, 20 * MiB));
      },
      '/small-pdf': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/pdf' });
        res.end('%PDF-1.7 tiny');
      },
      '/robots.txt': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('User-agent: *\nDisallow: /private\n' + '#'.repeat(4096));
      },
      '/untyped': (_req, res) => {
        res.removeHeader('content-type');
        res.end('<p>no content type</p>');
      },
      '/exact': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(Buffer.alloc(1024, 0x62));
      },
    });
    fetcher = createFetcher(fetchTestConfig({ maxBodyBytes: MiB }));
  });

  after(async () => {
    fetcher.close();
    await server.close();
  });

  test('fetches an HTML page with its headers and timings', async () => {
    const result = await fetcher.fetch(server.url('/page'));
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.status, 200);
    assert.equal(result.contentType, 'text/html; charset=utf-8');
    assert.equal(result.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(result.body.toString(), html);
    assert.equal(result.bytes, Buffer.byteLength(html));
    assert.equal(result.bodySkipped, undefined);
    assert.ok(result.timings.waitMs >= 50, `waitMs ${result.timings.waitMs}`);
    assert.ok(result.timings.downloadMs >= 50, `downloadMs ${result.timings.downloadMs}`);
    assert.ok(result.timings.waitMs + result.timings.downloadMs < 3000, 'within requestMs');
  });

  for (const path of ['/gzip', '/brotli']) {
    test(`decompresses ${path.slice(1)} and counts decompressed bytes`, async () => {
      const result = await fetcher.fetch(server.url(path));
      assert.ok(result.ok, JSON.stringify(result));
      assert.equal(result.body.toString(), html);
      assert.equal(result.bytes, Buffer.byteLength(html));
    });
  }

  test('a body exactly at the cap is kept', async () => {
    const small = createFetcher(fetchTestConfig({ maxBodyBytes: 1024 }));
    try {
      const result = await small.fetch(server.url('/exact'));
      assert.ok(result.ok, JSON.stringify(result));
      assert.equal(result.bytes, 1024);
    } finally {
      small.close();
    }
  });

  test('a 50 MB chunked body over a 1 MiB cap fails body-too-large and the connection is cut early', async () => {
    const result = await fetcher.fetch(server.url('/huge-chunked'));
    assert.ok(!result.ok);
    assert.equal(result.reason, 'body-too-large');
    assert.equal(result.code, 'ERR_BODY_TOO_LARGE');
    assert.ok(result.bytes > MiB && result.bytes < MiB + 256 * 1024, `bytes ${result.bytes}`);
    const outcome = await outcomes.get('/huge-chunked')!;
    assert.equal(outcome.completed, false);
    assert.ok(outcome.bytesWritten < 20 * MiB, `server wrote ${outcome.bytesWritten}`);
  });

  test('a declared Content-Length over the cap is refused before reading', async () => {
    const result = await fetcher.fetch(server.url('/huge-declared'));
    assert.ok(!result.ok);
    assert.equal(result.reason, 'body-too-large');
    assert.equal(result.bytes, 0);
    const outcome = await outcomes.get('/huge-declared')!;
    assert.equal(outcome.completed, false);
    assert.ok(outcome.bytesWritten < 20 * MiB, `server wrote ${outcome.bytesWritten}`);
  });

  test('a gzip bomb stops at the decompressed cap', async () => {
    assert.ok(bomb.length < 200 * 1024, `bomb is ${bomb.length} bytes`);
    const rssBefore = process.memoryUsage().rss;
    const result = await fetcher.fetch(server.url('/bomb'));
    assert.ok(!result.ok);
    assert.equal(result.reason, 'body-too-large');
    assert.ok(result.bytes > MiB && result.bytes <= MiB + 64 * 1024, `bytes ${result.bytes}`);
    assert.ok(process.memoryUsage().rss - rssBefore < 50 * MiB);
  });

  test('a corrupt gzip body fails with decompression', async () => {
    const result = await fetcher.fetch(server.url('/bad-gzip'));
    assert.ok(!result.ok);
    assert.equal(result.reason, 'decompression');
    assert.match(result.code, /^Z_/);
  });

  test('a PDF is not downloaded: ok, empty body, content type recorded', async () => {
    const result = await fetcher.fetch(server.url('/pdf'));
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.status, 200);
    assert.equal(result.contentType, 'Application/PDF');
    assert.equal(result.body.length, 0);
    assert.equal(result.bytes, 0);
    assert.equal(result.bodySkipped, true);
    const outcome = await outcomes.get('/pdf')!;
    assert.equal(outcome.completed, false);
    assert.ok(outcome.bytesWritten < 20 * MiB, `server wrote ${outcome.bytesWritten}`);
  });

  test('keepBody keeps a body of a type that is not parsed', async () => {
    const result = await fetcher.fetch(server.url('/small-pdf'), { keepBody: true });
    assert.ok(result.ok);
    assert.equal(result.body.toString(), '%PDF-1.7 tiny');
    assert.equal(result.bodySkipped, undefined);
  });

  test('maxBodyBytes overrides the cap per request (robots.txt)', async () => {
    const capped = await fetcher.fetch(server.url('/robots.txt'), { keepBody: true, maxBodyBytes: 1024 });
    assert.ok(!capped.ok);
    assert.equal(capped.reason, 'body-too-large');
    const full = await fetcher.fetch(server.url('/robots.txt'), { keepBody: true, maxBodyBytes: 500 * 1024 });
    assert.ok(full.ok);
    assert.match(full.body.toString(), /^User-agent: \*/);
  });

  test('a response without Content-Type keeps its body for the parser to sniff', async () => {
    const result = await fetcher.fetch(server.url('/untyped'));
    assert.ok(result.ok);
    assert.equal(result.contentType, undefined);
    assert.equal(result.body.toString(), '<p>no content type</p>');
  });
});
