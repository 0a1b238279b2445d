/**
 * Every command skein prints for the user to paste (after a crawl, in an
 * error) is pasted into a shell here, as a user would, and must do what it
 * says: keep the data directory (one with a space in its name), raise a limit
 * that was reached, resume an interrupted crawl, find a crawl whose config
 * file names a relative data directory, and never tell a distributed node to
 * --resume.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createGeneratedSite } from '../../src/demo/generated-site.js';
import { startSiteServer, type SiteServer } from '../../src/demo/site-server.js';
import { tempDirs } from '../helpers/crawl-helpers.js';
import { startRedisServer } from '../helpers/redis-server.js';
import { segmentNames } from '../helpers/resume-state.js';
import { runCli, runPasted, type CliResult } from '../helpers/run-cli.js';
import { waitFor } from '../helpers/wait-for.js';

/** The `skein …` commands in a summary or message, in order. */
function printedCommands(text: string): string[] {
  return [...text.matchAll(/(?:with|go on):? `?(skein [^)`\n]+)/g)].map((m) => m[1]!.trim());
}

/** The one printed command that starts with `prefix`. */
function printed(result: CliResult, prefix: string): string {
  const found = printedCommands(result.stderr).filter((c) => c.startsWith(prefix));
  assert.equal(found.length, 1, `one "${prefix}" command in:\n${result.stderr}`);
  return found[0]!;
}

async function status(name: string, dataDir: string): Promise<{ pages: { ok: number; total: number }; queued: number }> {
  const result = await runCli(['status', name, '--data-dir', dataDir, '--json']);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout);
}

describe('the commands printed after a crawl work when pasted', () => {
  const newDir = tempDirs();
  let site: SiteServer;
  before(async () => {
    site = await startSiteServer({ site: createGeneratedSite({ pages: 40 }) });
  });
  after(() => site.close());

  test('a max-pages end prints a raise-the-limit resume that fetches more, in the same data dir', async () => {
    const dataDir = join(await newDir(), 'my crawls');
    const first = await runCli(['crawl', `${site.url}/`, '--name', 'limited', '--data-dir', dataDir, '--max-pages', '5', '--workers', '1']);
    assert.equal(first.code, 0, first.stderr);
    assert.doesNotMatch(first.stderr, /continue with/, 'no plain resume: it would fetch nothing');
    const raise = printed(first, 'skein resume');
    assert.equal(raise, `skein resume limited --max-pages 10 --data-dir '${dataDir}'`);
    const resumed = await runPasted(raise);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal((await status('limited', dataDir)).pages.ok, 10, 'the pasted resume fetched 5 more pages');

    const exported = await runPasted(printed(resumed, 'skein export'));
    assert.equal(exported.code, 0, exported.stderr);
    assert.equal(exported.stdout.trim().split('\n').length, 10);
  });

  test('an interrupted crawl (SIGHUP: the terminal closed) prints a resume that finishes it', async () => {
    const dataDir = await newDir();
    const slow = await startSiteServer({ site: createGeneratedSite({ pages: 200 }), latencyMs: 30 });
    try {
      const args = ['crawl', `${slow.url}/`, '--name', 'hup', '--data-dir', dataDir, '--concurrency', '2', '--per-host', '2', '--workers', '1'];
      const first = await runCli(args, {
        onSpawn: (child) => {
          void waitFor('a page segment', async () => (await segmentNames(join(dataDir, 'hup', 'pages'))).length > 0).then(() => child.kill('SIGHUP'));
        },
      });
      assert.equal(first.code, 130, first.stderr);
      assert.match(first.stderr, /stopping \(SIGHUP\)/);
      const before = await status('hup', dataDir);
      assert.ok(before.queued > 0 && before.pages.total > 0, 'flushed and resumable');
      const resumed = await runPasted(printed(first, 'skein resume'));
      assert.equal(resumed.code, 0, resumed.stderr);
      const done = await status('hup', dataDir);
      assert.deepEqual([done.pages.ok, done.queued], [201, 0]);
    } finally {
      await slow.close();
    }
  });

  test('a relative dataDir in a config file is relative to the file; the printed commands find the crawl', async () => {
    const cwd = await newDir();
    await mkdir(join(cwd, 'project'));
    await writeFile(join(cwd, 'project', 'site.json'), JSON.stringify({ name: 'filed', seeds: [`${site.url}/`], dataDir: 'crawls', scope: { maxPages: 3 } }));
    const first = await runCli(['crawl', '--config', 'project/site.json', '--workers', '1'], { cwd });
    assert.equal(first.code, 0, first.stderr);
    assert.equal((await status('filed', join(cwd, 'project', 'crawls'))).pages.total, 3, 'stored next to the config file');
    const raise = printed(first, 'skein resume');
    assert.match(raise, / --data-dir project\/crawls$/);
    assert.equal((await runPasted(raise, { cwd })).code, 0);
    assert.equal((await status('filed', join(cwd, 'project', 'crawls'))).pages.total, 6);
    const exported = await runPasted(printed(first, 'skein export'), { cwd });
    assert.equal(exported.stdout.trim().split('\n').length, 6, exported.stderr);
  });

  test('crawling a name that exists prints a resume command that works', async () => {
    const dataDir = await newDir();
    const args = ['crawl', `${site.url}/`, '--name', 'twice', '--data-dir', dataDir, '--max-pages', '2', '--workers', '1', '-q'];
    assert.equal((await runCli(args)).code, 0);
    const again = await runCli(args);
    assert.equal(again.code, 2);
    const resume = printed(again, 'skein resume');
    assert.equal(resume, `skein resume twice --data-dir ${dataDir}`);
    assert.equal((await runPasted(`${resume} --max-pages 4`)).code, 0);
    assert.equal((await status('twice', dataDir)).pages.total, 4);
  });
});

const redis = await startRedisServer();
describe('a node of a distributed crawl', { skip: redis.ok ? false : redis.reason }, () => {
  const newDir = tempDirs();
  after(() => (redis.ok ? redis.stop() : undefined));

  test('is never told to --resume; its export command finds the node stores', async () => {
    assert.ok(redis.ok);
    const site = await startSiteServer({ site: createGeneratedSite({ pages: 20 }) });
    try {
      const dataDir = await newDir();
      const args = ['crawl', `${site.url}/`, '--redis', redis.url, '--crawl-id', 'hints-node', '--data-dir', dataDir, '--max-pages', '4', '--parser', 'inline'];
      const node = await runCli(args);
      assert.equal(node.code, 0, node.stderr);
      assert.doesNotMatch(node.stderr, /resume/);
      assert.match(node.stderr, /still queued in the shared crawl: \d+ \(this node rejoins it when the same command runs again\)/);
      const exported = await runPasted(printed(node, 'skein export'));
      assert.equal(exported.code, 0, exported.stderr);
      assert.equal(exported.stdout.trim().split('\n').length, 4);
    } finally {
      await site.close();
    }
  });
});
