/**
 * The revisit index outlives a run: a payload archived before the crawl was
 * stopped (or killed) and resumed is written as a `revisit` record referring to
 * its first capture in the earlier run's file, not as a second full response;
 * and lines of records a resume cut (a kill between the append and the
 * store's commit) are cut with them, so no revisit refers to a record that is
 * not in the archive.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { tempDataDir } from '../helpers/crawl-helpers.js';
import { runCli } from '../helpers/run-cli.js';
import { checkPairs, checkRevisits, readWarc, warcFiles } from '../helpers/read-warc.js';

// /a and /b serve the same bytes; / links to /a only, /a (and /b) to /b.
const SAME = '<!doctype html><html><head><title>same</title></head><body><p>Identical payload.</p><a href="/b">b</a></body></html>';

test('stopped at max-pages, resumed: an identical payload on a new page is a revisit of the earlier run\'s record', async () => {
  const server = createServer((request, response) => {
    if (request.url === '/') response.writeHead(200, { 'content-type': 'text/html' }).end('<html><body><a href="/a">a</a></body></html>');
    else if (request.url === '/a' || request.url === '/b') response.writeHead(200, { 'content-type': 'text/html' }).end(SAME);
    else response.writeHead(404, { 'content-type': 'text/plain' }).end(`no ${request.url}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const data = await tempDataDir();
  try {
    const warcDir = path.join(data.dir, 'warc');
    const common = ['--data-dir', data.dir, '--concurrency', '1', '--workers', '1', '-q'];
    const first = await runCli(['crawl', `${origin}/`, '--name', 'twice', '--warc', warcDir, '--max-pages', '2', ...common]);
    assert.equal(first.code, 0, first.stderr);
    const resumed = await runCli(['crawl', '--resume', 'twice', '--max-pages', '3', ...common]);
    assert.equal(resumed.code, 0, resumed.stderr);

    const files = await warcFiles(warcDir);
    assert.equal(files.length, 2, 'one file a run');
    const records = await readWarc(warcDir);
    checkPairs(records);
    checkRevisits(records);
    const a = records.find((r) => r.type === 'response' && r.uri === `${origin}/a`);
    assert.ok(a, '/a is archived in full');
    assert.equal(a.file, files[0]);
    const b = records.filter((r) => (r.type === 'response' || r.type === 'revisit') && r.uri === `${origin}/b`);
    assert.equal(b.length, 1, '/b once');
    assert.equal(b[0]!.file, files[1], '/b was fetched by the resumed run');
    assert.equal(b[0]!.type, 'revisit', '/b is a revisit, not a second copy of the payload');
    assert.equal(b[0]!.fields.get('warc-refers-to'), a.id);
    assert.equal(b[0]!.fields.get('warc-refers-to-target-uri'), `${origin}/a`);
    assert.equal(b[0]!.fields.get('warc-profile'), 'http://netpreserve.org/warc/1.1/revisit/identical-payload-digest');
    // The index's lines: one per payload archived in full, none for the revisit.
    const lines = (await readFile(path.join(data.dir, 'twice', 'warc-digests.tsv'), 'utf8')).trim().split('\n');
    const full = records.filter((r) => r.type === 'response' && r.payload.length > 0);
    assert.deepEqual(lines.map((line) => line.split('\t')[1]).sort(), full.map((r) => r.id).sort());
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await data.cleanup();
  }
});
