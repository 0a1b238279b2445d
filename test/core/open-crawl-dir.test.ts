/**
 * Opening a crawl's folder: a new crawl's crawl.json is there at once, the
 * folder appears with it and nothing else is left beside it (a data dir, or a
 * distributed crawl's `nodes/` folder, where every folder must be a node).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../../src/core/errors.js';
import { openCrawlDir } from '../../src/core/open-crawl-dir.js';
import { nodePaths } from '../../src/distributed/node-paths.js';
import { CrawlMeta } from '../../src/store/crawl-meta.js';
import { tempDirs, testConfig } from '../helpers/crawl-helpers.js';

const newDir = tempDirs('skein-open-crawl-dir-');

test('a new crawl: crawl.json with its seeds and one started run, no staging folder left', async () => {
  const dataDir = await newDir();
  const config = testConfig(dataDir, { name: 'site', seeds: ['http://127.0.0.1:9/'] });
  const opened = await openCrawlDir(config);
  assert.equal(opened.runStarted, true);
  assert.deepEqual(await readdir(dataDir), ['site']);
  const meta = await new CrawlMeta(opened.paths.meta).read();
  assert.deepEqual(meta?.config.seeds, ['http://127.0.0.1:9/']);
  assert.equal(meta?.runs.length, 1);
  // The same name again needs resume or fresh.
  await assert.rejects(openCrawlDir(config), (error: unknown) => error instanceof ConfigError && /already holds a crawl named "site"/.test(error.message));
  const resumed = await openCrawlDir(config, { resume: true });
  assert.equal(resumed.runStarted, false, 'a resume records its run when it runs');
});

test('a node of a distributed crawl: its folder gets its crawl.json, the nodes folder holds the node alone', async () => {
  const dataDir = await newDir();
  const config = testConfig(dataDir, { name: 'shared', seeds: ['http://127.0.0.1:9/'] });
  const paths = nodePaths(dataDir, 'shared', 'node-1');
  await openCrawlDir(config, { paths, resume: true });
  assert.deepEqual(await readdir(path.dirname(paths.dir)), ['node-1']);
  assert.ok(await new CrawlMeta(paths.meta).read());
});

test('setup that fails: discard removes a folder this call created', async () => {
  const dataDir = await newDir();
  const opened = await openCrawlDir(testConfig(dataDir, { name: 'gone', seeds: ['http://127.0.0.1:9/'] }));
  await opened.discard();
  assert.deepEqual(await readdir(dataDir), []);
});
