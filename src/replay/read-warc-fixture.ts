/**
 * A WARC file, or a directory of them, as a replay fixture: each `response`
 * record becomes the nock definition of its exchange (body decoded from its
 * Content-Encoding, as the fixture format stores it), a `revisit` the same
 * with the payload of the response it refers to, and the crawl's config comes
 * from the warcinfo record skein wrote (`skein-config`). Requests, metadata
 * and other tools' warcinfo records are skipped. The reader is warcio
 * (Webrecorder), loaded only when a WARC is replayed.
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { brotliDecompressSync, constants, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { ConfigError } from '../core/errors.js';
import { FIXTURE_VERSION, toDefinition, type FixtureDefinition, type FixtureMeta } from './fixture-definition.js';
import type { Fixture } from './read-fixture.js';

/** The warcinfo field holding the crawl's config (warc/open-archive.ts writes it). */
const CONFIG_FIELD = 'skein-config';

/** True for a path `--replay` reads as WARC: a `.warc` / `.warc.gz` file or a directory. */
export async function isWarcSource(source: string): Promise<boolean> {
  if (/\.warc(\.gz)?$/i.test(source)) return true;
  return stat(source).then((s) => s.isDirectory(), () => false);
}

/** Reads every response of the WARC file(s) at `source` into fixture definitions. */
export async function readWarcFixture(source: string): Promise<Fixture> {
  const files = await listFiles(source);
  const { WARCParser } = await import('warcio');
  const definitions: FixtureDefinition[] = [];
  const payloads = new Map<string, Buffer>();
  let meta: FixtureMeta | undefined;
  for (const file of files) {
    try {
      for await (const record of new WARCParser(createReadStream(file))) {
        const type = record.warcType;
        if (type === 'warcinfo') {
          meta ??= configOf(Buffer.from(await record.readFully(false)).toString('utf8'));
          continue;
        }
        if ((type !== 'response' && type !== 'revisit') || !record.httpHeaders || !record.warcTargetURI) continue;
        const headers: Record<string, string> = {};
        for (const [name, value] of record.httpHeaders.headers as unknown as Iterable<[string, string]>) {
          if (!name.toLowerCase().startsWith('x-archive-orig-')) headers[name.toLowerCase()] = value;
        }
        const digest = record.warcPayloadDigest ?? '';
        let body: Buffer;
        if (type === 'revisit') body = payloads.get(digest) ?? Buffer.alloc(0);
        else {
          body = decode(Buffer.from(await record.readFully(false)), headers['content-encoding']);
          if (digest) payloads.set(digest, body);
        }
        const status = Number(record.httpHeaders.statusCode);
        definitions.push(toDefinition({ method: 'GET', url: record.warcTargetURI, status, headers, body }));
      }
    } catch (error) {
      throw new ConfigError('replay', `cannot read the WARC file "${file}": ${(error as Error).message}`, { cause: error });
    }
  }
  if (definitions.length > 0 && meta) definitions[0] = { ...definitions[0]!, skein: meta };
  return { source, definitions, ...(meta ? { meta } : {}) };
}

async function listFiles(source: string): Promise<string[]> {
  let isDir: boolean;
  try {
    isDir = (await stat(source)).isDirectory();
  } catch (error) {
    throw new ConfigError('replay', `cannot read the WARC "${source}": ${(error as Error).message}`, { cause: error });
  }
  if (!isDir) return [source];
  const files = (await readdir(source)).filter((name) => /\.warc(\.gz)?$/i.test(name)).sort();
  if (files.length === 0) throw new ConfigError('replay', `"${source}" holds no WARC files (*.warc, *.warc.gz)`);
  return files.map((name) => path.join(source, name));
}

/** The crawl config of a warcinfo block skein wrote; undefined for other tools' records. */
function configOf(block: string): FixtureMeta | undefined {
  const line = block.split('\r\n').find((l) => l.startsWith(`${CONFIG_FIELD}:`));
  if (!line) return undefined;
  try {
    const config = JSON.parse(line.slice(CONFIG_FIELD.length + 1).trim()) as unknown;
    if (typeof config === 'object' && config !== null && !Array.isArray(config)) return { fixtureVersion: FIXTURE_VERSION, config: config as Record<string, unknown> };
  } catch {
    // Not JSON: not ours.
  }
  return undefined;
}

/** The payload without its content-coding; what decodes of a truncated one (or the bytes as they are, if none does). */
function decode(payload: Buffer, encoding: string | undefined): Buffer {
  const coding = encoding?.trim().toLowerCase();
  if (!coding || coding === 'identity' || payload.length === 0) return payload;
  const flush = { finishFlush: constants.Z_SYNC_FLUSH };
  try {
    if (coding === 'gzip' || coding === 'x-gzip') return gunzipSync(payload, flush);
    if (coding === 'deflate') return (payload[0]! & 0x0f) === 8 ? inflateSync(payload, flush) : inflateRawSync(payload, flush);
    if (coding === 'br') return brotliDecompressSync(payload, { finishFlush: constants.BROTLI_OPERATION_FLUSH });
  } catch {
    return payload;
  }
  return payload;
}
