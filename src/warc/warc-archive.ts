/**
 * The crawl's WARC archive (`output.warc`): what the fetcher captured becomes
 * records, batched like the page store's records and written at its flush.
 *
 * - A page's exchanges (every attempt, every redirect hop) are held until its
 *   record is stored, then join the open batch with it (`pagePut`): a page and
 *   its records are committed together, so a kill never leaves a stored page
 *   without its response nor archives a page twice on resume.
 * - Exchanges that belong to no page (robots.txt, sitemaps) join the open
 *   batch at once (`direct`).
 * - Records are encoded (digests, gzip) as they arrive, in a worker thread
 *   (warc-encoder.ts); the flush only awaits them and appends (warc-files.ts).
 *   Request heads are redacted here, before they leave the crawl's thread.
 */
import { gzipSync } from 'node:zlib';
import type { CapturedExchange } from '../fetch/fetch-types.js';
import type { SecretRedactor } from '../fetch/redact-secrets.js';
import type { PageRecord } from '../core/types.js';
import { redactRequestHead } from './exchange-records.js';
import { WarcEncoder, type EncodedJob, type IndexLoaded } from './warc-encoder.js';
import { WarcFiles, type WarcFilesOptions, type WarcRecovery } from './warc-files.js';
import { recordId, serializeRecord, sha1Digest, warcDate, warcFieldsBlock, type WarcFields } from './warc-record.js';

export interface WarcArchiveOptions {
  dir: string;
  statePath: string;
  prefix: string;
  nodeId?: string;
  gzip: boolean;
  gzipLevel: number;
  maxFileBytes: number;
  /** Write a metadata record with each page's outlinks. */
  metadata: boolean;
  redactor: SecretRedactor;
  /** The warcinfo record's fields (software, isPartOf, the config and its digest…). */
  info: WarcFields;
  /** Where the revisit index's lines go (`<crawl dir>/warc-digests.tsv`), read back on resume. */
  digestsPath: string;
  /** Told once the revisit index is read back from earlier runs (a resume). */
  onIndexLoaded?: (loaded: IndexLoaded) => void;
}

/** Records of one flush, in order, each an encoded member (compressed or not, maybe still being compressed). */
export interface WarcBatch {
  members: Promise<EncodedJob>[];
  /** Pages stored once this batch's pages are committed. */
  storeSize: number;
}

export class WarcArchive {
  readonly #options: WarcArchiveOptions;
  readonly #files: WarcFiles;
  readonly #encoder: WarcEncoder;
  /** Exchanges of pages not stored yet, by request key. */
  readonly #held = new Map<string, CapturedExchange[]>();
  #open: Promise<EncodedJob>[] = [];
  readonly #sealed: WarcBatch[] = [];
  #tail: Promise<void> = Promise.resolve();
  /** Called once, when appending to a WARC file first fails (a full disk). */
  onWriteFailed: ((error: Error) => void) | undefined;
  #failed = false;

  private constructor(options: WarcArchiveOptions, files: WarcFiles) {
    this.#options = options;
    this.#files = files;
    const kept = files.digestsKept;
    this.#encoder = new WarcEncoder({ gzip: options.gzip, gzipLevel: options.gzipLevel, ...(kept > 0 ? { digests: { file: options.digestsPath, length: kept } } : {}) });
    this.#encoder.onIndexLoaded = options.onIndexLoaded;
  }

  /** Opens the archive: checks the directory (ConfigError), cuts the previous run's uncommitted tail. */
  static async open(options: WarcArchiveOptions, storeSize: number): Promise<{ archive: WarcArchive; recovered?: WarcRecovery }> {
    const filesOptions: WarcFilesOptions = {
      dir: options.dir,
      statePath: options.statePath,
      prefix: options.prefix,
      ...(options.nodeId ? { nodeId: options.nodeId } : {}),
      gzip: options.gzip,
      maxFileBytes: options.maxFileBytes,
      warcinfo: (fileName) => warcinfoMember(fileName, options),
      digestsPath: options.digestsPath,
    };
    const { files, recovered } = await WarcFiles.open(filesOptions, storeSize);
    return { archive: new WarcArchive(options, files), ...(recovered ? { recovered } : {}) };
  }

  /** Files this run wrote. */
  get files(): readonly string[] {
    return this.#files.written;
  }

  /** An exchange of the page with request key `key`: archived when its record is stored. */
  hold(key: string, exchange: CapturedExchange): void {
    const held = this.#held.get(key);
    if (held) held.push(exchange);
    else this.#held.set(key, [exchange]);
  }

  /** An exchange that belongs to no page (robots.txt, a sitemap): archived with the open batch. */
  direct(exchange: CapturedExchange): void {
    this.#add([exchange]);
  }

  /** A page's record was stored: its exchanges join the open batch (and its outlinks, as metadata). */
  pagePut(record: PageRecord): void {
    const exchanges = this.#held.get(record.key);
    if (!exchanges) return;
    this.#held.delete(record.key);
    const withLinks = this.#options.metadata && record.outcome === 'ok' && record.links && record.links.length > 0;
    this.#add(exchanges, withLinks ? record.links : undefined);
  }

  /** A page's record was not stored (already stored: a duplicate): its exchanges are dropped. */
  pageDropped(key: string): void {
    this.#held.delete(key);
  }

  /** Closes the open batch (called when the store closes its own): `storeSize` pages once it is committed. */
  seal(storeSize: number): WarcBatch {
    const batch: WarcBatch = { members: this.#open, storeSize };
    this.#open = [];
    this.#sealed.push(batch);
    return batch;
  }

  /**
   * Appends every sealed batch, oldest first (the store's flush barrier calls it before the
   * pages are committed). Serialised; a batch that fails stays sealed for the next call.
   */
  commit(): Promise<void> {
    const run = this.#tail.then(async () => {
      while (this.#sealed.length > 0) {
        const batch = this.#sealed[0]!;
        try {
          const jobs = await Promise.all(batch.members);
          await this.#files.append(
            jobs.flatMap((job) => job.members),
            batch.storeSize,
            jobs.map((job) => job.digestLines).join(''),
          );
        } catch (error) {
          if (!this.#failed) {
            this.#failed = true;
            this.onWriteFailed?.(error as Error);
          }
          throw error;
        }
        this.#sealed.shift();
      }
    });
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /** The store committed every batch appended so far: their records are kept on resume. */
  confirm(): void {
    this.#files.confirm();
  }

  /** Closes the current file. What was not committed is dropped (the pages it belongs to are fetched again on resume). */
  async close(): Promise<void> {
    this.#held.clear();
    await this.#tail;
    await this.#encoder.close();
    await this.#files.close();
  }

  /** Queues the records of `exchanges` (and of `links`, as metadata) for the open batch. */
  #add(exchanges: CapturedExchange[], links?: readonly string[]): void {
    const redacted = exchanges.map((exchange) => ({ ...exchange, requestHead: redactRequestHead(exchange.requestHead, this.#options.redactor) }));
    const members = this.#encoder.encode({ exchanges: redacted, ...(links ? { links } : {}) });
    members.catch(() => undefined); // reported by the commit that awaits it
    this.#open.push(members);
  }
}

/** The warcinfo record that opens a file, encoded (small and rare: compressed in place). */
function warcinfoMember(fileName: string, options: WarcArchiveOptions): Buffer {
  const block = warcFieldsBlock(options.info);
  const parts = serializeRecord(
    [
      ['WARC-Type', 'warcinfo'],
      ['WARC-Record-ID', recordId()],
      ['WARC-Date', warcDate(Date.now())],
      ['WARC-Filename', fileName],
      ['WARC-Block-Digest', sha1Digest(block)],
      ['Content-Type', 'application/warc-fields'],
    ],
    [block],
  );
  const record = Buffer.concat(parts);
  return options.gzip ? gzipSync(record, { level: options.gzipLevel }) : record;
}
