/**
 * Encodes WARC records off the event loop: a worker thread
 * (warc-encoder-worker.ts) computes the digests, writes the records and
 * gzips each one as its own member. Jobs posted in one turn of the event loop
 * travel in one message; answers come back in order. Bodies are copied to
 * the thread: a body that is a buffer of its own (capture-transfer.ts makes
 * them so) is moved, not copied, and is empty here afterwards. The thread
 * holds the revisit index (read back from earlier runs' digests file first).
 */
import { Worker } from 'node:worker_threads';
import { StoreError } from '../core/errors.js';
import type { CapturedExchange } from '../fetch/fetch-types.js';

/** The ArrayBuffers that `views` cover whole (each once): those can be moved to another thread. */
export function ownBuffers(views: readonly Uint8Array[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const view of views) {
    const buffer = view.buffer as ArrayBuffer;
    if (view.byteOffset === 0 && view.byteLength === buffer.byteLength && buffer.byteLength > 0) out.add(buffer);
  }
  return [...out];
}

/**
 * The thread's young generation, MB. It allocates little JavaScript a page, so with V8's default
 * (semi-spaces growing to 16 MB) it collected garbage rarely: the bodies moved to it, dead once
 * encoded, were freed only then (up to ~28 MB of them), and the young generation, once grown,
 * stayed committed (thread heap 44 MB). The crawl's peak RSS grew with its length (+40 MB over
 * 30,000 pages). At 4 MB the thread collects every few hundred pages: heap 17 MB, dead bodies
 * ≤ 10 MB, RSS flat, no measurable cost in pages/s (docs/warc.md).
 */
const YOUNG_GENERATION_MB = 4;

export interface EncoderSettings {
  gzip: boolean;
  gzipLevel: number;
  /** Earlier runs' first captures, for the revisit index: the first `length` bytes of `file`. */
  digests?: { file: string; length: number };
}

/** One job's records, encoded, and the digest lines of the first captures among them. */
export interface EncodedJob {
  members: Buffer[];
  digestLines: string;
}

/** How the revisit index was read back from earlier runs. */
export interface IndexLoaded {
  lines: number;
  /** Digests it holds (at most its bound). */
  digests: number;
  ms: number;
}

/** What the thread posts: the index read back (once, first, when there was one), then the answers to each message of jobs. */
export type EncoderMessage = ({ type: 'loaded' } & IndexLoaded) | { type: 'encoded'; results: EncodedJob[] };

/** A page's exchanges (request heads redacted) and, for a metadata record, its outlinks. */
export interface EncoderJob {
  exchanges: CapturedExchange[];
  links?: readonly string[];
}

interface Waiting {
  resolve: (job: EncodedJob) => void;
  reject: (error: unknown) => void;
}

export class WarcEncoder {
  readonly #worker: Worker;
  /** Jobs not posted yet (posted together at the end of this turn). */
  #queued: EncoderJob[] = [];
  /** Answers awaited, in posting order. */
  readonly #waiting: Waiting[] = [];
  #failed: Error | undefined;
  /** Called once the revisit index is read back from earlier runs (when it was). */
  onIndexLoaded: ((loaded: IndexLoaded) => void) | undefined;

  constructor(settings: EncoderSettings) {
    this.#worker = new Worker(new URL('./warc-encoder-worker.js', import.meta.url), { workerData: settings, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    // The thread keeps the process alive only while answers are awaited.
    this.#worker.unref();
    this.#worker.on('message', (message: EncoderMessage) => {
      if (message.type === 'loaded') {
        const { type: _type, ...loaded } = message;
        this.onIndexLoaded?.(loaded);
        return;
      }
      for (const { members, digestLines } of message.results) {
        this.#waiting.shift()?.resolve({ members: members.map((m) => Buffer.from(m.buffer, m.byteOffset, m.byteLength)), digestLines });
      }
      if (this.#waiting.length === 0) this.#worker.unref();
    });
    this.#worker.on('error', (error) => this.#fail(error));
    this.#worker.on('exit', (code) => this.#fail(new Error(`the WARC encoder thread exited (code ${code})`)));
  }

  /** The encoded members of one job's records, in order, and their digest lines. */
  encode(job: EncoderJob): Promise<EncodedJob> {
    if (this.#failed) return Promise.reject(this.#failed);
    if (this.#queued.length === 0) setImmediate(() => this.#post());
    this.#queued.push(job);
    this.#worker.ref();
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  /** Stops the thread; jobs still waiting fail. */
  async close(): Promise<void> {
    this.#worker.removeAllListeners('exit');
    await this.#worker.terminate();
    this.#fail(new Error('the WARC encoder is closed'));
  }

  #post(): void {
    const jobs = this.#queued;
    this.#queued = [];
    if (jobs.length > 0 && !this.#failed) this.#worker.postMessage(jobs, ownBuffers(jobs.flatMap((job) => job.exchanges.map((exchange) => exchange.body))));
  }

  #fail(error: Error): void {
    this.#failed ??= new StoreError('ERR_WARC_ENCODER', `cannot encode WARC records: ${error.message}`, { cause: error });
    for (const waiting of this.#waiting.splice(0)) waiting.reject(this.#failed);
  }
}
