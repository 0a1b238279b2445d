/**
 * Damaged crawl state (a half-copied or hand-edited file): `skein crawl
 * --resume` exits 1 with a message naming the file (and the field, for a bad
 * config), changes nothing on disk; `skein status` reports what it still can
 * and exits 1. Exit 1, not 2: the flags are fine, the stored state is not.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readFile, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createGeneratedSite } from '../../src/demo/generated-site.js';
import { startSiteServer, type SiteServer } from '../../src/demo/site-server.js';
import { tempDataDir } from '../helpers/crawl-helpers.js';
import { interruptedCrawl } from '../helpers/resume-cli.js';
import { readRawPages, segmentNames, snapshotTree } from '../helpers/resume-state.js';
import { runCli } from '../helpers/run-cli.js';

describe('resume from damaged state', () => {
  let server: SiteServer;
  let data: Awaited<ReturnType<typeof tempDataDir>>;
  /** A copy of the interrupted crawl, to damage. */
  async function copyOfCrawl(name: string): Promise<string> {
    const dir = path.join(data.dir, name);
    await cp(path.join(data.dir, 'original'), dir, { recursive: true, preserveTimestamps: true });
    return dir;
  }
  async function truncateToHalf(file: string): Promise<void> {
    const bytes = (await readFile(file)).length;
    await truncate(file, Math.floor(bytes / 2));
  }
  /** Resumes `name`, expects exit 1 naming `mention`, and checks nothing on disk changed. */
  async function resumeFails(name: string, mention: RegExp): Promise<void> {
    const dir = path.join(data.dir, name);
    const before = await snapshotTree(dir);
    const result = await runCli(['crawl', '--resume', name, '--data-dir', data.dir, '-q']);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, mention);
    assert.match(result.stderr, /left the file untouched/);
    assert.deepEqual(await snapshotTree(dir), before, 'nothing on disk changed');
  }
  async function status(name: string): Promise<{ code: number | null; json: Record<string, any> }> {
    const result = await runCli(['status', name, '--data-dir', data.dir, '--json']);
    return { code: result.code, json: JSON.parse(result.stdout) };
  }

  before(async () => {
    server = await startSiteServer({ site: createGeneratedSite({ pages: 400, pageBytes: 4_000, linksPerPage: 30 }) });
    data = await tempDataDir();
    await interruptedCrawl(data.dir, 'original', `${server.url}/`, 2);
  });
  after(async () => {
    await server.close();
    await data.cleanup();
  });

  test('a truncated pages segment: resume exits 1 naming it; status still shows config and journal', async () => {
    const dir = await copyOfCrawl('pages-cut');
    const segment = path.join(dir, 'pages', (await segmentNames(path.join(dir, 'pages'))).sort()[0]!);
    await truncateToHalf(segment);
    await resumeFails('pages-cut', new RegExp(`corrupt page segment ${escape(segment)}: it is not valid JSON`));
    const { code, json } = await status('pages-cut');
    assert.equal(code, 1);
    assert.deepEqual(json.seeds, [`${server.url}/`]);
    assert.equal(json.pages, undefined, 'no page counts claimed');
    assert.equal(json.queued, undefined, 'no queue size claimed without the page store');
    assert.ok(json.problems.some((p: string) => p.includes(segment)), json.problems.join('\n'));
  });

  test('a truncated frontier segment: resume exits 1 naming it; status still counts pages', async () => {
    const dir = await copyOfCrawl('frontier-cut');
    const segment = path.join(dir, 'frontier', (await segmentNames(path.join(dir, 'frontier'))).sort()[0]!);
    await truncateToHalf(segment);
    await resumeFails('frontier-cut', new RegExp(`corrupt frontier journal segment ${escape(segment)}`));
    const { code, json } = await status('frontier-cut');
    assert.equal(code, 1);
    assert.equal(json.pages.total, (await readRawPages(dir)).pages.length);
    assert.equal(json.queued, undefined);
    assert.ok(json.problems.some((p: string) => p.includes(segment)), json.problems.join('\n'));
  });

  test('a truncated crawl.json: resume exits 1 naming it; status still counts pages and queue', async () => {
    const dir = await copyOfCrawl('meta-cut');
    const meta = path.join(dir, 'crawl.json');
    await truncateToHalf(meta);
    await resumeFails('meta-cut', new RegExp(`corrupt crawl metadata ${escape(meta)}: it is not valid JSON`));
    const { code, json } = await status('meta-cut');
    assert.equal(code, 1);
    assert.equal(json.pages.total, (await readRawPages(dir)).pages.length);
    assert.ok(json.queued > 0);
    assert.equal(json.seeds, undefined);
    assert.ok(json.problems.some((p: string) => p.includes(meta)));
  });

  test('a hand-edited crawl.json with an invalid config value: the message names the field', async () => {
    const dir = await copyOfCrawl('meta-edited');
    const meta = path.join(dir, 'crawl.json');
    const stored = JSON.parse(await readFile(meta, 'utf8'));
    stored.config.fetch.concurrency = 'lots';
    await writeFile(meta, JSON.stringify(stored, null, 2));
    await resumeFails('meta-edited', /crawl\.json: "config\.fetch\.concurrency": /);
    const { code, json } = await status('meta-edited');
    assert.equal(code, 1);
    assert.ok(json.problems.some((p: string) => p.includes('config.fetch.concurrency')));
  });

  test('the undamaged original still resumes to the end', async () => {
    const result = await runCli(['crawl', '--resume', 'original', '--data-dir', data.dir, '--json']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).endReason, 'done');
    const { json } = await status('original');
    assert.equal(json.pages.total, 401);
    assert.equal(json.queued, 0);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
