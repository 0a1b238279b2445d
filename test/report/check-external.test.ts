/**
 * `--check-external` (scope.checkExternal) through the built CLI: a site on
 * 127.0.0.1 links to a second host (127.0.0.2) with a live page, a 404 and a
 * dead port. With the flag, the 404 and the dead link are reported with their
 * referrers and link text, the live one is not, and the second host's own log
 * shows that only the linked URLs were requested (HEAD; nothing it links to);
 * without the flag, nothing of the second host is requested at all.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PageRecord } from '../../src/core/types.js';
import type { FixtureDefinition } from '../../src/replay/fixture-definition.js';
import { startScriptedSite, type ScriptedSite } from '../helpers/faults-site.js';
import { storedRecords, tempDirs } from '../helpers/crawl-helpers.js';
import { closedPort } from '../helpers/fetch-server.js';
import { runCli } from '../helpers/run-cli.js';

const page = (title: string, body: string): string => `<!doctype html><html><head><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`;

interface OtherHost {
  url: string;
  log: string[];
  close(): Promise<void>;
}

/** The second host: logs `METHOD path`; /live links on to /secret, which must never be requested; /get-only refuses HEAD. */
async function startOtherHost(): Promise<OtherHost> {
  const log: string[] = [];
  const server = http.createServer((req, res) => {
    log.push(`${req.method} ${req.url}`);
    if (req.url === '/get-only') return void res.writeHead(req.method === 'HEAD' ? 405 : 200, { 'content-type': 'text/html' }).end(req.method === 'HEAD' ? '' : page('Get only', ''));
    if (req.url === '/live' || req.url === '/secret') return void res.writeHead(200, { 'content-type': 'text/html' }).end(page('Live', '<a href="/secret">more</a>'));
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
  return {
    url: `http://127.0.0.2:${(server.address() as AddressInfo).port}`,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('--check-external', () => {
  const newDir = tempDirs();
  let site: ScriptedSite;
  let other: OtherHost;
  let dead: string;
  before(async () => {
    other = await startOtherHost();
    dead = `http://127.0.0.2:${await closedPort()}/`;
    site = await startScriptedSite({
      '/': { body: page('Home', `<a href="/about">About</a> <a href="${other.url}/live">Partner</a> <a href="${other.url}/missing">Old partner</a> <a href="${dead}">Dead partner</a>`) },
      '/about': { body: page('About', `<a href="/">Home</a> <a href="${other.url}/missing">the old partner page</a>`) },
      '/robots.txt': { status: 404, body: '' },
    });
  });
  after(async () => {
    await site?.close();
    await other?.close();
  });

  test('broken outbound links are reported with their referrers and link text; only the linked URLs of the other host are requested', async () => {
    const dataDir = await newDir();
    const result = await runCli(['check', `${site.url}/`, '--check-external', '--data-dir', dataDir, '--name', 'ext', '--format', 'json', '--retries', '0']);
    assert.equal(result.code, 1, result.stderr);
    const report = JSON.parse(result.stdout) as { problems: { kind: string; page: string; url: string; linkText?: string; detail: string }[] };
    const broken = report.problems.filter((p) => p.kind === 'broken').map((p) => `${p.page} → ${p.url} "${p.linkText ?? ''}"`).sort();
    assert.deepEqual(broken, [
      `${site.url}/ → ${dead} "Dead partner"`,
      `${site.url}/ → ${other.url}/missing "Old partner"`,
      `${site.url}/about → ${other.url}/missing "the old partner page"`,
    ].sort());
    assert.ok(!report.problems.some((p) => p.url === `${other.url}/live`), 'the live link is not a problem');

    // The other host saw robots.txt and the two linked URLs, each once (HEAD), nothing beyond.
    assert.deepEqual([...other.log].sort(), ['GET /robots.txt', 'HEAD /live', 'HEAD /missing']);

    const records = await storedRecords(dataDir, 'ext');
    const live = records.get(`${other.url}/live`);
    assert.equal(live?.external, true);
    assert.equal(live?.outcome, 'ok');
    assert.equal(live?.status, 200);
    assert.equal(live?.links, undefined, 'not parsed');
    assert.equal(records.get(`${other.url}/missing`)?.status, 404);
    assert.equal(records.get(dead)?.reason, 'connection');
    assert.equal(records.has(`${other.url}/secret`), false);
    assert.equal([...records.values()].filter((r) => !r.external).length, 2, 'the site\'s two pages');
  });

  test('HEAD refused (405): the link is checked with GET instead', async () => {
    const strict = await startScriptedSite({ '/only-get': (_n) => ({ body: page('Only GET', '') }) });
    const headLog: string[] = [];
    const server = http.createServer((req, res) => {
      headLog.push(`${req.method} ${req.url}`);
      if (req.method === 'HEAD') return void res.writeHead(405, { allow: 'GET' }).end();
      res.writeHead(req.url === '/robots.txt' ? 404 : 200, { 'content-type': 'text/html' }).end(page('ok', ''));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
    const target = `http://127.0.0.2:${(server.address() as AddressInfo).port}/page`;
    try {
      const linking = await startScriptedSite({ '/': { body: page('Home', `<a href="${target}">GET only</a>`) }, '/robots.txt': { status: 404, body: '' } });
      const dataDir = await newDir();
      const result = await runCli(['crawl', `${linking.url}/`, '--check-external', '--data-dir', dataDir, '--name', 'head405']);
      await linking.close();
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(headLog.filter((line) => line !== 'GET /robots.txt'), ['HEAD /page', 'GET /page']);
      const record = (await storedRecords(dataDir, 'head405')).get(target);
      assert.equal(record?.outcome, 'ok');
      assert.equal(record?.status, 200);
      assert.match(result.stdout + result.stderr, /external links checked: 1 \(1 ok, 0 failed, 0 skipped\)/);
    } finally {
      await strict.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  test('--record keeps the link checks (HEAD, and GET where HEAD is refused) and --replay answers them offline', async () => {
    const linking = await startScriptedSite({
      '/': { body: page('Home', `<a href="${other.url}/live">Live</a> <a href="${other.url}/missing">Missing</a> <a href="${other.url}/get-only">GET only</a>`) },
      '/robots.txt': { status: 404, body: '' },
    });
    const dir = await newDir();
    const fixture = join(dir, 'fixture.json');
    const recorded = await runCli(['crawl', `${linking.url}/`, '--check-external', '--record', fixture, '--data-dir', join(dir, 'live'), '--name', 'rec', '--retries', '0']);
    await linking.close();
    assert.equal(recorded.code, 0, recorded.stderr);
    const exchanges = (JSON.parse(await readFile(fixture, 'utf8')) as FixtureDefinition[]).filter((d) => d.scope === other.url).map((d) => `${d.method} ${d.path} ${d.status}`);
    assert.deepEqual(exchanges.sort(), ['GET /get-only 200', 'GET /robots.txt 404', 'HEAD /get-only 405', 'HEAD /live 200', 'HEAD /missing 404']);

    const requestsBefore = other.log.length;
    const replayed = await runCli(['crawl', '--replay', fixture, '--data-dir', join(dir, 'replay'), '--name', 'rep']);
    assert.equal(replayed.code, 0, replayed.stderr);
    assert.equal(other.log.length, requestsBefore, 'nothing requested: the fixture answered');
    const checks = (records: Map<string, PageRecord>) => [...records.values()].filter((r) => r.external).map((r) => `${r.key} ${r.status ?? r.reason} ${r.outcome}`).sort();
    const live = checks(await storedRecords(join(dir, 'live'), 'rec'));
    assert.deepEqual(live, [`${other.url}/get-only 200 ok`, `${other.url}/live 200 ok`, `${other.url}/missing 404 failed`]);
    assert.deepEqual(checks(await storedRecords(join(dir, 'replay'), 'rep')), live, 'the replay stores the checks the recording did');
  });

  test('without --check-external nothing of the other host is requested', async () => {
    const before = other.log.length;
    const result = await runCli(['check', `${site.url}/`, '--data-dir', join(await newDir(), 'data'), '--name', 'no-ext']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(other.log.length, before);
  });
});
