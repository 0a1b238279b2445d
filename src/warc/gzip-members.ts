/**
 * Compresses WARC records, each into its own gzip member (what lets a reader
 * seek to any record), off the main thread: zlib's asynchronous API runs in
 * libuv's thread pool. At most `maxInFlight` records are compressed at once so
 * that the pool stays free for file and DNS work; the others wait in order.
 */
import { gzip } from 'node:zlib';

interface Job {
  input: Buffer;
  resolve: (output: Buffer) => void;
  reject: (error: unknown) => void;
}

export class GzipMembers {
  readonly #level: number;
  readonly #maxInFlight: number;
  readonly #waiting: Job[] = [];
  #inFlight = 0;

  /** `level` 0-9 (1: fastest); `maxInFlight` records compressed at once. */
  constructor(level: number, maxInFlight = 2) {
    this.#level = level;
    this.#maxInFlight = maxInFlight;
  }

  /** One gzip member holding the concatenation of `parts`. */
  compress(parts: readonly Buffer[]): Promise<Buffer> {
    const input = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    return new Promise<Buffer>((resolve, reject) => {
      this.#waiting.push({ input, resolve, reject });
      this.#next();
    });
  }

  #next(): void {
    while (this.#inFlight < this.#maxInFlight && this.#waiting.length > 0) {
      const job = this.#waiting.shift()!;
      this.#inFlight++;
      gzip(job.input, { level: this.#level }, (error, output) => {
        this.#inFlight--;
        if (error) job.reject(error);
        else job.resolve(output);
        this.#next();
      });
    }
  }
}
