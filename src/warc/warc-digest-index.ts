/**
 * The revisit index: for each payload digest archived, its first capture
 * (record id, date, target URI), so that the same payload met again is
 * written as a `revisit` record referring to it. Bounded: the most recent
 * `maxDigests` digests are kept, the oldest forgotten (memory stays flat).
 *
 * It outlives a run: each first capture is also a line
 * (`digest \t record id \t date \t URI \n`) that the archive appends to the
 * crawl's `warc-digests.tsv` with the batch holding the record
 * (warc-files.ts), and a resumed run reads those lines back (`loadSync`):
 * a payload archived by an earlier run is a revisit too.
 */
import { closeSync, openSync, readSync } from 'node:fs';

/** What was archived first for a payload digest. */
export interface FirstCapture {
  uri: string;
  date: string;
  id: string;
}

/** Digests remembered by default. */
export const DEFAULT_MAX_DIGESTS = 200_000;

const CHUNK_BYTES = 1 << 20;
const NEWLINE = 0x0a;

export class DigestIndex {
  readonly #maxDigests: number;
  /** digest → `id \t date \t uri` (one string an entry: a third of the memory of an object of three). */
  readonly #captures = new Map<string, string>();
  /**
   * Digests in the order remembered, a ring of `maxDigests` slots: the oldest is forgotten in
   * O(1) (a Map's first key is found by skipping the holes its deletions left: O(n) each).
   */
  readonly #order: string[] = [];
  #oldest = 0;
  #newLines = '';

  constructor(maxDigests = DEFAULT_MAX_DIGESTS) {
    this.#maxDigests = maxDigests;
  }

  get size(): number {
    return this.#captures.size;
  }

  get(digest: string): FirstCapture | undefined {
    const value = this.#captures.get(digest);
    if (value === undefined) return undefined;
    const tab1 = value.indexOf('\t');
    const tab2 = value.indexOf('\t', tab1 + 1);
    return { id: value.slice(0, tab1), date: value.slice(tab1 + 1, tab2), uri: value.slice(tab2 + 1) };
  }

  /** Remembers the first capture of `digest`, and queues its line (`takeNewLines`). */
  remember(digest: string, capture: FirstCapture): void {
    const line = `${capture.id}\t${capture.date}\t${capture.uri}`;
    this.#newLines += `${digest}\t${line}\n`;
    // Kept flat: a template literal makes a tree of its parts, each kept alive with it.
    this.#set(digest, Buffer.from(line, 'utf8').toString('utf8'));
  }

  /** The lines of captures remembered since the last call: what the archive appends with their records. */
  takeNewLines(): string {
    const lines = this.#newLines;
    this.#newLines = '';
    return lines;
  }

  /**
   * Reads back the first `length` bytes of a digests file (earlier runs' first captures, oldest
   * first), a chunk at a time, keeping the most recent `maxDigests` as if remembered in order.
   * A line that is not whole or not well-formed is skipped. Returns the lines read.
   */
  loadSync(file: string, length: number): number {
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch {
      return 0;
    }
    let lines = 0;
    try {
      const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      let carried = 0; // bytes of a line begun in the previous chunk, moved to the chunk's start
      for (let position = 0; position < length; ) {
        const read = readSync(fd, chunk, carried, Math.min(CHUNK_BYTES - carried, length - position), position);
        if (read === 0) break;
        position += read;
        const end = carried + read;
        let start = 0;
        for (let newline = chunk.indexOf(NEWLINE, start); newline !== -1 && newline < end; newline = chunk.indexOf(NEWLINE, start)) {
          // One string a line (a substring of a whole chunk's text would keep that text alive).
          if (this.#load(chunk.toString('utf8', start, newline))) lines++;
          start = newline + 1;
        }
        carried = end - start;
        // A line longer than a chunk is not one of ours: dropped.
        if (carried === CHUNK_BYTES) carried = 0;
        else chunk.copy(chunk, 0, start, end);
      }
    } finally {
      closeSync(fd);
    }
    return lines;
  }

  #load(line: string): boolean {
    const tab = line.indexOf('\t');
    const digest = line.slice(0, tab);
    const value = line.slice(tab + 1);
    if (tab <= 0 || !digest.startsWith('sha1:') || value.split('\t').length !== 3) return false;
    this.#set(digest, value);
    return true;
  }

  #set(digest: string, value: string): void {
    const known = this.#captures.has(digest);
    this.#captures.set(digest, value);
    // Known (only when read back with a smaller bound than it was written with): its slot stays.
    if (known) return;
    if (this.#order.length < this.#maxDigests) {
      this.#order.push(digest);
      return;
    }
    const oldest = this.#order[this.#oldest]!;
    this.#order[this.#oldest] = digest;
    this.#oldest = (this.#oldest + 1) % this.#maxDigests;
    this.#captures.delete(oldest);
  }
}
