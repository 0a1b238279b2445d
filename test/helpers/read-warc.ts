/**
 * Reads WARC files back with warcio (Webrecorder's reader: independent of
 * skein's writer) and checks every record: it parses, its block digest and
 * payload digest verify, and its fields are what a record of its type needs.
 * Throws (an assertion error naming the file and record) on the first problem.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { WARCParser } from 'warcio';
import { base32 } from '../../src/warc/warc-record.js';

export interface ReadRecord {
  file: string;
  type: string;
  id: string;
  uri?: string;
  date?: string;
  ip?: string;
  concurrentTo: string[];
  truncated?: string;
  /** application/http records: status (responses, revisits) and headers (lower-cased names). */
  status?: number;
  headers?: Map<string, string>;
  /** The HTTP payload (responses) or the block (other records), as stored. */
  payload: Buffer;
  /** The payload with its content-coding removed, by warcio (responses only). */
  content?: Buffer;
  fields: Map<string, string>;
}

const sha1 = (bytes: Uint8Array): string => `sha1:${base32(createHash('sha1').update(bytes).digest())}`;

/** The WARC files in a directory (or the one file given), sorted by name. */
export async function warcFiles(dirOrFile: string): Promise<string[]> {
  if (/\.warc(\.gz)?$/.test(dirOrFile)) return [dirOrFile];
  return (await readdir(dirOrFile)).filter((name) => /\.warc(\.gz)?$/.test(name)).sort().map((name) => path.join(dirOrFile, name));
}

/** Every record of every file, checked. */
export async function readWarc(dirOrFile: string): Promise<ReadRecord[]> {
  const out: ReadRecord[] = [];
  for (const file of await warcFiles(dirOrFile)) out.push(...(await readFile(file)));
  return out;
}

async function readFile(file: string): Promise<ReadRecord[]> {
  // Pass 1, blocks as stored: digests.
  const blocks: Buffer[] = [];
  for await (const record of new WARCParser(createReadStream(file), { parseHttp: false })) {
    const block = Buffer.from(await record.readFully(false));
    assert.equal(block.length, record.warcContentLength, `${file}: Content-Length of ${record.warcHeader('WARC-Record-ID')}`);
    assert.equal(record.warcBlockDigest, sha1(block), `${file}: block digest of ${record.warcType} ${record.warcTargetURI}`);
    blocks.push(block);
  }
  // Pass 2, HTTP parsed by warcio.
  const out: ReadRecord[] = [];
  let index = 0;
  for await (const record of new WARCParser(createReadStream(file), { parseHttp: true })) {
    const block = blocks[index++]!;
    const fields = new Map<string, string>();
    for (const [name, value] of record.warcHeaders.headers as unknown as Iterable<[string, string]>) fields.set(name.toLowerCase(), value);
    const type = record.warcType;
    const isHttp = record.warcContentType?.startsWith('application/http') ?? false;
    let payload = block;
    let status: number | undefined;
    let headers: Map<string, string> | undefined;
    let content: Buffer | undefined;
    if (isHttp) {
      const split = block.indexOf('\r\n\r\n');
      assert.ok(split > 0, `${file}: ${type} ${record.warcTargetURI} has an HTTP head`);
      payload = block.subarray(split + 4);
      headers = new Map();
      for (const [name, value] of record.httpHeaders!.headers as unknown as Iterable<[string, string]>) headers.set(name.toLowerCase(), value);
      if (type !== 'request') status = Number(record.httpHeaders!.statusCode);
      if (type === 'response') {
        assert.equal(record.warcPayloadDigest, sha1(payload), `${file}: payload digest of ${record.warcTargetURI}`);
        content = record.warcHeader('WARC-Truncated') ? undefined : Buffer.from(await record.readFully(true));
      }
      if (type === 'revisit') assert.equal(payload.length, 0, `${file}: a revisit holds the HTTP head only`);
    }
    const concurrentTo = record.warcConcurrentTo ?? [];
    out.push({
      file,
      type,
      id: record.warcHeader('WARC-Record-ID')!,
      ...(record.warcTargetURI ? { uri: record.warcTargetURI } : {}),
      ...(record.warcDate ? { date: record.warcDate } : {}),
      ...(record.warcHeader('WARC-IP-Address') ? { ip: record.warcHeader('WARC-IP-Address')! } : {}),
      concurrentTo: Array.isArray(concurrentTo) ? concurrentTo : [concurrentTo],
      ...(record.warcHeader('WARC-Truncated') ? { truncated: record.warcHeader('WARC-Truncated')! } : {}),
      ...(status !== undefined ? { status } : {}),
      ...(headers ? { headers } : {}),
      payload,
      ...(content ? { content } : {}),
      fields,
    });
  }
  assert.equal(out.length, blocks.length, `${file}: both passes read the same records`);
  assert.equal(out[0]?.type, 'warcinfo', `${file} starts with a warcinfo record`);
  return out;
}

/** Checks request/response pairing: every request has one response or revisit naming it, and back. */
export function checkPairs(records: readonly ReadRecord[]): void {
  const byId = new Map(records.map((r) => [r.id, r]));
  for (const record of records) {
    if (record.type !== 'request' && record.type !== 'response' && record.type !== 'revisit') continue;
    assert.equal(record.concurrentTo.length, 1, `${record.type} ${record.uri} names its pair`);
    const pair = byId.get(record.concurrentTo[0]!);
    assert.ok(pair, `the pair of ${record.type} ${record.uri} is in the archive`);
    assert.equal(pair.uri, record.uri);
    assert.deepEqual(pair.concurrentTo, [record.id], `the pair of ${record.type} ${record.uri} names it back`);
    assert.equal(record.type === 'request', pair.type !== 'request');
  }
}

/**
 * Checks revisits: each one names, in WARC-Refers-To, a response record of the archive (in an
 * earlier file, or earlier in its own) with its target URI, date and payload digest.
 */
export function checkRevisits(records: readonly ReadRecord[]): void {
  const seen = new Map<string, ReadRecord>();
  for (const record of records) {
    if (record.type === 'revisit') {
      const refersTo = record.fields.get('warc-refers-to');
      const first = refersTo ? seen.get(refersTo) : undefined;
      assert.ok(first, `the revisit of ${record.uri} in ${record.file} refers to a response archived before it (${refersTo})`);
      assert.equal(first.type, 'response');
      assert.equal(record.fields.get('warc-refers-to-target-uri'), first.uri, `the revisit of ${record.uri}: the target URI referred to`);
      assert.equal(record.fields.get('warc-refers-to-date'), first.date, `the revisit of ${record.uri}: the date referred to`);
      assert.equal(record.fields.get('warc-payload-digest'), first.fields.get('warc-payload-digest'), `the revisit of ${record.uri}: the payload digest`);
    }
    seen.set(record.id, record);
  }
}
