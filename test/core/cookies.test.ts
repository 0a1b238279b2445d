/**
 * The cookie jar (fetch.cookies): a session cookie set on a redirect is sent
 * back on every later request, and kept with the crawl, so a resumed crawl
 * continues the session without logging in again. Without the jar nothing is
 * sent back.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { runCrawl, tempDirs, testConfig } from '../helpers/crawl-helpers.js';

describe('cookie jar', () => {
  const newDir = tempDirs();
  let server: http.Server;
  let origin: string;
  let logins = 0;
  const page = (links: string[]): string => `<html><head><title>t</title></head><body>${links.map((l) => `<a href="${l}">${l}</a>`).join('')}</body></html>`;
  before(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/robots.txt') return void res.writeHead(404).end();
      if (req.url === '/login') {
        logins++;
        return void res.writeHead(302, { location: '/', 'set-cookie': 'session=s-42; Path=/; HttpOnly' }).end();
      }
      if (req.headers.cookie !== 'session=s-42') return void res.writeHead(403, { 'content-type': 'text/html' }).end(page([]));
      const links = req.url === '/' ? ['/a'] : req.url === '/a' ? ['/b'] : [];
      res.writeHead(200, { 'content-type': 'text/html' }).end(page(links));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('a cookie set on a redirect is sent back; it is kept with the crawl and a resume continues the session', async () => {
    const dataDir = await newDir();
    const input = { name: 'session', seeds: [`${origin}/login`], fetch: { cookies: true, concurrency: 1, perHostParallelism: 1 } };
    const first = await runCrawl(testConfig(dataDir, { ...input, scope: { maxPages: 1 } }));
    assert.equal(first.records.get(`${origin}/login`)?.outcome, 'ok', 'the login redirect landed on / with the cookie');
    assert.equal(logins, 1);
    const file = join(dataDir, 'session', 'cookies.json');
    assert.equal((await stat(file)).mode & 0o777, 0o600);

    const handle = await (await import('../../src/index.js')).createCrawler(testConfig(dataDir, { ...input, scope: { maxPages: 10 } }), { resume: true });
    try {
      await handle.run();
    } finally {
      await handle.close();
    }
    const { storedRecords } = await import('../helpers/crawl-helpers.js');
    const records = await storedRecords(dataDir, 'session');
    for (const path of ['/a', '/b']) assert.equal(records.get(`${origin}${path}`)?.outcome, 'ok', path);
    assert.equal(logins, 1, 'no second login: the session came back from cookies.json');
  });

  test('without fetch.cookies nothing is sent back', async () => {
    const dataDir = await newDir();
    const { records } = await runCrawl(testConfig(dataDir, { name: 'none', seeds: [`${origin}/login`], fetch: { retries: 0 } }));
    assert.equal(records.get(`${origin}/login`)?.status, 403);
  });
});
