/**
 * Where WARC files cannot go: a directory that cannot be written is a config
 * error at start-up (exit 2, nothing written); a disk that fills up during the
 * crawl stops it with a message and exit 1, and what is on disk is whole
 * (every file parses, every stored page has its response).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createGeneratedSite } from '../../src/demo/generated-site.js';
import { startSiteServer } from '../../src/demo/site-server.js';
import { storedRecords, tempDataDir } from '../helpers/crawl-helpers.js';
import { runCli, SKEIN_BIN } from '../helpers/run-cli.js';
import { readWarc } from '../helpers/read-warc.js';

test('an unwritable WARC directory is a config error naming output.warc.dir, before anything is written', async () => {
  const data = await tempDataDir();
  try {
    const file = path.join(data.dir, 'a-file');
    await writeFile(file, 'not a directory');
    const result = await runCli(['crawl', 'http://127.0.0.1:9/', '--data-dir', path.join(data.dir, 'crawls'), '--warc', path.join(file, 'warc'), '-q']);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /output\.warc\.dir: cannot write WARC files to ".*a-file\/warc"/);
    assert.deepEqual((await readdir(data.dir)).sort(), ['a-file'], 'no crawl directory was made');
  } finally {
    await data.cleanup();
  }
});

const canMount = process.getuid?.() === 0 && spawnSync('unshare', ['-m', 'true']).status === 0;

test('a full disk stops the crawl with a message and exit 1; the WARC files are whole and every stored page is in them', { skip: canMount ? false : 'needs root and unshare -m (a small tmpfs)' }, async () => {
  const data = await tempDataDir();
  const server = await startSiteServer({ site: createGeneratedSite({ pages: 400, pageBytes: 4_000, linksPerPage: 20 }) });
  try {
    const warcDir = path.join(data.dir, 'warc');
    const copy = path.join(data.dir, 'copy');
    await mkdir(warcDir);
    await mkdir(copy);
    // A 160 KiB tmpfs, private to this command: the files are copied out before it goes.
    const crawl = [process.execPath, SKEIN_BIN, 'crawl', `${server.url}/`, '--name', 'full', '--data-dir', data.dir, '--warc', warcDir, '--concurrency', '4', '--workers', '1', '-q'];
    const script = `mount -t tmpfs -o size=160k tmpfs "$1" || exit 99; shift; "$@"; code=$?; cp -a "${warcDir}/." "${copy}/"; exit $code`;
    // Async: the site is served by this process.
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn('unshare', ['-m', 'sh', '-c', script, 'sh', warcDir, ...crawl], { env: { ...process.env, SKEIN_STORE__BATCH_SIZE: '20' }, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stderr });
      });
    });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /cannot write the WARC file .*no space left on the device/);
    const records = await readWarc(copy);
    const responses = new Set(records.filter((r) => r.type === 'response' || r.type === 'revisit').map((r) => r.uri));
    const stored = [...(await storedRecords(data.dir, 'full')).values()].filter((r) => r.fetched !== false);
    assert.ok(stored.length > 0 && stored.length < 400, `${stored.length} pages stored before the disk filled`);
    assert.deepEqual(stored.filter((r) => !responses.has(r.url)).map((r) => r.url), [], 'every stored page has its response');
  } finally {
    await server.close();
    await data.cleanup();
  }
});
