/**
 * Queued requests beyond the frontier's memory budget, on disk: one
 * append-only file of JSON lines (`<dir>/queue.jsonl`), read back in the
 * order written (FIFO) when the frontier has room again. Writes are
 * buffered and appended in the background, one at a time, so `push` never
 * blocks the event loop on the disk.
 *
 * The file is scratch, not state: every request in it is also in the
 * frontier journal, which is what a resume rebuilds the queue from, so the
 * file is emptied when the queue is created and may be lost at any moment.
 */
import { open, rm, mkdir, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { CrawlRequest } from '../core/types.js';

/** Buffered bytes (UTF-16 code units, about bytes) that start an append. */
const WRITE_CHUNK = 1 << 20;
/** Bytes read per refill. */
const READ_CHUNK = 4 << 20;

export class SpillQueue {
  readonly file: string;
  #handle: Promise<FileHandle> | undefined;
  #buffer: string[] = [];
  #bufferChars = 0;
  /** The appends, one after another. */
  #writing: Promise<void> = Promise.resolve();
  #writeOffset = 0;
  #readOffset = 0;
  /** Bytes read past the last complete line. */
  #partial = '';
  #size = 0;
  #pendingBytes = 0;

  constructor(dir: string) {
    this.file = path.join(dir, 'queue.jsonl');
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
    const line = JSON.stringify(request) + '\n';
    this.#buffer.push(line);
    this.#bufferChars += line.length;
    this.#pendingBytes += line.length;
    this.#size++;
    if (this.#bufferChars >= WRITE_CHUNK) this.#append();
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
      for (const line of text.slice(0, lastNewline).split('\n')) if (line) out.push(JSON.parse(line) as CrawlRequest);
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
    if (this.#buffer.length === 0) return;
    const data = Buffer.from(this.#buffer.join(''), 'utf8');
    this.#buffer = [];
    this.#bufferChars = 0;
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
