import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request, type IncomingHttpHeaders } from 'node:http';
import { createGunzip } from 'node:zlib';
import {
  FAULT_PATHS, GZIP_BOMB_BYTES, REDIRECT_NEW_TARGET, RETRY_AFTER_DAY_SECONDS, LATIN1_TITLE, MANY_LINKS_COUNT, ODD_LINKS_SAME_SERVER, RESET_BODY_DECLARED,
  SHORT_BODY_DECLARED, SHORT_BODY_SENT, WRONG_CHARSET_TITLE, startFaultServer, type FaultServer,
} from '../helpers/fault-server.js';

/** How a request ended: the whole body, a transport error, our timeout, or our early stop. */
type Ending = 'complete' | 'error' | 'timeout' | 'stopped';

interface Outcome {
  ending: Ending;
  status?: number;
  headers?: IncomingHttpHeaders;
  body: Buffer;
  error?: NodeJS.ErrnoException;
}

/** GET that never rejects: it reports how the exchange ended. `stopAfterBytes` aborts once that much arrived. */
function fetchOutcome(url: string, opts: { timeoutMs?: number; stopAfterBytes?: number } = {}): Promise<Outcome> {
  const { timeoutMs = 3_000, stopAfterBytes = Infinity } = opts;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const outcome: Outcome = { ending: 'complete', body: Buffer.alloc(0) };
    const finish = (ending: Ending, error?: Error): void => {
      clearTimeout(timer);
      outcome.ending = ending;
      outcome.body = Buffer.concat(chunks);
      if (error) outcome.error = error;
      req.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    const req = request(url, { agent: false }, (res) => {
      outcome.status = res.statusCode;
      outcome.headers = res.headers;
      if (stopAfterBytes === 0) return finish('stopped');
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        bytes += c.length;
        if (bytes >= stopAfterBytes) finish('stopped');
      });
      res.on('end', () => finish('complete'));
      res.on('error', (err) => finish('error', err));
      res.on('aborted', () => finish('error', new Error('aborted')));
    });
    req.on('error', (err) => finish('error', err));
    req.end();
  });
}

const hrefsOf = (body: Buffer): string[] => [...body.toString('latin1').matchAll(/href="([^"]*)"/g)].map((m) => m[1]!);
const titleOf = (text: string): string | undefined => /<title>([^<]*)<\/title>/.exec(text)?.[1];

describe('fault server', () => {
  let server: FaultServer;
  before(async () => {
    server = await startFaultServer();
  });
  after(() => server.close());
  const get = (path: string, opts?: { timeoutMs?: number; stopAfterBytes?: number }): Promise<Outcome> => fetchOutcome(server.url + path, opts);

  test('the index links every hostile route', async () => {
    const index = await get('/');
    assert.equal(index.status, 200);
    assert.deepEqual(hrefsOf(index.body), [...FAULT_PATHS]);
  });

  test('robots.txt allows everything but /private/ by default', async () => {
    const robots = await get('/robots.txt');
    assert.equal(robots.status, 200);
    assert.equal(robots.body.toString(), 'User-agent: *\nDisallow: /private/\n');
  });

  test('no-headers accepts the request and never answers', async () => {
    const outcome = await get('/faults/no-headers', { timeoutMs: 300 });
    assert.equal(outcome.ending, 'timeout');
    assert.equal(outcome.status, undefined);
    assert.equal(server.hits('/faults/no-headers'), 1);
  });

  test('trickle sends headers, then a byte at a time', async () => {
    const started = performance.now();
    const outcome = await get('/faults/trickle', { stopAfterBytes: 2, timeoutMs: 2_000 });
    assert.equal(outcome.ending, 'stopped');
    assert.equal(outcome.status, 200);
    assert.equal(outcome.body.length, 2, 'one byte per tick');
    assert.ok(performance.now() - started >= 350, 'two bytes need two 200 ms ticks');
  });

  test('reset-mid-body resets the connection after half the declared body', async () => {
    const outcome = await get('/faults/reset-mid-body');
    assert.equal(outcome.ending, 'error');
    assert.equal(outcome.status, 200);
    assert.equal(outcome.headers?.['content-length'], String(RESET_BODY_DECLARED));
    assert.ok(outcome.body.length < RESET_BODY_DECLARED, `${outcome.body.length} bytes`);
  });

  test('short-body sends fewer bytes than its Content-Length, then closes', async () => {
    const outcome = await get('/faults/short-body');
    assert.equal(outcome.ending, 'error');
    assert.equal(outcome.headers?.['content-length'], String(SHORT_BODY_DECLARED));
    assert.equal(outcome.body.length, SHORT_BODY_SENT);
  });

  test('huge streams HTML without a Content-Length for as long as the client reads', async () => {
    const outcome = await get('/faults/huge', { stopAfterBytes: 2 * 1024 * 1024 });
    assert.equal(outcome.ending, 'stopped');
    assert.equal(outcome.headers?.['content-type'], 'text/html; charset=utf-8');
    assert.equal(outcome.headers?.['content-length'], undefined);
    assert.ok(outcome.body.subarray(0, 3).equals(Buffer.from('<p>')));
  });

  test('gzip-bomb is small on the wire and inflates to ~100 MB', async () => {
    const outcome = await get('/faults/gzip-bomb');
    assert.equal(outcome.headers?.['content-encoding'], 'gzip');
    assert.ok(outcome.body.length < 200_000, `${outcome.body.length} compressed bytes`);
    let inflated = 0;
    await new Promise<void>((resolve, reject) => {
      const gunzip = createGunzip();
      gunzip.on('data', (c: Buffer) => (inflated += c.length));
      gunzip.on('end', resolve);
      gunzip.on('error', reject);
      gunzip.end(outcome.body);
    });
    assert.equal(inflated, GZIP_BOMB_BYTES);
  });

  test('pdf and png are served with their binary content types', async () => {
    const pdf = await get('/faults/pdf');
    assert.equal(pdf.headers?.['content-type'], 'application/pdf');
    assert.equal(pdf.body.subarray(0, 5).toString(), '%PDF-');
    const png = await get('/faults/image.png');
    assert.equal(png.headers?.['content-type'], 'image/png');
    assert.ok(png.body.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])));
  });

  test('wrong-charset: utf-8 header, windows-1252 bytes', async () => {
    const outcome = await get('/faults/wrong-charset');
    assert.equal(outcome.headers?.['content-type'], 'text/html; charset=utf-8');
    assert.throws(() => new TextDecoder('utf-8', { fatal: true }).decode(outcome.body), TypeError);
    assert.equal(titleOf(new TextDecoder('utf-8').decode(outcome.body)), WRONG_CHARSET_TITLE);
    assert.equal(titleOf(new TextDecoder('windows-1252').decode(outcome.body)), 'Café crème');
    assert.ok(!outcome.body.toString('latin1').includes('<meta charset'), 'only the header names a charset');
  });

  test('no-charset-latin1: the charset is only in a meta tag', async () => {
    const outcome = await get('/faults/no-charset-latin1');
    assert.equal(outcome.headers?.['content-type'], 'text/html');
    const head = outcome.body.subarray(0, 1024).toString('latin1');
    assert.ok(head.includes('<meta charset="iso-8859-1">'));
    assert.equal(titleOf(new TextDecoder('windows-1252').decode(outcome.body)), LATIN1_TITLE);
    assert.notEqual(titleOf(new TextDecoder('utf-8').decode(outcome.body)), LATIN1_TITLE);
  });

  test('nested has 50,000 unclosed divs', async () => {
    const text = (await get('/faults/nested')).body.toString();
    assert.equal(text.split('<div>').length - 1, 50_000);
    assert.ok(!text.includes('</div>'));
  });

  test('many-links: 30,000 links that collapse to /ok/1..50', async () => {
    const hrefs = hrefsOf((await get('/faults/many-links')).body);
    assert.equal(hrefs.length, MANY_LINKS_COUNT);
    const collapsed = new Set(hrefs.map((h) => new URL(h, server.url).pathname));
    assert.deepEqual([...collapsed].sort(), Array.from({ length: 50 }, (_, i) => `/ok/${i + 1}`).sort());
    assert.ok(new Set(hrefs).size > 50, 'with query and fragment variations');
  });

  test('redirects: a loop, an off-site hop and a non-http scheme', async () => {
    const a = await get('/faults/redirect-loop');
    assert.equal(a.status, 302);
    assert.equal(a.headers?.location, '/faults/redirect-loop-b');
    const b = await get('/faults/redirect-loop-b');
    assert.equal(b.status, 302);
    assert.equal(b.headers?.location, '/faults/redirect-loop');
    const offsite = await get('/faults/redirect-offsite');
    assert.equal(offsite.status, 301);
    assert.equal(offsite.headers?.location, 'http://other.invalid/');
    const ftp = await get('/faults/redirect-ftp');
    assert.equal(ftp.status, 302);
    assert.equal(ftp.headers?.location, 'ftp://127.0.0.1/x');
  });

  test('redirects into a robots.txt-disallowed path, a trap, a linked page and an unlinked one', async () => {
    const expected: Array<[string, number, string]> = [
      ['/faults/redirect-robots', 302, '/private/secret'],
      ['/faults/redirect-trap', 301, '/trap/loop/x/x/x/x/'],
      ['/faults/redirect-known', 301, '/ok/1'],
      ['/faults/redirect-new', 301, REDIRECT_NEW_TARGET],
    ];
    for (const [path, status, location] of expected) {
      const moved = await get(path);
      assert.deepEqual([moved.status, moved.headers?.location], [status, location], path);
      assert.equal((await get(location)).status, 200, `${location} exists: following the redirect would fetch it`);
    }
    assert.ok(hrefsOf((await get('/')).body).includes('/ok/1'), '/ok/1 is linked from the index');
  });

  test('odd-links resolve to the expected same-server pages and foreign schemes', async () => {
    const base = `${server.url}/faults/odd-links`;
    const resolved = hrefsOf((await get('/faults/odd-links')).body).map((h) => new URL(h, base));
    const sameServer = resolved.filter((u) => u.origin === server.url).map((u) => u.pathname);
    assert.deepEqual(sameServer, [...ODD_LINKS_SAME_SERVER, '/faults/odd-links', '/faults/odd-links']);
    const protocols = new Set(resolved.map((u) => u.protocol));
    for (const scheme of ['javascript:', 'mailto:', 'data:', 'tel:']) assert.ok(protocols.has(scheme), scheme);
    assert.ok(resolved.some((u) => u.href === 'http://example.invalid/ok/17'), 'default port on another host');
    for (const path of ODD_LINKS_SAME_SERVER) assert.equal((await get(path)).status, 200, path);
  });

  test('traps: calendar, ever-deeper paths, relative loops, session ids', async () => {
    assert.deepEqual(hrefsOf((await get('/trap/calendar?month=5')).body), ['/trap/calendar?month=6']);
    assert.deepEqual(hrefsOf((await get('/trap/deep/a/b')).body), ['/trap/deep/a/b/c']);
    const loop = hrefsOf((await get('/trap/loop/x/x/')).body);
    assert.equal(new URL(loop[0]!, `${server.url}/trap/loop/x/x/`).pathname, '/trap/loop/x/x/x/');
    assert.equal((await get('/trap/loop/x/x/x/x/x/')).status, 200);
    const first = hrefsOf((await get('/trap/session?sid=start')).body).filter((h) => h.includes('sid='));
    const second = hrefsOf((await get('/trap/session?sid=start')).body).filter((h) => h.includes('sid='));
    assert.equal(new Set([...first, ...second]).size, 4, 'a new session id on every link');
  });

  test('limited/429 answers 429 with Retry-After once, then 200', async () => {
    const first = await get('/limited/429');
    assert.equal(first.status, 429);
    assert.equal(first.headers?.['retry-after'], '1');
    assert.equal((await get('/limited/429')).status, 200);
  });

  test('limited/503-date answers 503 with an HTTP-date about a second ahead, then 200', async () => {
    const first = await get('/limited/503-date');
    assert.equal(first.status, 503);
    const header = first.headers?.['retry-after'] ?? '';
    assert.match(header, /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    const aheadMs = Date.parse(header) - Date.now();
    assert.ok(aheadMs > 500 && aheadMs <= 2_000, `${aheadMs} ms ahead`);
    assert.equal((await get('/limited/503-date')).status, 200);
  });

  test('limited/503-day and limited/429-date-far always ask to come back in a day (seconds, HTTP-date)', async () => {
    for (let i = 0; i < 2; i++) {
      const day = await get('/limited/503-day');
      assert.equal(day.status, 503);
      assert.equal(day.headers?.['retry-after'], String(RETRY_AFTER_DAY_SECONDS));
      const far = await get('/limited/429-date-far');
      assert.equal(far.status, 429);
      const aheadMs = Date.parse(String(far.headers?.['retry-after'])) - Date.now();
      assert.ok(aheadMs > (RETRY_AFTER_DAY_SECONDS - 60) * 1000, `Retry-After ${far.headers?.['retry-after']}`);
    }
  });

  test('ok pages are plain 200s; anything unknown is 404', async () => {
    const ok = await get('/ok/7');
    assert.equal(ok.status, 200);
    assert.equal(titleOf(ok.body.toString()), 'OK 7');
    for (const path of ['/ok/0', '/ok/x', '/nope', '/trap/deep/A', '/trap/loop/y/']) assert.equal((await get(path)).status, 404, path);
  });

  test('the log records every request in order, with times', async () => {
    const from = server.log.length;
    await get('/ok/30?a=1');
    await get('/ok/30?a=2');
    const entries = server.log.slice(from);
    assert.deepEqual(entries.map((e) => e.path), ['/ok/30?a=1', '/ok/30?a=2']);
    assert.ok(entries[0]!.atMs <= entries[1]!.atMs && Math.abs(entries[0]!.atMs - Date.now()) < 5_000);
    assert.equal(server.hits('/ok/30'), 2);
    assert.equal(server.hits('/ok/30?a=2'), 1);
  });
});

describe('fault server options and shutdown', () => {
  test('robots.txt can be replaced, get a Crawl-delay, or be missing', async () => {
    const custom = await startFaultServer({ robotsTxt: 'User-agent: *\nDisallow: /trap/', crawlDelaySeconds: 2 });
    const missing = await startFaultServer({ robotsTxt: null });
    const delayed = await startFaultServer({ crawlDelaySeconds: 1 });
    try {
      assert.equal((await fetchOutcome(custom.url + '/robots.txt')).body.toString(), 'User-agent: *\nDisallow: /trap/\nCrawl-delay: 2\n');
      assert.equal((await fetchOutcome(missing.url + '/robots.txt')).status, 404);
      assert.equal((await fetchOutcome(delayed.url + '/robots.txt')).body.toString(), 'User-agent: *\nDisallow: /private/\nCrawl-delay: 1\n');
    } finally {
      await Promise.all([custom.close(), missing.close(), delayed.close()]);
    }
  });

  test('close() returns promptly with a trickle and a silent request open', async () => {
    const server = await startFaultServer();
    const trickle = fetchOutcome(server.url + '/faults/trickle', { timeoutMs: 10_000 });
    const silent = fetchOutcome(server.url + '/faults/no-headers', { timeoutMs: 10_000 });
    for (let waitedMs = 0; server.hits('/faults/trickle') + server.hits('/faults/no-headers') < 2; waitedMs += 5) {
      assert.ok(waitedMs < 3_000, 'requests never arrived');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const started = performance.now();
    await server.close();
    assert.ok(performance.now() - started < 1_000, 'close() waited on open requests');
    const [t, s] = await Promise.all([trickle, silent]);
    assert.equal(t.ending, 'error');
    assert.equal(s.ending, 'error');
  });
});
