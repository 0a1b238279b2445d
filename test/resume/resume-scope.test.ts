/**
 * Resuming with other settings: a scope change is refused (exit 2, names the
 * setting, changes nothing) unless --force; other settings may change and are
 * stored. `skein resume <name>` is the same command as `skein crawl --resume`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { access, cp, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createGeneratedSite } from '../../src/demo/generated-site.js';
import { startSiteServer, type SiteServer } from '../../src/demo/site-server.js';
import { resumeAsCrawlArgs } from '../../src/cli/resume-command.js';
import { tempDataDir } from '../helpers/crawl-helpers.js';
import { interruptedCrawl } from '../helpers/resume-cli.js';
import { duplicates, readRawState, snapshotTree } from '../helpers/resume-state.js';
import { runCli } from '../helpers/run-cli.js';

describe('resume with changed settings', () => {
  let server: SiteServer;
  let data: Awaited<ReturnType<typeof tempDataDir>>;
  const storedConfig = async (name: string) => JSON.parse(await readFile(path.join(data.dir, name, 'crawl.json'), 'utf8')).config;

  /** Runs skein, expects exit 2 with `message`, and checks the crawl's files did not change. */
  async function refused(args: string[], name: string, message: RegExp): Promise<void> {
    const before = await snapshotTree(path.join(data.dir, name));
    const result = await runCli([...args, '--data-dir', data.dir, '-q']);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, message);
    assert.deepEqual(await snapshotTree(path.join(data.dir, name)), before, 'nothing on disk changed');
  }

  before(async () => {
    server = await startSiteServer({ site: createGeneratedSite({ pages: 400, pageBytes: 4_000, linksPerPage: 30 }) });
    data = await tempDataDir();
    await interruptedCrawl(data.dir, 'site', `${server.url}/`, 2);
    await cp(path.join(data.dir, 'site'), path.join(data.dir, 'forced'), { recursive: true });
  });
  after(async () => {
    await server.close();
    await data.cleanup();
  });

  test('resume <name> [flags] stands for crawl --resume <name> [flags]', () => {
    assert.deepEqual(resumeAsCrawlArgs('site', ['--concurrency', '4', '--json']), ['--resume', 'site', '--concurrency', '4', '--json']);
  });

  test('skein --help lists resume; resume --help explains --force and the exit codes', async () => {
    assert.match((await runCli(['--help'])).stdout, /\bresume <name>.*same as: skein crawl --resume/s);
    const help = await runCli(['resume', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--force/);
    assert.match(help.stdout, /1 the stored state is damaged/);
  });

  test('a changed scope setting is refused with exit 2, naming it and --force', async () => {
    await refused(['crawl', '--resume', 'site', '--max-depth', '2'], 'site', /scope\.maxDepth.*differs from the stored crawl \(10 → 2\).*--force/);
    await refused(['resume', 'site', '--exclude', '**/p/1*'], 'site', /scope\.exclude.*--force/);
    await refused(['resume', 'site', '--scope', 'any'], 'site', /scope\.mode/);
    await refused(['crawl', '--resume', 'site', `${server.url}/p/3`], 'site', /seeds.*--force/);
  });

  test('--fresh with --resume is refused (it would delete the crawl)', async () => {
    await refused(['crawl', '--resume', 'site', '--fresh'], 'site', /fresh.*cannot be combined with --resume/);
    await access(path.join(data.dir, 'site', 'crawl.json'));
  });

  test('resuming a crawl that does not exist: exit 2', async () => {
    const result = await runCli(['resume', 'nothing-here', '--data-dir', data.dir]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /no stored crawl named "nothing-here"/);
  });

  test('--force accepts a scope change and stores it', async () => {
    const result = await runCli(['resume', 'forced', '--max-depth', '1', '--force', '--data-dir', data.dir, '--json']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal((await storedConfig('forced')).scope.maxDepth, 1);
  });

  test('other settings may change: skein resume --concurrency 4 finishes the crawl and stores the setting', async () => {
    assert.notEqual((await storedConfig('site')).fetch.concurrency, 4);
    const result = await runCli(['resume', 'site', '--concurrency', '4', '--data-dir', data.dir, '--json']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).endReason, 'done');
    assert.equal((await storedConfig('site')).fetch.concurrency, 4);
    const state = await readRawState(path.join(data.dir, 'site'));
    assert.deepEqual(duplicates(state.pageKeys), []);
    assert.equal(state.pageKeys.length, 401);
  });
});
