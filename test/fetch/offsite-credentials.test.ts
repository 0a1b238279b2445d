/**
 * Credentials in `fetch.headers` stay with the crawl's own hosts: a link
 * checked on another host (`--check-external`) and that host's robots.txt are
 * requested without them, plain headers (Accept-Language) still sent; the
 * site's own requests carry them. Built CLI against two local servers.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDirs } from '../helpers/crawl-helpers.js';
import { runCli } from '../helpers/run-cli.js';

interface Logged {
  url: string;
  hits: Array<{ method: string; path: string; authorization?: string; language?: string }>;
  close(): Promise<void>;
}

async function serve(address: string, body: (base: string) => string): Promise<Logged> {
  const hits: Logged['hits'] = [];
  let base = '';
  const server = http.createServer((req, res) => {
    hits.push({ method: req.method!, path: req.url!, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}), ...(req.headers['accept-language'] ? { language: String(req.headers['accept-language']) } : {}) });
    if (req.url === '/robots.txt') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html' }).end(body(base));
  });
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  base = `http://${address}:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('fetch.headers credentials and off-site hosts', () => {
  const newDir = tempDirs();
  let other: Logged;
  let site: Logged;
  before(async () => {
    other = await serve('127.0.0.2', () => '<title>other</title>');
    site = await serve('127.0.0.1', () => `<title>home</title><a href="${other.url}/partner">partner</a>`);
  });
  after(async () => {
    await site?.close();
    await other?.close();
  });

  test('the site gets the Authorization header, a checked external link and its robots.txt do not; plain headers go to both', async () => {
    const dir = await newDir();
    const config = join(dir, 'crawl.json');
    await writeFile(config, JSON.stringify({ seeds: [`${site.url}/`], fetch: { headers: { Authorization: 'Bearer s3cret', 'Accept-Language': 'de' } }, scope: { checkExternal: true } }));
    const result = await runCli(['crawl', '--config', config, '--data-dir', dir, '--name', 'creds']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(site.hits.map((h) => `${h.method} ${h.path} ${h.authorization} ${h.language}`).sort(), ['GET / Bearer s3cret de', 'GET /robots.txt Bearer s3cret de', 'GET /sitemap.xml Bearer s3cret de']);
    assert.deepEqual(other.hits.map((h) => `${h.method} ${h.path} ${h.authorization} ${h.language}`).sort(), ['GET /robots.txt undefined de', 'HEAD /partner undefined de']);
  });
});
