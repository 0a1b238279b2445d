/**
 * Crawling through proxies the test starts: an HTTP proxy (CONNECT) and a
 * SOCKS5 server, with credentials; a rotation list; per-host overrides; the
 * environment's HTTP_PROXY / NO_PROXY; and proxy failures (refused
 * credentials, a dead proxy) recorded with their own reason, `proxy`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closedPort } from '../helpers/fetch-server.js';
import { htmlPage, startScriptedSite, type ScriptedSite } from '../helpers/faults-site.js';
import { runCrawl, tempDirs, testConfig } from '../helpers/crawl-helpers.js';
import { startHttpProxy, startSocks5Proxy, type TestProxy } from '../helpers/test-proxies.js';
import { validateConfig } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/core/errors.js';


/** `http://user:p%40ss@127.0.0.1:port` from a proxy's URL. */
const withCredentials = (url: string, credentials = 'user:p%40ss'): string => url.replace('://', `://${credentials}@`);

describe('proxies', () => {
  const newDir = tempDirs();
  let site: ScriptedSite;
  let http: TestProxy;
  let socks: TestProxy;
  let siteHost: string;
  before(async () => {
    site = await startScriptedSite({ '/': { body: htmlPage('home', ['/a', '/b', 'http://10.0.0.5/internal']) }, '/a': { body: htmlPage('a') }, '/b': { body: htmlPage('b') } });
    siteHost = new URL(site.url).host;
    http = await startHttpProxy('user:p@ss');
    socks = await startSocks5Proxy('user:p@ss');
  });
  after(async () => {
    await site.close();
    await http.close();
    await socks.close();
  });

  const crawl = async (fetch: Record<string, unknown>, name: string) => {
    const dataDir = await newDir();
    const { records } = await runCrawl(testConfig(dataDir, { name, seeds: [`${site.url}/`], scope: { mode: 'any' }, fetch: { retries: 1, ...fetch } }));
    return new Map([...records.values()].map((r) => [r.key.replace(site.url, ''), r]));
  };

  for (const kind of ['http', 'socks5'] as const) {
    test(`through an ${kind} proxy with credentials: every page, robots.txt included, goes through it; the guard still refuses a private address`, async () => {
      const proxy = kind === 'http' ? http : socks;
      const before = proxy.targets.length;
      const hitsBefore = site.log.length;
      const records = await crawl({ proxy: withCredentials(proxy.url) }, `via-${kind}`);
      for (const path of ['/', '/a', '/b']) assert.equal(records.get(path)?.outcome, 'ok', path);
      assert.equal(records.get('http://10.0.0.5/internal')?.reason, 'blocked-address');
      const targets = proxy.targets.slice(before);
      assert.ok(targets.length > 0);
      assert.ok(targets.every((target) => target === siteHost), targets.join(' '));
      assert.ok(site.log.slice(hitsBefore).some((hit) => hit.path === '/robots.txt'));
    });
  }

  test('refused proxy credentials: recorded as proxy / ERR_PROXY_AUTH, not retried, the password never in the message', async () => {
    for (const proxy of [http, socks]) {
      const refusedBefore = proxy.refused;
      const records = await crawl({ proxy: withCredentials(proxy.url, 'user:wrong-secret'), perHostParallelism: 1, concurrency: 1 }, `refused-${proxy.port}`);
      const home = records.get('/')!;
      assert.equal(home.reason, 'proxy', JSON.stringify(home));
      assert.match(home.error!.message, /ERR_PROXY_AUTH|proxy/);
      assert.ok(!JSON.stringify(home).includes('wrong-secret'));
      assert.ok(proxy.refused > refusedBefore);
    }
  });

  test('a dead proxy: recorded as proxy / ERR_PROXY_CONNECT, naming the proxy', async () => {
    const port = await closedPort();
    const records = await crawl({ proxy: `http://user:s3cret@127.0.0.1:${port}` }, 'dead-proxy');
    const home = records.get('/')!;
    assert.equal(home.reason, 'proxy', JSON.stringify(home));
    assert.match(home.error!.message, new RegExp(`proxy http://\\[redacted\\]@127\\.0\\.0\\.1:${port}`));
    assert.ok(!JSON.stringify(home).includes('s3cret'));
  });

  test('a rotation list uses each proxy; a per-host override sends that host direct', async () => {
    const second = await startHttpProxy();
    try {
      const [a, b] = [http.targets.length, second.targets.length];
      const records = await crawl({ proxy: [withCredentials(http.url), second.url], perHostParallelism: 2 }, 'rotation');
      assert.equal(records.get('/b')?.outcome, 'ok');
      assert.ok(http.targets.length > a && second.targets.length > b, 'both proxies carried requests');

      const port = await closedPort();
      const direct = await crawl({ proxy: `http://127.0.0.1:${port}`, proxyHosts: { '127.0.0.1': 'direct' } }, 'direct-host');
      assert.equal(direct.get('/a')?.outcome, 'ok');
    } finally {
      await second.close();
    }
  });

  test('HTTP_PROXY from the environment when fetch.proxy is unset; NO_PROXY and proxyFromEnv: false bypass it', async () => {
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY };
    const plain = await startHttpProxy();
    try {
      process.env.HTTP_PROXY = plain.url.replace('http://', '');
      delete process.env.NO_PROXY;
      assert.equal((await crawl({}, 'env-proxy')).get('/a')?.outcome, 'ok');
      const used = plain.targets.length;
      assert.ok(used > 0);
      process.env.NO_PROXY = 'localhost, 127.0.0.0/8';
      assert.equal((await crawl({}, 'env-no-proxy')).get('/a')?.outcome, 'ok');
      delete process.env.NO_PROXY;
      assert.equal((await crawl({ proxyFromEnv: false }, 'env-off')).get('/a')?.outcome, 'ok');
      assert.equal(plain.targets.length, used, 'NO_PROXY and proxyFromEnv: false went direct');
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await plain.close();
    }
  });

  test('a malformed proxy URL is a config error naming the field, without the credentials', () => {
    for (const [proxy, field, message] of [
      ['ftp://proxy:21', 'fetch.proxy', /expected an http, https, socks4 or socks5 proxy URL, not ftp:/],
      ['http://user:hunter22@', 'fetch.proxy', /expected a proxy URL/],
      ['socks5://127.0.0.1', 'fetch.proxy', /expected a port on a SOCKS proxy URL/],
      [['http://ok:1', 'http://user:hunter22@proxy:1/path'], 'fetch.proxy[1]', /no path/],
    ] as const) {
      assert.throws(
        () => validateConfig({ seeds: ['http://a/'], fetch: { proxy } }),
        (error: unknown) => error instanceof ConfigError && error.field === field && message.test(error.message) && !error.message.includes('hunter22'),
        JSON.stringify(proxy),
      );
    }
  });
});
