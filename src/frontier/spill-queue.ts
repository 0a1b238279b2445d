/**
 * Queued requests beyond the frontier's memory budget, on disk: one
 * append-only file of lines (`<dir>/queue.tsv`), read back in the order
 * written (FIFO) when the frontier has room again. A line is the request's
 * fields separated by tabs (`encodeRequest`: a tenth of the cost of
 * `JSON.stringify`), encoded straight into a 1 MiB buffer, so a spilled
 * request leaves no string or object behind in the heap. Full buffers are
 * appended in the background, one at a time, so `push` never blocks the
 * event loop on the disk.
 *
 * The file is scratch, not state: every request in it is also in the
 * frontier journal, which is what a resume rebuilds the queue from, so the
 * file is emptied when the queue is created and may be lost at any moment.
 */
import { open, rm, mkdir, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { CrawlRequest } from '../core/types.js';

/** Bytes of a write buffer: a full one is appended. */
const WRITE_CHUNK = 1 << 20;
/** Bytes read per refill. */
const READ_CHUNK = 4 << 20;

export class SpillQueue {
  readonly file: string;
  #handle: Promise<FileHandle> | undefined;
  #buffer = Buffer.allocUnsafe(WRITE_CHUNK);
  #bufferBytes = 0;
  /** The appends, one after another. */
  #writing: Promise<void> = Promise.resolve();
  #writeOffset = 0;
  #readOffset = 0;
  /** Bytes read past the last complete line. */
  #partial = '';
  #size = 0;
  #pendingBytes = 0;

  constructor(dir: string) {
    this.file = path.join(dir, 'queue.tsv');
  }

  /** Requests on disk (or about to be). */
  get size(): number {
    return this.#size;
  }

  /** Bytes pushed and not yet written (buffered or being appended). */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** Resolves once everything pushed so far is written. */
  async settle(): Promise<void> {
    this.#append();
    await this.#writing;
  }

  push(request: CrawlRequest): void {
    const line = encodeRequest(request);
    // At most 3 bytes a UTF-16 code unit: room for the line, or append what is there first.
    if (this.#bufferBytes + 3 * line.length > WRITE_CHUNK) this.#append();
    if (3 * line.length > WRITE_CHUNK) this.#buffer = Buffer.allocUnsafe(3 * line.length);
    const bytes = this.#buffer.write(line, this.#bufferBytes);
    this.#bufferBytes += bytes;
    this.#pendingBytes += bytes;
    this.#size++;
  }

  /** Up to about `max` requests, oldest first (fewer when the file has fewer). */
  async take(max: number): Promise<CrawlRequest[]> {
    await this.settle();
    const handle = await this.#open();
    const out: CrawlRequest[] = [];
    while (out.length < max && this.#readOffset < this.#writeOffset) {
      const length = Math.min(READ_CHUNK, this.#writeOffset - this.#readOffset);
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(length), 0, length, this.#readOffset);
      this.#readOffset += bytesRead;
      const text = this.#partial + buffer.toString('utf8', 0, bytesRead);
      const lastNewline = text.lastIndexOf('\n');
      this.#partial = text.slice(lastNewline + 1);
      for (const line of text.slice(0, lastNewline).split('\n')) if (line) out.push(decodeRequest(line));
    }
    this.#size -= out.length;
    return out;
  }

  /** Closes and removes the file. */
  async close(): Promise<void> {
    await this.#writing.catch(() => undefined);
    if (!this.#handle) return;
    await (await this.#handle).close();
    await rm(this.file, { force: true });
  }

  #append(): void {
    if (this.#bufferBytes === 0) return;
    const data = this.#buffer.subarray(0, this.#bufferBytes);
    this.#buffer = Buffer.allocUnsafe(WRITE_CHUNK);
    this.#bufferBytes = 0;
    this.#writing = this.#writing.then(async () => {
      const handle = await this.#open();
      let written = 0;
      while (written < data.length) written += (await handle.write(data, written, data.length - written, this.#writeOffset + written)).bytesWritten;
      this.#writeOffset += data.length;
      this.#pendingBytes -= data.length;
    });
  }

  #open(): Promise<FileHandle> {
    this.#handle ??= mkdir(path.dirname(this.file), { recursive: true }).then(() => open(this.file, 'w+'));
    return this.#handle;
  }
}

/** Characters a tab-separated field cannot hold. */
const UNSAFE = /[\t\n\r]/;

/**
 * One line (newline included) holding a request: key, url (empty when equal to the key), depth,
 * source, priority, attempt and referrer (empty when absent), tab-separated. A request with a tab
 * or newline in a field, or a field this format does not know, is written as JSON instead (a line
 * starting with `{`).
 */
export function encodeRequest(request: CrawlRequest): string {
  const { key, url, depth, source, priority, attempt, referrer } = request;
  const line = `${key}\t${url === key ? '' : url}\t${depth}\t${source}\t${priority ?? ''}\t${attempt ?? ''}\t${referrer ?? ''}`;
  const fields = 4 + (priority === undefined ? 0 : 1) + (attempt === undefined ? 0 : 1) + (referrer === undefined ? 0 : 1);
  if (UNSAFE.test(key) || UNSAFE.test(url) || (referrer !== undefined && UNSAFE.test(referrer)) || Object.keys(request).length !== fields) return JSON.stringify(request) + '\n';
  return line + '\n';
}

/** The request of a line written by `encodeRequest` (without its newline). */
export function decodeRequest(line: string): CrawlRequest {
  if (line.startsWith('{')) return JSON.parse(line) as CrawlRequest;
  const [key, url, depth, source, priority, attempt, referrer] = line.split('\t') as [string, string, string, CrawlRequest['source'], string, string, string];
  const request: CrawlRequest = { key, url: url === '' ? key : url, depth: Number(depth), source };
  if (priority !== '') request.priority = Number(priority);
  if (attempt !== '') request.attempt = Number(attempt);
  if (referrer !== '') request.referrer = referrer;
  return request;
}
