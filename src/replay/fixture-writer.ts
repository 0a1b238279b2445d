/**
 * Writes a fixture file without holding the recorded bodies in memory, and
 * replaces the old file atomically.
 *
 * Each definition is serialised as it arrives and appended to a spool file
 * next to the target; only a small index (URL, arrival order, offset, length)
 * stays in memory. `commit()` streams the definitions from the spool into a
 * second temp file as one JSON array sorted by URL (arrival order kept for
 * repeated URLs, which is the order nock consumes them in), so that two
 * recordings of the same site diff cleanly, then renames it over the target.
 * Until that rename the old fixture is untouched; `abort()` (or a crash)
 * leaves it as it was.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { StoreError } from '../core/errors.js';
import { makeDirectory } from '../store/make-directory.js';
import { definitionUrl, type FixtureDefinition, type FixtureMeta } from './fixture-definition.js';

/** What a committed fixture holds. */
export interface FixtureWriteResult {
  path: string;
  /** Recorded exchanges (redirect hops, robots.txt and sitemaps included). */
  exchanges: number;
  /** Size of the fixture file. */
  bytes: number;
}

interface SpoolEntry {
  url: string;
  seq: number;
  offset: number;
  length: number;
}

const ignore = (): void => {};

export class FixtureWriter {
  /** The fixture file being (re)written. */
  readonly path: string;
  readonly #spoolPath: string;
  readonly #spool: FileHandle;
  readonly #entries: SpoolEntry[] = [];
  #offset = 0;
  #writes: Promise<void> = Promise.resolve();
  #error: unknown;
  #finished = false;

  private constructor(path: string, spoolPath: string, spool: FileHandle) {
    this.path = path;
    this.#spoolPath = spoolPath;
    this.#spool = spool;
  }

  /** Starts a recording to `path`; the file itself is only replaced by `commit()`. */
  static async open(path: string): Promise<FixtureWriter> {
    const target = resolve(path);
    await makeDirectory(dirname(target));
    const spoolPath = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.spool`);
    try {
      return new FixtureWriter(target, spoolPath, await open(spoolPath, 'wx+'));
    } catch (error) {
      throw new StoreError('ERR_FIXTURE_WRITE', `cannot write next to the fixture ${target}: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Exchanges added so far. */
  get exchanges(): number {
    return this.#entries.length;
  }

  /** Queues one definition (serialised now, so its body can be freed). Ignored after commit/abort. */
  add(definition: FixtureDefinition): void {
    if (this.#finished) return;
    // Indented one level inside the array; JSON strings never hold a raw newline.
    const bytes = Buffer.from(JSON.stringify(definition, null, 2).replace(/\n/g, '\n  '));
    const offset = this.#offset;
    this.#entries.push({ url: definitionUrl(definition), seq: this.#entries.length, offset, length: bytes.length });
    this.#offset += bytes.length;
    this.#writes = this.#writes
      .then(() => this.#spool.write(bytes, 0, bytes.length, offset))
      .then(ignore, (error: unknown) => {
        this.#error ??= error;
      });
  }

  /** Writes the sorted fixture (meta on the first definition) and renames it over the target. */
  async commit(meta: FixtureMeta): Promise<FixtureWriteResult> {
    if (this.#finished) throw new StoreError('ERR_FIXTURE_WRITE', `the recording of ${this.path} is already finished`);
    this.#finished = true;
    const outPath = `${this.#spoolPath}.json`;
    try {
      await this.#writes;
      if (this.#error) throw this.#error;
      const sorted = [...this.#entries].sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : a.seq - b.seq));
      const out = await open(outPath, 'wx');
      let bytes = 0;
      try {
        const write = async (chunk: Buffer): Promise<void> => {
          await out.write(chunk, 0, chunk.length, bytes);
          bytes += chunk.length;
        };
        await write(Buffer.from(sorted.length === 0 ? '[' : '[\n  '));
        for (const [index, entry] of sorted.entries()) {
          let chunk: Buffer = Buffer.alloc(entry.length);
          await this.#spool.read(chunk, 0, entry.length, entry.offset);
          if (index === 0) chunk = withMeta(chunk, meta);
          await write(index === 0 ? chunk : Buffer.concat([Buffer.from(',\n  '), chunk]));
        }
        await write(Buffer.from(sorted.length === 0 ? ']\n' : '\n]\n'));
        await out.sync();
      } finally {
        await out.close();
      }
      await rename(outPath, this.path);
      return { path: this.path, exchanges: sorted.length, bytes };
    } catch (error) {
      throw new StoreError('ERR_FIXTURE_WRITE', `cannot write the fixture ${this.path}: ${(error as Error).message}; the previous file (if any) is unchanged`, { cause: error });
    } finally {
      await this.#cleanup(outPath);
    }
  }

  /** Drops the recording; the target file stays as it was. Safe to call twice. */
  async abort(): Promise<void> {
    if (this.#finished) return;
    this.#finished = true;
    await this.#writes;
    await this.#cleanup(`${this.#spoolPath}.json`);
  }

  async #cleanup(outPath: string): Promise<void> {
    await this.#spool.close().catch(ignore);
    await rm(this.#spoolPath, { force: true });
    await rm(outPath, { force: true });
  }
}

/** Puts the crawl metadata first in the first definition (nock ignores the key). */
function withMeta(chunk: Buffer, meta: FixtureMeta): Buffer {
  const definition = JSON.parse(chunk.toString('utf8')) as FixtureDefinition;
  return Buffer.from(JSON.stringify({ skein: meta, ...definition }, null, 2).replace(/\n/g, '\n  '));
}
