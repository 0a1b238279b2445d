import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { createGeneratedSite } from '../../src/demo/generated-site.js';
import { acceptsGzip, startSiteServer, type SiteServer } from '../../src/demo/site-server.js';

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function get(url: string, opts: { method?: string; headers?: Record<string, string>; agent?: Agent } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers, agent: opts.agent ?? false, timeout: 5_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('client timeout')));
    req.on('error', reject);
    req.end();
  });
}

describe('startSiteServer', () => {
  const site = createGeneratedSite({ pages: 30, seed: 11 });
  let server: SiteServer;
  before(async () => {
    server = await startSiteServer({ site, logRequests: true });
  });
  after(() => server.close());

  test('serves the generated pages byte for byte, on 127.0.0.1', async () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    for (const path of ['/', '/p/0', '/p/29', '/robots.txt', '/sitemap.xml']) {
      const reply = await get(server.url + path);
      const expected = site.page(path, server.url)!;
      assert.equal(reply.status, 200, path);
      assert.equal(reply.headers['content-type'], expected.contentType, path);
      assert.equal(reply.headers['content-length'], String(expected.body.length), path);
      assert.ok(reply.body.equals(expected.body), path);
    }
    const home = (await get(server.url + '/')).body.toString();
    assert.ok(home.includes(`href="${server.url}/p/1"`), 'absolute links carry the server origin');
  });

  test('absolute links follow the Host the client used', async () => {
    const reply = await get(`${server.url}/p/3`, { headers: { Host: `localhost:${server.port}` } });
    assert.ok(reply.body.toString().includes(`<link rel="canonical" href="http://localhost:${server.port}/p/3">`));
  });

  test('answers 404 for unknown paths and 405 for other methods', async () => {
    for (const path of ['/p/30', '/nope', '/p/abc']) assert.equal((await get(server.url + path)).status, 404, path);
    assert.equal((await get(server.url + '/p/1', { method: 'POST' })).status, 405);
  });

  test('HEAD sends headers without a body', async () => {
    const reply = await get(server.url + '/p/2', { method: 'HEAD' });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['content-length'], String(site.page('/p/2', server.url)!.body.length));
    assert.equal(reply.body.length, 0);
  });

  test('counts requests per path, query strings folded in', async () => {
    const before = server.requests;
    await get(server.url + '/p/7');
    await get(server.url + '/p/7?utm_source=x');
    await get(server.url + '/p/8');
    assert.equal(server.hits('/p/7'), 2);
    assert.equal(server.hits('/p/8'), 1);
    assert.equal(server.counts.get('/p/7'), 2);
    assert.equal(server.hits('/p/9'), 0);
    assert.equal(server.requests, before + 3);
    const logged = server.requestLog.slice(-3).map((e) => e.path);
    assert.deepEqual(logged, ['/p/7', '/p/7?utm_source=x', '/p/8']);
    assert.ok(server.requestLog.every((e) => Number.isFinite(e.atMs)));
  });
});

describe('startSiteServer options', () => {
  const site = createGeneratedSite({ pages: 5 });

  test('gzip: compressed only when the client accepts it', async () => {
    const server = await startSiteServer({ site, gzip: true });
    try {
      const expected = site.page('/p/1', server.url)!.body;
      const zipped = await get(server.url + '/p/1', { headers: { 'Accept-Encoding': 'gzip, deflate' } });
      assert.equal(zipped.headers['content-encoding'], 'gzip');
      assert.equal(zipped.headers['vary'], 'Accept-Encoding');
      assert.ok(zipped.body.length < expected.length / 2);
      assert.ok(gunzipSync(zipped.body).equals(expected));
      const plain = await get(server.url + '/p/1');
      assert.equal(plain.headers['content-encoding'], undefined);
      assert.ok(plain.body.equals(expected));
    } finally {
      await server.close();
    }
  });

  test('acceptsGzip reads Accept-Encoding', () => {
    const table: Array<[string | undefined, boolean]> = [
      [undefined, false], ['', false], ['gzip', true], ['deflate, gzip;q=0.5', true], ['GZIP', true],
      ['gzip;q=0', false], ['br, deflate', false], ['*', true], ['x-gzip', true], ['identity', false],
    ];
    for (const [header, expected] of table) assert.equal(acceptsGzip(header), expected, String(header));
  });

  test('latencyMs delays each response', async () => {
    const server = await startSiteServer({ site, latencyMs: 150 });
    try {
      const started = performance.now();
      assert.equal((await get(server.url + '/p/0')).status, 200);
      assert.ok(performance.now() - started >= 140, 'response came before the latency elapsed');
    } finally {
      await server.close();
    }
  });

  test('close() also ends idle keep-alive connections, promptly', async () => {
    const server = await startSiteServer({ site });
    const agent = new Agent({ keepAlive: true });
    try {
      assert.equal((await get(server.url + '/p/0', { agent })).status, 200);
      const sockets = Object.values(agent.freeSockets).flat();
      assert.equal(sockets.length, 1, 'one idle keep-alive socket');
      // The agent unrefs idle sockets; ref it so the test really waits for the server to end it.
      sockets[0]!.ref();
      const socketClosed = new Promise<void>((resolve) => sockets[0]!.once('close', () => resolve()));
      const started = performance.now();
      await server.close();
      await socketClosed;
      assert.ok(performance.now() - started < 2_000, 'close waited for the keep-alive timeout');
    } finally {
      agent.destroy();
    }
  });

  test('close() also ends connections with a response still pending', async () => {
    const server = await startSiteServer({ site, latencyMs: 30_000 });
    const pending = get(server.url + '/p/0').then(
      () => 'answered',
      () => 'failed',
    );
    for (let waitedMs = 0; server.requests === 0; waitedMs += 5) {
      assert.ok(waitedMs < 3_000, 'request never arrived');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const started = performance.now();
    await server.close();
    assert.equal(await pending, 'failed');
    assert.ok(performance.now() - started < 2_000, 'close waited for the pending response');
  });

  test('refuses to bind anything but loopback', async () => {
    await assert.rejects(startSiteServer({ site, host: '0.0.0.0' as '127.0.0.1' }), RangeError);
  });
});
