/**
 * The WARC encoder thread (worker_threads): digests, record serialisation
 * and gzip, off the crawl's event loop. It receives jobs in order (a page's
 * exchanges, request heads already redacted, and its outlinks) and answers
 * each message with the encoded members of its jobs, in the same order.
 * It holds the revisit index, so revisits are decided in archive order: read
 * back from earlier runs' digest lines before the first job (jobs posted
 * meanwhile wait in the port), and each job's new first captures go back with
 * its members, as lines for the digests file.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import type { CapturedExchange } from '../fetch/fetch-types.js';
import { performance } from 'node:perf_hooks';
import { ExchangeRecords } from './exchange-records.js';
import { DigestIndex } from './warc-digest-index.js';
import { ownBuffers, type EncodedJob, type EncoderJob, type EncoderMessage, type EncoderSettings } from './warc-encoder.js';

const settings = workerData as EncoderSettings;
const index = new DigestIndex();
if (settings.digests) {
  const startedAt = performance.now();
  const lines = index.loadSync(settings.digests.file, settings.digests.length);
  const loaded: EncoderMessage = { type: 'loaded', lines, digests: index.size, ms: Math.round(performance.now() - startedAt) };
  parentPort!.postMessage(loaded);
}
const records = new ExchangeRecords({ index });

/** A Buffer over what structured clone hands over (a Uint8Array). */
const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * One gzip member. Small records get a small window and hash table: zlib's set-up (a 64 KiB
 * hash table cleared per member at the defaults) would cost more than compressing them.
 */
function member(parts: Buffer[]): Buffer {
  const bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  if (!settings.gzip) return ownCopy(bytes);
  const windowBits = Math.max(9, Math.min(15, Math.ceil(Math.log2(bytes.length + 262))));
  return ownCopy(gzipSync(bytes, { level: settings.gzipLevel, windowBits, memLevel: Math.max(1, Math.min(8, windowBits - 7)) }));
}

/** `bytes` in a buffer of its own, to be moved to the crawl's thread (zlib's output is a slice of a 16 KiB buffer). */
function ownCopy(bytes: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  bytes.copy(copy);
  return copy;
}

parentPort!.on('message', (jobs: EncoderJob[]) => {
  const results = jobs.map((job): EncodedJob => {
    const exchanges: CapturedExchange[] = job.exchanges.map((exchange) => ({ ...exchange, body: asBuffer(exchange.body) }));
    const members = records.page(exchanges, job.links).map(member);
    return { members, digestLines: index.takeNewLines() };
  });
  const encoded: EncoderMessage = { type: 'encoded', results };
  parentPort!.postMessage(encoded, ownBuffers(results.flatMap((result) => result.members)));
});
