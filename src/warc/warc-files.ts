/**
 * The WARC files of one crawl (of one node, in a distributed crawl) and the
 * small state file that makes them crash-safe.
 *
 * Records are appended a batch at a time, at the store's flush, before the
 * page store commits the same batch. `warc-state.json` (in the crawl's
 * directory) names the only file that may hold bytes not yet matched by
 * stored pages, and three numbers: `length` (the file's length after the
 * last batch), `confirmedLength` (its length when the store last committed)
 * and `storeSize` (the number of stored pages once the last batch's pages are
 * committed). On resume the store tells which of the two lengths holds: a tail
 * past it (a torn record, or records of pages the store never committed and
 * that will be fetched again) is cut. Each run writes new files (names carry
 * a serial, and the node id in a distributed crawl); a file is closed for a
 * new one once past `maxFileBytes`.
 *
 * The revisit index outlives a run the same way: each batch's first captures
 * of a payload (digest, record id, date, URI: one line each) are appended to
 * `warc-digests.tsv` beside the state, whose `digestsLength` and
 * `confirmedDigestsLength` follow the WARC file's two lengths, so a resume
 * cuts the lines of records it cut and rebuilds the index from the rest
 * (warc-digest-index.ts).
 */
import { open, readFile, rename, rm, stat, truncate, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, StoreError } from '../core/errors.js';
import { checkWritableDir, makeDirectory } from '../store/make-directory.js';

export interface WarcState {
  version: 1;
  /** Absolute path of the file being written. */
  file: string;
  serial: number;
  length: number;
  confirmedLength: number;
  storeSize: number;
  /** Length of the digests file after the last batch, and when the store last committed (absent: written before it existed). */
  digestsLength?: number;
  confirmedDigestsLength?: number;
}

export interface WarcFilesOptions {
  /** Where the WARC files go (created if missing). */
  dir: string;
  /** The state file (`<crawl dir>/warc-state.json`). */
  statePath: string;
  /** File names start with it (the crawl name by default). */
  prefix: string;
  /** Distributed mode: this node's id, in every file name. */
  nodeId?: string;
  gzip: boolean;
  maxFileBytes: number;
  /** The first record of a new file (its warcinfo), already encoded; `fileName` is the file's base name. */
  warcinfo: (fileName: string) => Buffer;
  /** The revisit index's lines (`<crawl dir>/warc-digests.tsv`); none kept without it. */
  digestsPath?: string;
}

/** What resuming found and cut. */
export interface WarcRecovery {
  file: string;
  /** Bytes cut from the end (a torn record, or records of pages not stored). */
  cutBytes: number;
}

export class WarcFiles {
  readonly #options: WarcFilesOptions;
  #serial: number;
  #handle: FileHandle | undefined;
  #file = '';
  #length = 0;
  #confirmed = 0;
  #digests: FileHandle | undefined;
  #digestsLength: number;
  #digestsConfirmed: number;
  /** Every file this run wrote, oldest first. */
  readonly written: string[] = [];

  private constructor(options: WarcFilesOptions, serial: number, digestsLength: number) {
    this.#options = options;
    this.#serial = serial;
    this.#digestsLength = this.#digestsConfirmed = digestsLength;
  }

  /** Bytes of the digests file that earlier runs committed (the encoder rebuilds the revisit index from them). */
  get digestsKept(): number {
    return this.#digestsConfirmed;
  }

  /**
   * Checks that the directory can be written (a ConfigError naming `output.warc.dir` if not),
   * then cuts what the previous run left past its committed length. `storeSize`: pages stored now.
   */
  static async open(options: WarcFilesOptions, storeSize: number): Promise<{ files: WarcFiles; recovered?: WarcRecovery }> {
    await checkWarcDir(options.dir);
    const state = await readState(options.statePath);
    const committed = state !== undefined && storeSize >= state.storeSize;
    const digestsKept = await keepDigests(options.digestsPath, committed ? state?.digestsLength : state?.confirmedDigestsLength);
    const files = new WarcFiles(options, state?.serial ?? 0, digestsKept);
    if (!state) return { files };
    const keep = committed ? state.length : state.confirmedLength;
    const size = await stat(state.file).then((s) => s.size, () => undefined);
    if (size === undefined || (keep > 0 && size <= keep)) return { files };
    // Nothing of the file committed (a kill before its warcinfo was written, even an empty file): it goes.
    if (keep === 0) await unlink(state.file);
    else await truncate(state.file, keep);
    return size > keep ? { files, recovered: { file: state.file, cutBytes: size - keep } } : { files };
  }

  /** The file being written, if any. */
  get current(): string | undefined {
    return this.#handle ? this.#file : undefined;
  }

  /**
   * Appends encoded records (one gzip member each, or plain records) and records the new
   * length in the state file. On failure (a full disk) the file is cut back to where it was,
   * and a StoreError `ERR_WARC_WRITE` says what happened.
   */
  async append(members: readonly Buffer[], storeSize: number, digestLines = ''): Promise<void> {
    if (members.length === 0) return;
    if (!this.#handle || (this.#length >= this.#options.maxFileBytes && this.#confirmed === this.#length)) await this.#rotate(storeSize);
    const handle = this.#handle!;
    const before = this.#length;
    const digestsBefore = this.#digestsLength;
    const bytes = members.reduce((sum, member) => sum + member.length, 0);
    let digestsAfter = digestsBefore;
    try {
      await writeAll(handle, members, before);
      await handle.datasync();
      if (digestLines.length > 0 && this.#options.digestsPath) {
        const lines = Buffer.from(digestLines, 'utf8');
        this.#digests ??= await open(this.#options.digestsPath, 'a');
        await writeAll(this.#digests, [lines], digestsBefore);
        digestsAfter += lines.length;
      }
      this.#digestsLength = digestsAfter;
      await this.#writeState(before + bytes, storeSize);
    } catch (error) {
      await handle.truncate(before).catch(() => undefined);
      await this.#digests?.truncate(digestsBefore).catch(() => undefined);
      this.#digestsLength = digestsBefore;
      throw writeError(this.#file, error);
    }
    this.#length = before + bytes;
  }

  /** The pages of every batch appended so far are committed: their records stay on resume. */
  confirm(): void {
    this.#confirmed = this.#length;
    this.#digestsConfirmed = this.#digestsLength;
  }

  async close(): Promise<void> {
    const handle = this.#handle;
    const digests = this.#digests;
    this.#handle = this.#digests = undefined;
    await handle?.close();
    await digests?.close();
  }

  async #rotate(storeSize: number): Promise<void> {
    await this.close();
    this.#serial++;
    const name = fileName(this.#options, this.#serial, Date.now());
    const file = path.join(this.#options.dir, name);
    try {
      this.#file = file;
      this.#length = 0;
      this.#confirmed = 0;
      // The state names the new file before it exists: a kill from here on leaves it cut to its
      // committed part, or removed while nothing of it is committed.
      await this.#writeState(0, storeSize);
      this.#handle = await open(file, 'wx');
      const info = this.#options.warcinfo(name);
      await this.#handle.write(info, 0, info.length, 0);
      this.#length = this.#confirmed = info.length;
      await this.#writeState(info.length, storeSize);
    } catch (error) {
      throw writeError(file, error);
    }
    this.written.push(file);
  }

  async #writeState(length: number, storeSize: number): Promise<void> {
    const state: WarcState = {
      version: 1,
      file: this.#file,
      serial: this.#serial,
      length,
      confirmedLength: this.#confirmed,
      storeSize,
      digestsLength: this.#digestsLength,
      confirmedDigestsLength: this.#digestsConfirmed,
    };
    const temp = `${this.#options.statePath}.tmp`;
    await writeFile(temp, JSON.stringify(state));
    await rename(temp, this.#options.statePath);
  }
}

/** Writes all of `buffers` at `position` (writev may write less than asked). */
async function writeAll(handle: FileHandle, buffers: readonly Buffer[], position: number): Promise<void> {
  const bytes = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
  let written = (await handle.writev(buffers as Buffer[], position)).bytesWritten;
  if (written < bytes) {
    const all = Buffer.concat(buffers as Buffer[]);
    while (written < bytes) written += (await handle.write(all, written, bytes - written, position + written)).bytesWritten;
  }
}

/**
 * Cuts the digests file to the length the state says holds (its lines of records a resume cuts
 * go with them); removes it when the state names none. The bytes kept.
 */
async function keepDigests(file: string | undefined, length: number | undefined): Promise<number> {
  if (!file) return 0;
  if (!length) {
    await rm(file, { force: true });
    return 0;
  }
  const size = await stat(file).then((s) => s.size, () => 0);
  if (size > length) await truncate(file, length);
  return Math.min(size, length);
}

/** `<prefix>-<yyyyMMddHHmmssSSS>-<serial>[-<node>].warc[.gz]`. */
export function fileName(options: Pick<WarcFilesOptions, 'prefix' | 'nodeId' | 'gzip'>, serial: number, nowMs: number): string {
  const stamp = new Date(nowMs).toISOString().replace(/[-:TZ.]/g, '');
  const node = options.nodeId ? `-${options.nodeId}` : '';
  return `${options.prefix}-${stamp}-${String(serial).padStart(5, '0')}${node}.warc${options.gzip ? '.gz' : ''}`;
}

async function readState(statePath: string): Promise<WarcState | undefined> {
  let text: string;
  try {
    text = await readFile(statePath, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const state = JSON.parse(text) as WarcState;
    if (state.version === 1 && typeof state.file === 'string' && Number.isSafeInteger(state.length)) return state;
  } catch {
    // Written by rename: a bad file is not ours to guess at.
  }
  throw new StoreError('ERR_WARC_STATE', `${statePath} is not a WARC state file skein wrote; move it away to start new WARC files`);
}

/**
 * Creates `dir` if missing and checks a file can be written in it; a ConfigError naming
 * `output.warc.dir` if not, with the directories it created removed again (nothing written).
 */
export function checkWarcDir(dir: string): Promise<void> {
  return checkWritableDir(dir, 'output.warc.dir', 'write WARC files to');
}

function writeError(file: string, error: unknown): StoreError {
  const code = (error as { code?: string }).code;
  const why = code === 'ENOSPC' ? 'no space left on the device' : (error as Error).message;
  return new StoreError('ERR_WARC_WRITE', `cannot write the WARC file ${file}: ${why}; what it held before is intact`, { cause: error });
}
