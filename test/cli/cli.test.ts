/**
 * The built binary, spawned like a user runs it: exit codes, files written,
 * export output, status, help.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { access, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createGeneratedSite } from '../../src/demo/generated-site.js';
import { startSiteServer, type SiteServer } from '../../src/demo/site-server.js';
import { runCli } from '../helpers/run-cli.js';
import { tempDataDir } from '../helpers/crawl-helpers.js';

const exists = (path: string) => access(path).then(() => true, () => false);

describe('skein CLI', () => {
  let server: SiteServer;
  let data: Awaited<ReturnType<typeof tempDataDir>>;
  before(async () => {
    server = await startSiteServer({ site: createGeneratedSite({ pages: 40 }) });
    data = await tempDataDir();
  });
  after(async () => {
    await server.close();
    await data.cleanup();
  });

  test('--help lists the commands; crawl --help shows defaults and examples', async () => {
    const top = await runCli(['--help']);
    assert.equal(top.code, 0);
    for (const command of ['crawl', 'export', 'status', 'demo']) assert.match(top.stdout, new RegExp(`\\b${command}\\b`));
    const crawlHelp = await runCli(['crawl', '--help']);
    assert.equal(crawlHelp.code, 0);
    assert.match(crawlHelp.stdout, /--concurrency <n>.*\(default: 32\)/s);
    assert.match(crawlHelp.stdout, /--max-pages <n>.*\(default: 10000\)/s);
    assert.match(crawlHelp.stdout, /Examples:/);
  });

  test('invalid flag value: exit 2, names the field, writes nothing', async () => {
    const dir = join(data.dir, 'bad-flags');
    const result = await runCli(['crawl', server.url + '/', '--concurrency', 'lots', '--data-dir', dir]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /fetch\.concurrency/);
    assert.equal(await exists(dir), false, 'nothing written');
  });

  test('invalid config file: exit 2, names the field and what was expected', async () => {
    const file = join(data.dir, 'bad.json');
    await writeFile(file, JSON.stringify({ seeds: [server.url + '/'], politeness: { delayMs: 'slow' } }));
    const result = await runCli(['crawl', '--config', file, '--data-dir', join(data.dir, 'bad-config')]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /politeness\.delayMs: expected number/);
    assert.equal(await exists(join(data.dir, 'bad-config')), false);
  });

  test('unknown command or option: exit 2', async () => {
    assert.equal((await runCli(['crawl', '--no-such-flag'])).code, 2);
    assert.equal((await runCli(['frobnicate'])).code, 2);
  });

  test('crawl → files on disk → export jsonl/csv/json → status', async () => {
    const crawl = await runCli(['crawl', server.url + '/', '--data-dir', data.dir, '--name', 'site', '--workers', '2', '--json']);
    assert.equal(crawl.code, 0, crawl.stderr);
    const summary = JSON.parse(crawl.stdout);
    assert.equal(summary.endReason, 'done');
    assert.equal(summary.pages.ok, 41);
    assert.ok((await readdir(join(data.dir, 'site'))).includes('crawl.json'));

    const jsonl = await runCli(['export', 'site', '--data-dir', data.dir, '--format', 'jsonl']);
    assert.equal(jsonl.code, 0, jsonl.stderr);
    const lines = jsonl.stdout.trim().split('\n').map((line) => JSON.parse(line));
    assert.equal(lines.length, 41);
    assert.ok(lines.every((r) => r.url.startsWith(server.url) && r.outcome === 'ok' && r.title));

    const csv = await runCli(['export', 'site', '--data-dir', data.dir, '--format', 'csv', '--fields', 'url,status,title']);
    assert.equal(csv.code, 0, csv.stderr);
    const rows = csv.stdout.trim().split(/\r?\n/);
    assert.equal(rows[0], 'url,status,title');
    assert.equal(rows.length, 42);

    const out = join(data.dir, 'pages.json');
    const json = await runCli(['export', 'site', '--data-dir', data.dir, '--format', 'json', '--out', out]);
    assert.equal(json.code, 0, json.stderr);
    assert.equal(JSON.parse(await readFile(out, 'utf8')).length, 41);

    const badField = await runCli(['export', 'site', '--data-dir', data.dir, '--fields', 'url,nope']);
    assert.equal(badField.code, 2);
    assert.match(badField.stderr, /nope/);

    const status = await runCli(['status', 'site', '--data-dir', data.dir, '--json']);
    assert.equal(status.code, 0, status.stderr);
    const parsed = JSON.parse(status.stdout);
    assert.equal(parsed.pages.ok, 41);
    assert.equal(parsed.queued, 0);
    assert.equal(parsed.lastRun.endReason, 'done');
  });

  test('an extractor module that cannot load stops the crawl: exit 2, named in the message', async () => {
    const module = join(data.dir, 'broken-extractor.mjs');
    await writeFile(module, 'export default function (\n');
    const config = join(data.dir, 'broken-extractor.json');
    await writeFile(config, JSON.stringify({ seeds: [server.url + '/'], extract: { module } }));
    const result = await runCli(['crawl', '--config', config, '--data-dir', data.dir, '--name', 'broken-extractor', '--workers', '1']);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /broken-extractor\.mjs/);
  });

  test('--replay with --redis is refused: exit 2', async () => {
    const result = await runCli(['crawl', '--replay', 'test/fixtures/replay/demo-site.json', '--redis', 'redis://127.0.0.1:1', '--crawl-id', 'x', '--data-dir', data.dir]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /cannot be combined with --redis/);
  });

  test('export of a crawl that does not exist: exit 2 with a clear message', async () => {
    const result = await runCli(['export', 'nothing-here', '--data-dir', data.dir]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /no crawl named "nothing-here"/);
  });

  test('--resume finds the crawl in the data directory the config file names', async () => {
    const dataDir = join(data.dir, 'from-file');
    const file = join(data.dir, 'resume.json');
    await writeFile(file, JSON.stringify({ name: 'filed', seeds: [server.url + '/'], dataDir, scope: { maxPages: 10 } }));
    assert.equal((await runCli(['crawl', '--config', file, '--quiet'])).code, 0);
    const resumed = await runCli(['crawl', '--config', file, '--resume', 'filed', '--max-pages', '20', '--quiet']);
    assert.equal(resumed.code, 0, resumed.stderr);
    const status = JSON.parse((await runCli(['status', 'filed', '--data-dir', dataDir, '--json'])).stdout);
    assert.equal(status.pages.total, 20);
  });

  test('SIGINT stops, flushes and exits 130; --resume finishes the crawl', async () => {
    const slow = await startSiteServer({ site: createGeneratedSite({ pages: 300 }), latencyMs: 40 });
    try {
      let stored = false;
      const first = await runCli(['crawl', slow.url + '/', '--data-dir', data.dir, '--name', 'interrupted', '--workers', '1', '--per-host', '2', '--concurrency', '2'], {
        onSpawn: (child) => {
          const poll = setInterval(async () => {
            if (stored || !(await exists(join(data.dir, 'interrupted', 'pages')))) return;
            const files = await readdir(join(data.dir, 'interrupted', 'pages')).catch(() => []);
            // Polls overlap on a loaded machine: only the first to see a segment sends the one SIGINT.
            if (!stored && files.some((f) => f.endsWith('.json'))) {
              stored = true;
              clearInterval(poll);
              child.kill('SIGINT');
            }
          }, 50);
          child.on('close', () => clearInterval(poll));
        },
      });
      assert.equal(first.code, 130, first.stderr);
      const status = JSON.parse((await runCli(['status', 'interrupted', '--data-dir', data.dir, '--json'])).stdout);
      assert.ok(status.pages.total > 0, 'flushed pages kept');
      assert.ok(status.queued > 0, 'queue kept');
      assert.equal(status.lastRun.endReason, 'interrupted');

      const resumed = await runCli(['crawl', '--resume', 'interrupted', '--data-dir', data.dir, '--json', '--concurrency', '16', '--per-host', '16']);
      assert.equal(resumed.code, 0, resumed.stderr);
      const after = JSON.parse((await runCli(['status', 'interrupted', '--data-dir', data.dir, '--json'])).stdout);
      assert.equal(after.pages.total, 301, 'every page stored once after resume');
      assert.equal(after.queued, 0);
    } finally {
      await slow.close();
    }
  });
});

describe('skein demo', () => {
  test('serves the bundled site and crawls it completely, offline', async () => {
    const data = await tempDataDir();
    try {
      const result = await runCli(['demo', '--pages', '60', '--data-dir', data.dir, '--json', '--workers', '1']);
      assert.equal(result.code, 0, result.stderr);
      const summary = JSON.parse(result.stdout);
      assert.equal(summary.name, 'demo');
      assert.equal(summary.endReason, 'done');
      assert.equal(summary.pages.ok, 61, 'home + 60 pages');
      const again = await runCli(['demo', '--pages', '60', '--data-dir', data.dir, '--json', '--workers', '1']);
      assert.equal(again.code, 0, 'a second demo run starts fresh');
    } finally {
      await data.cleanup();
    }
  });
});
