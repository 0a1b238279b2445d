/**
 * The record format's building blocks, and the WARC files' crash safety: a
 * tail past the committed length (a torn record, or records of pages the
 * store did not commit) is cut when the crawl resumes, and each run writes a
 * new file.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { appendFile, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DigestIndex } from '../../src/warc/warc-digest-index.js';
import { WarcFiles, fileName, type WarcFilesOptions } from '../../src/warc/warc-files.js';
import { base32, rewriteHeadValues, serializeRecord, sha1Digest, warcDate } from '../../src/warc/warc-record.js';
import { tempDirs } from '../helpers/crawl-helpers.js';
import { readWarc } from '../helpers/read-warc.js';

describe('WARC record format', () => {
  test('base32 SHA-1 digests (RFC 4648 vectors, and the empty payload every archive tool knows)', () => {
    assert.equal(base32(Buffer.from('foobar')), 'MZXW6YTBOI======');
    assert.equal(base32(Buffer.from('f')), 'MY======');
    assert.equal(sha1Digest(Buffer.alloc(0)), 'sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ');
    assert.equal(sha1Digest(Buffer.from('ab'), Buffer.from('c')), sha1Digest(Buffer.from('abc')));
  });

  test('dates carry milliseconds; field values stay on one line', () => {
    assert.equal(warcDate(Date.UTC(2026, 11, 3, 7, 38, 55, 7)), '2026-12-03T07:38:55.007Z');
    const bytes = Buffer.concat(serializeRecord([['WARC-Type', 'metadata'], ['note', 'a\r\nWARC-Type: forged']], [Buffer.from('xy')]));
    assert.match(bytes.toString(), /^WARC\/1\.1\r\nWARC-Type: metadata\r\nnote: a WARC-Type: forged\r\nContent-Length: 2\r\n\r\nxy\r\n\r\n$/);
  });

  test('a request head keeps its request line and names; only values are rewritten', () => {
    const head = 'GET /a HTTP/1.1\r\nAuthorization: Bearer t0ken\r\nHost: x\r\n\r\n';
    assert.equal(rewriteHeadValues(head, (name, value) => (name === 'Authorization' ? '[redacted]' : value)), 'GET /a HTTP/1.1\r\nAuthorization: [redacted]\r\nHost: x\r\n\r\n');
  });
});

describe('WARC files', () => {
  const newDir = tempDirs('skein-warc-');
  const record = (n: number): Buffer => gzipSync(Buffer.concat(serializeRecord([['WARC-Type', 'metadata'], ['WARC-Record-ID', `<urn:uuid:00000000-0000-4000-8000-${String(n).padStart(12, '0')}>`], ['WARC-Block-Digest', sha1Digest(Buffer.from(`n=${n}`))]], [Buffer.from(`n=${n}`)])));
  const options = (dir: string): WarcFilesOptions => ({
    dir: path.join(dir, 'warc'),
    statePath: path.join(dir, 'warc-state.json'),
    prefix: 'crawl',
    gzip: true,
    maxFileBytes: 10_000,
    warcinfo: (name) => gzipSync(Buffer.concat(serializeRecord([['WARC-Type', 'warcinfo'], ['WARC-Record-ID', '<urn:uuid:00000000-0000-4000-8000-000000000000>'], ['WARC-Filename', name], ['WARC-Block-Digest', sha1Digest(Buffer.alloc(0))]], []))),
  });

  test('file names: prefix, timestamp, serial, node id', () => {
    assert.equal(fileName({ prefix: 'site', gzip: true }, 3, Date.UTC(2026, 0, 2, 3, 4, 5, 6)), 'site-20260102030405006-00003.warc.gz');
    assert.equal(fileName({ prefix: 'site', gzip: false, nodeId: 'n1' }, 1, 0), 'site-19700101000000000-00001-n1.warc');
  });

  test('a torn tail past the committed length is cut on resume; the resumed run writes a new file', async () => {
    const dir = await newDir();
    const { files } = await WarcFiles.open(options(dir), 0);
    await files.append([record(1), record(2)], 2);
    files.confirm();
    await files.append([record(3)], 3);
    const file = files.current!;
    const committed = (await stat(file)).size;
    // A kill in the middle of the next append.
    await appendFile(file, record(4).subarray(0, 20));
    // The store committed the batch of record 3 (3 pages): that length holds.
    const reopened = await WarcFiles.open(options(dir), 3);
    assert.deepEqual(reopened.recovered, { file, cutBytes: 20 });
    assert.equal((await stat(file)).size, committed);
    await reopened.files.append([record(5)], 4);
    await reopened.files.close();
    const names = (await readdir(path.join(dir, 'warc'))).sort();
    assert.equal(names.length, 2);
    assert.match(names[1]!, /-00002\.warc\.gz$/);
    const read = await readWarc(path.join(dir, 'warc'));
    assert.deepEqual(read.filter((r) => r.type === 'metadata').map((r) => r.payload.toString()), ['n=1', 'n=2', 'n=3', 'n=5']);
  });

  test('a file a kill left before its warcinfo (empty, nothing committed) is removed on resume', async () => {
    const dir = await newDir();
    const { files } = await WarcFiles.open(options(dir), 0);
    await files.append([record(1)], 1);
    files.confirm();
    await files.close();
    // Killed while rotating: the state names the new file, created but still empty.
    const state = JSON.parse(await readFile(path.join(dir, 'warc-state.json'), 'utf8')) as { file: string; serial: number };
    const empty = path.join(dir, 'warc', fileName(options(dir), state.serial + 1, Date.now()));
    await writeFile(empty, '');
    await writeFile(path.join(dir, 'warc-state.json'), JSON.stringify({ ...state, version: 1, file: empty, serial: state.serial + 1, length: 0, confirmedLength: 0, storeSize: 1 }));
    const reopened = await WarcFiles.open(options(dir), 1);
    assert.equal(reopened.recovered, undefined, 'nothing to report: no record was cut');
    assert.deepEqual(await readdir(path.join(dir, 'warc')), [path.basename(state.file)]);
    await reopened.files.append([record(2)], 2);
    await reopened.files.close();
    const read = await readWarc(path.join(dir, 'warc'));
    assert.deepEqual(read.filter((r) => r.type === 'metadata').map((r) => r.payload.toString()), ['n=1', 'n=2']);
  });

  test('records of a batch whose pages the store never committed are cut back to the confirmed length', async () => {
    const dir = await newDir();
    const { files } = await WarcFiles.open(options(dir), 0);
    await files.append([record(1)], 1);
    files.confirm();
    const file = files.current!;
    const confirmed = (await stat(file)).size;
    await files.append([record(2)], 2); // killed before the store committed page 2
    const reopened = await WarcFiles.open(options(dir), 1);
    assert.equal(reopened.recovered?.cutBytes, record(2).length);
    assert.equal((await stat(file)).size, confirmed);
    assert.equal(JSON.parse(await readFile(path.join(dir, 'warc-state.json'), 'utf8')).file, file);
  });

  test('the revisit index\'s lines are cut with the records they name; a new crawl starts without them', async () => {
    const dir = await newDir();
    const digestsPath = path.join(dir, 'warc-digests.tsv');
    const line = (n: number): string => `sha1:${String(n).padStart(32, 'A')}\t<urn:uuid:${n}>\t2026-12-03T00:00:00.000Z\thttp://x/${n}\n`;
    const { files } = await WarcFiles.open({ ...options(dir), digestsPath }, 0);
    await files.append([record(1)], 1, line(1));
    files.confirm();
    await files.append([record(2)], 2, line(2)); // killed before the store committed page 2
    await files.close();
    assert.equal(await readFile(digestsPath, 'utf8'), line(1) + line(2));
    const reopened = await WarcFiles.open({ ...options(dir), digestsPath }, 1);
    assert.equal(await readFile(digestsPath, 'utf8'), line(1), 'the line of the cut record is cut');
    assert.equal(reopened.files.digestsKept, line(1).length);
    await reopened.files.append([record(3)], 2, line(3));
    reopened.files.confirm();
    await reopened.files.close();
    // The store committed page 3's batch: everything holds.
    const again = await WarcFiles.open({ ...options(dir), digestsPath }, 2);
    assert.equal(await readFile(digestsPath, 'utf8'), line(1) + line(3));
    assert.equal(again.files.digestsKept, (line(1) + line(3)).length);
    await again.files.close();

    const index = new DigestIndex(2);
    await writeFile(digestsPath, line(1) + line(2) + 'torn\tline\n' + line(3) + line(4).slice(0, 20));
    assert.equal(index.loadSync(digestsPath, (await stat(digestsPath)).size), 3, 'whole, well-formed lines');
    assert.equal(index.size, 2, 'bounded: the most recent');
    assert.deepEqual(index.get(`sha1:${String(3).padStart(32, 'A')}`), { id: '<urn:uuid:3>', date: '2026-12-03T00:00:00.000Z', uri: 'http://x/3' });
    assert.equal(index.get(`sha1:${String(2).padStart(32, 'A')}`)?.uri, 'http://x/2');
    assert.equal(index.get(`sha1:${String(1).padStart(32, 'A')}`), undefined, 'the oldest forgotten');

    await rm(path.join(dir, 'warc-state.json'));
    const fresh = await WarcFiles.open({ ...options(dir), digestsPath }, 0);
    assert.equal(fresh.files.digestsKept, 0);
    assert.equal(existsSync(digestsPath), false, 'no state: the lines name nothing of this crawl');
  });

  test('rotation: a new file once one passes maxFileBytes, each opened by its warcinfo', async () => {
    const dir = await newDir();
    const { files } = await WarcFiles.open({ ...options(dir), maxFileBytes: 200 }, 0);
    for (let n = 1; n <= 4; n++) {
      await files.append([record(n)], n);
      files.confirm();
    }
    await files.close();
    assert.ok(files.written.length >= 2, `${files.written.length} files`);
    const read = await readWarc(path.join(dir, 'warc'));
    assert.equal(read.filter((r) => r.type === 'warcinfo').length, files.written.length);
    assert.equal(read.filter((r) => r.type === 'metadata').length, 4);
  });
});
