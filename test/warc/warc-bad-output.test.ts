/**
 * Where WARC files cannot go: a directory that cannot be written is a config
 * error at start-up (exit 2, nothing written); a disk that fills up during the
 * crawl stops it with a message and exit 1, and what is on disk is whole
 * (every file parses, every stored page has its response).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
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

// Node 20's recursive mkdir loops for ever on /proc/x (mkdir answers ENOENT, the parent exists):
// each try is killed after 20 s, so a hang fails as a null exit code.
const unwritable: Array<{ what: string; dir: (tmp: string) => string; skip?: string | false }> = [
  { what: 'a directory that cannot be created (/proc/x)', dir: () => '/proc/x/warc', skip: existsSync('/proc/self') ? false : 'no /proc' },
  { what: 'an existing directory no file can be written in (/proc)', dir: () => '/proc', skip: existsSync('/proc/self') ? false : 'no /proc' },
  { what: 'a file where the directory should be', dir: (tmp) => path.join(tmp, 'a-file') },
];

for (const { what, dir, skip } of unwritable) {
  test(`--warc to ${what}: exit 2 at once, one message naming output.warc.dir, nothing written`, { skip }, async () => {
    const data = await tempDataDir();
    try {
      await writeFile(path.join(data.dir, 'a-file'), 'not a directory');
      const warc = dir(data.dir);
      const result = await runCli(['crawl', 'http://127.0.0.1:9/', '--data-dir', path.join(data.dir, 'crawls'), '--warc', warc, '-q'], { timeoutMs: 20_000 });
      assert.equal(result.code, 2, `exit ${result.code} ${result.signal ?? ''} ${result.stderr}`);
      assert.match(result.stderr, new RegExp(`output\\.warc\\.dir: cannot write WARC files to "${warc.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`));
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.deepEqual((await readdir(data.dir)).sort(), ['a-file'], 'no crawl directory was made');
    } finally {
      await data.cleanup();
    }
  });
}

test('--warc to a read-only directory (or one below it): exit 2, nothing written', { skip: canMount || process.getuid?.() !== 0 ? false : 'root without unshare -m' }, async () => {
  const data = await tempDataDir();
  try {
    const ro = path.join(data.dir, 'ro');
    await mkdir(ro);
    const crawls = path.join(data.dir, 'crawls');
    for (const warc of [ro, path.join(ro, 'new', 'warc')]) {
      const args = [SKEIN_BIN, 'crawl', 'http://127.0.0.1:9/', '--data-dir', crawls, '--warc', warc, '-q'];
      let result: { status: number | null; stderr: string };
      if (canMount) {
        // root writes anywhere a mode allows nothing: a read-only tmpfs, private to this command.
        const script = 'mount -t tmpfs -o ro,size=64k tmpfs "$1" || exit 99; shift; exec "$@"';
        result = spawnSync('unshare', ['-m', 'sh', '-c', script, 'sh', ro, process.execPath, ...args], { encoding: 'utf8', timeout: 20_000 });
      } else {
        await chmod(ro, 0o555);
        result = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 20_000 });
      }
      assert.equal(result.status, 2, result.stderr);
      assert.match(result.stderr, /output\.warc\.dir: cannot write WARC files to ".*ro.*": E(ROFS|ACCES)/);
    }
    assert.deepEqual(await readdir(ro), [], 'nothing was created in it');
    assert.deepEqual((await readdir(data.dir)).sort(), ['ro'], 'no crawl directory was made');
  } finally {
    await chmod(path.join(data.dir, 'ro'), 0o755).catch(() => undefined);
    await data.cleanup();
  }
});

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
