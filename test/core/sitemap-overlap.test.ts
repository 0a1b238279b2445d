/**
 * Sitemap discovery overlaps the seed fetch: a slow sitemap does not hold the
 * first request back, its URLs still arrive at depth 0, and once they are
 * stored a resume does not read the sitemaps again (`sitemaps.done`).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { storedRecords, tempDirs } from '../helpers/crawl-helpers.js';
import { runCli } from '../helpers/run-cli.js';

const SITEMAP_DELAY_MS = 1_500;
const newDir = tempDirs('skein-sitemap-overlap-');

interface Hit {
  path: string;
  atMs: number;
}

describe('sitemap discovery overlaps the seed fetch', () => {
  const hits: Hit[] = [];
  let sitemapAnsweredAtMs = 0;
  let server: http.Server;
  let origin = '';
  before(async () => {
    server = http.createServer((req, res) => {
      const url = req.url ?? '/';
      hits.push({ path: url, atMs: Date.now() });
      const page = (body: string) => res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>${url}</title>${body}`);
      if (url === '/robots.txt') return void res.writeHead(200, { 'content-type': 'text/plain' }).end(`User-agent: *\nAllow: /\nSitemap: ${origin}/sitemap.xml\n`);
      if (url === '/sitemap.xml') {
        setTimeout(() => {
          sitemapAnsweredAtMs = Date.now();
          res.writeHead(200, { 'content-type': 'application/xml' }).end(`<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>${origin}/from-sitemap</loc></url><url><loc>${origin}/linked</loc></url></urlset>`);
        }, SITEMAP_DELAY_MS);
        return;
      }
      if (url === '/') return page('<a href="/linked">linked</a>');
      if (url === '/linked' || url === '/from-sitemap') return page('<p>a page</p>');
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('the seed page is fetched before the slow sitemap answers; sitemap URLs come in at depth 0; a resume does not read the sitemap again', async () => {
    const dataDir = await newDir();
    const crawl = await runCli(['crawl', `${origin}/`, '--name', 'site', '--data-dir', dataDir, '--workers', '1', '-q']);
    assert.equal(crawl.code, 0, crawl.stderr);
    const seedAtMs = hits.find((hit) => hit.path === '/')!.atMs;
    assert.ok(sitemapAnsweredAtMs > 0, 'the sitemap was read');
    assert.ok(seedAtMs < sitemapAnsweredAtMs, `the seed was fetched ${seedAtMs - sitemapAnsweredAtMs} ms after the sitemap answered`);

    const records = await storedRecords(dataDir, 'site');
    assert.deepEqual([...records.keys()].map((key) => new URL(key).pathname).sort(), ['/', '/from-sitemap', '/linked']);
    // The seed's link waited for the sitemap (under 2 s): /linked is a sitemap URL, depth 0, as when sitemaps were read first.
    assert.equal(records.get(`${origin}/linked`)?.depth, 0);
    assert.equal(records.get(`${origin}/from-sitemap`)?.depth, 0);
    await access(path.join(dataDir, 'site', 'sitemaps.done'));

    const sitemapReads = hits.filter((hit) => hit.path === '/sitemap.xml').length;
    const resumed = await runCli(['resume', 'site', '--data-dir', dataDir, '--workers', '1', '-q']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(hits.filter((hit) => hit.path === '/sitemap.xml').length, sitemapReads, 'the resume did not read the sitemap again');
  });
});
