/**
 * Edges a user meets on a first crawl, through the built binary: URL patterns
 * that can never match, include/exclude and the seeds, export into a missing
 * folder, resume under another name, and the settings a resume changes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { access, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { htmlPage, startScriptedSite, type ScriptedSite } from '../helpers/faults-site.js';
import { storedRecords, tempDirs } from '../helpers/crawl-helpers.js';
import { runCli } from '../helpers/run-cli.js';

const exists = (path: string) => access(path).then(() => true, () => false);

describe('first-crawl edges (built CLI)', () => {
  const newDir = tempDirs();
  let site: ScriptedSite;
  before(async () => {
    site = await startScriptedSite({
      '/': { body: htmlPage('home', ['/ok/a', '/no/b', '/files/x.pdf']) },
      '/ok/a': { body: htmlPage('ok a', ['/ok/c', '/no/d']) },
      '/ok/c': { body: htmlPage('ok c') },
      '/no/b': { body: htmlPage('no b') },
      '/no/d': { body: htmlPage('no d') },
    });
  });
  after(() => site.close());

  test('--exclude "*.pdf" can never match a whole URL: refused (exit 2) with the pattern meant, nothing written', async () => {
    const dataDir = await newDir();
    const result = await runCli(['crawl', `${site.url}/`, '--exclude', '*.pdf', '--data-dir', dataDir]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /scope\.exclude\[0\]: glob "\*\.pdf" can never match.*write "\*\*\/\*\.pdf"/);
    assert.deepEqual(await readdir(dataDir), []);
  });

  test('a data dir that cannot be created or written is a config error (exit 2) naming dataDir, at once, nothing written', async () => {
    const dataDir = await newDir();
    await writeFile(join(dataDir, 'a-file'), 'not a directory');
    // /proc/x made Node 20's recursive mkdir loop for ever; a file in the way, at the path or above it.
    const dirs = [join(dataDir, 'a-file'), join(dataDir, 'a-file', 'crawls'), ...(existsSync('/proc/self') ? ['/proc/x', '/proc'] : [])];
    for (const dir of dirs) {
      const result = await runCli(['crawl', `${site.url}/`, '--data-dir', dir, '-q'], { timeoutMs: 20_000 });
      assert.equal(result.code, 2, `${dir}: exit ${result.code} ${result.signal ?? ''} ${result.stderr}`);
      assert.match(result.stderr, new RegExp(`dataDir: cannot store crawls in "${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`));
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    }
    assert.deepEqual(await readdir(dataDir), ['a-file'], 'nothing written');
  });

  test('--include filters the links found, never the seed: the seed and the matching links are crawled', async () => {
    const dataDir = await newDir();
    const result = await runCli(['crawl', `${site.url}/`, '--include', '**/ok/**', '--name', 'inc', '--data-dir', dataDir, '--workers', '1', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const records = await storedRecords(dataDir, 'inc');
    assert.deepEqual([...records.keys()].sort(), ['/', '/ok/a', '/ok/c'].map((p) => site.url + p));
    assert.ok([...records.values()].every((r) => r.outcome === 'ok'));
    const help = await runCli(['crawl', '--help']);
    assert.match(help.stdout, /--include <pattern\.\.\.>\s+follow only links matching[^]*seeds are always fetched/);
  });

  test('a crawl that fetches nothing says why, loudly, and exits 4: robots.txt disallows the seed', async () => {
    const closed = await startScriptedSite({ '/robots.txt': { type: 'text/plain', body: 'User-agent: *\nDisallow: /\n' }, '/': { body: htmlPage('home') } });
    try {
      const dataDir = await newDir();
      const result = await runCli(['crawl', `${closed.url}/`, '--name', 'closed', '--data-dir', dataDir, '--workers', '1']);
      assert.equal(result.code, 4, result.stderr);
      assert.match(result.stderr, /pages: 0 ok, 0 failed, 1 skipped; 0 fetched/);
      assert.match(result.stderr, new RegExp(`nothing crawled: robots\\.txt disallows every seed:\n\\s+${closed.url.replace(/[.]/g, '\\.')}/: robots: disallowed by rule /`));
      assert.equal(closed.pageHits().length, 0);
    } finally {
      await closed.close();
    }
  });

  test('export --out into a missing folder names the path given, not a temp file (exit 2)', async () => {
    const dataDir = await newDir();
    assert.equal((await runCli(['crawl', `${site.url}/`, '--name', 'ex', '--data-dir', dataDir, '--workers', '1', '-q'])).code, 0);
    const out = join(dataDir, 'no-such-folder', 'pages.jsonl');
    const result = await runCli(['export', 'ex', '--data-dir', dataDir, '--out', out]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, new RegExp(`cannot write ${out.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: the folder .*no-such-folder does not exist`));
    assert.doesNotMatch(result.stderr, /\.tmp-/);
    assert.equal(await exists(join(dataDir, 'no-such-folder')), false);
  });

  test('resume NAME --name other is refused; a resume lists the settings it changes on one line', async () => {
    const dataDir = await newDir();
    // No --name: the stored config has none (derived from the seed), which is not a change.
    const first = await runCli(['crawl', `${site.url}/`, '--data-dir', dataDir, '--max-pages', '2', '--concurrency', '8', '--workers', '1', '-q']);
    assert.equal(first.code, 0, first.stderr);
    const name = `127.0.0.1-${new URL(site.url).port}`;
    const renamed = await runCli(['resume', name, '--name', 'other', '--data-dir', dataDir]);
    assert.equal(renamed.code, 2);
    assert.match(renamed.stderr, new RegExp(`name: --resume continues the crawl "${name}" under its own name; --name other would start another crawl`));
    assert.equal(await exists(join(dataDir, 'other')), false);

    const resumed = await runCli(['resume', name, '--data-dir', dataDir, '--concurrency', '16', '--max-pages', '4', '--workers', '1']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, new RegExp(`^resuming "${name}" with: max-pages 2 → 4, concurrency 8 → 16$`, 'm'));
    const unchanged = await runCli(['resume', name, '--data-dir', dataDir, '--workers', '1']);
    assert.doesNotMatch(unchanged.stderr, /resuming .* with/);
  });
});
