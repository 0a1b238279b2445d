/**
 * A resume that widens the scope really crawls what the wider scope holds:
 * `skein resume NAME --max-depth 4 --force` after a crawl at depth 2, or an
 * exclude dropped with `--no-exclude --force`, ends with the pages a fresh
 * crawl with the wider scope stores, none fetched twice, and links no scope
 * may follow (rel=nofollow) still not followed. A crawl that did not keep its
 * links refuses such a resume instead of claiming a scope it did not crawl.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { htmlPage, startScriptedSite, type ScriptedSite, type SiteRoute } from '../helpers/faults-site.js';
import { storedRecords, tempDirs } from '../helpers/crawl-helpers.js';
import { snapshotTree } from '../helpers/resume-state.js';
import { runCli } from '../helpers/run-cli.js';

/** A binary tree of pages 6 levels deep; each also links an /x/ page and a rel=nofollow /nf/ page. */
function treeSite(): Record<string, SiteRoute> {
  const routes: Record<string, SiteRoute> = {};
  const node = (depth: number, i: number) => (depth === 0 ? '/' : `/t/${depth}/${i}`);
  for (let depth = 0; depth <= 6; depth++) {
    for (let i = 0; i < 2 ** depth; i++) {
      const children = depth < 6 ? [node(depth + 1, 2 * i), node(depth + 1, 2 * i + 1)] : [];
      routes[node(depth, i)] = { body: htmlPage(`t${depth}-${i}`, [...children, `/x/${depth}-${i}`, `/nf/${depth}-${i}|nofollow`]) };
      routes[`/x/${depth}-${i}`] = { body: htmlPage(`x${depth}-${i}`) };
      routes[`/nf/${depth}-${i}`] = { body: htmlPage(`nf${depth}-${i}`) };
    }
  }
  return routes;
}

describe('resuming with a wider scope', () => {
  const newDir = tempDirs();
  let site: ScriptedSite;
  let dataDir: string;
  const common = () => ['--data-dir', dataDir, '--workers', '1', '--no-sitemaps', '-q'];
  const keys = async (name: string) => [...(await storedRecords(dataDir, name)).keys()].sort();
  /** Requests per path so far. */
  const hits = () => {
    const counts = new Map<string, number>();
    for (const hit of site.pageHits()) counts.set(hit.path, (counts.get(hit.path) ?? 0) + 1);
    return counts;
  };

  before(async () => {
    site = await startScriptedSite(treeSite());
    dataDir = await newDir();
  });
  after(() => site.close());

  test('--max-depth 2 → 4 --force crawls depths 3 and 4: the same pages as a fresh depth-4 crawl, none fetched twice', async () => {
    assert.equal((await runCli(['crawl', `${site.url}/`, '--name', 'deep', '--max-depth', '2', ...common()])).code, 0);
    const shallow = await keys('deep');
    const before = hits();
    const resumed = await runCli(['resume', 'deep', '--max-depth', '4', '--force', '--data-dir', dataDir, '--workers', '1', '--json']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, /the scope changed \(scope\.maxDepth 2 → 4\): checking the links of \d+ stored pages again/);
    assert.ok(JSON.parse(resumed.stdout).pages.ok > 0, 'the resume fetched pages');
    for (const [p, n] of hits()) assert.equal(n, before.get(p) ?? 1, `${p} fetched once`);

    assert.equal((await runCli(['crawl', `${site.url}/`, '--name', 'fresh4', '--max-depth', '4', ...common()])).code, 0);
    const widened = await keys('deep');
    assert.deepEqual(widened, await keys('fresh4'));
    assert.ok(widened.length > shallow.length + 20);
    assert.ok(widened.includes(`${site.url}/t/4/15`) && !widened.includes(`${site.url}/t/5/0`));
    assert.ok(!widened.some((k) => k.includes('/nf/')), 'rel=nofollow links stay unfollowed');
    const status = JSON.parse((await runCli(['status', 'deep', '--data-dir', dataDir, '--json'])).stdout);
    assert.deepEqual([status.scope.maxDepth, status.queued], [4, 0]);
  });

  test('--no-exclude --force crawls what the exclude kept out: the same pages as a fresh crawl without it', async () => {
    const args = ['--max-depth', '3', ...common()];
    assert.equal((await runCli(['crawl', `${site.url}/`, '--name', 'excl', '--exclude', '**/x/**', ...args])).code, 0);
    assert.ok(!(await keys('excl')).some((k) => k.includes('/x/')));
    const resumed = await runCli(['resume', 'excl', '--no-exclude', '--force', '--data-dir', dataDir, '--workers', '1']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, /resuming "excl" with: exclude \["\*\*\/x\/\*\*"\] → \[\]/);
    assert.equal((await runCli(['crawl', `${site.url}/`, '--name', 'noexcl', ...args])).code, 0);
    assert.deepEqual(await keys('excl'), await keys('noexcl'));
  });

  test('a crawl that did not store its links refuses a wider scope (exit 2, nothing changed); a narrower one is accepted', async () => {
    const config = path.join(dataDir, 'nolinks.json');
    await import('node:fs/promises').then((fs) => fs.writeFile(config, JSON.stringify({ extract: { links: false } })));
    assert.equal((await runCli(['crawl', `${site.url}/`, '--name', 'nolinks', '--config', config, '--max-depth', '1', ...common()])).code, 0);
    const before = await snapshotTree(path.join(dataDir, 'nolinks'));
    const refused = await runCli(['resume', 'nolinks', '--max-depth', '3', '--force', '--data-dir', dataDir]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /scope\.maxDepth: 1 → 3 may widen the scope, but this crawl did not store its pages' links \(extract\.links: false\)/);
    assert.deepEqual(await snapshotTree(path.join(dataDir, 'nolinks')), before, 'nothing on disk changed');
    const narrower = await runCli(['resume', 'nolinks', '--max-depth', '0', '--force', '--data-dir', dataDir, '--workers', '1']);
    assert.equal(narrower.code, 0, narrower.stderr);
  });
});
