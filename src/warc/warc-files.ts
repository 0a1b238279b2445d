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
 */
import { constants } from 'node:fs';
import { access, open, readFile, rename, stat, truncate, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, StoreError } from '../core/errors.js';
import { makeDirectory, removeCreated } from '../store/make-directory.js';

export interface WarcState {
  version: 1;
  /** Absolute path of the file being written. */
  file: string;
  serial: number;
  length: number;
  confirmedLength: number;
  storeSize: number;
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
  /** Every file this run wrote, oldest first. */
  readonly written: string[] = [];

  private constructor(options: WarcFilesOptions, serial: number) {
    this.#options = options;
    this.#serial = serial;
  }

  /**
   * Checks that the directory can be written (a ConfigError naming `output.warc.dir` if not),
   * then cuts what the previous run left past its committed length. `storeSize`: pages stored now.
   */
  static async open(options: WarcFilesOptions, storeSize: number): Promise<{ files: WarcFiles; recovered?: WarcRecovery }> {
    await checkWarcDir(options.dir);
    const state = await readState(options.statePath);
    const files = new WarcFiles(options, state?.serial ?? 0);
    if (!state) return { files };
    const keep = storeSize >= state.storeSize ? state.length : state.confirmedLength;
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
  async append(members: readonly Buffer[], storeSize: number): Promise<void> {
    if (members.length === 0) return;
    if (!this.#handle || (this.#length >= this.#options.maxFileBytes && this.#confirmed === this.#length)) await this.#rotate(storeSize);
    const handle = this.#handle!;
    const before = this.#length;
    const bytes = members.reduce((sum, member) => sum + member.length, 0);
    try {
      let written = (await handle.writev(members as Buffer[], before)).bytesWritten;
      if (written < bytes) {
        const all = Buffer.concat(members as Buffer[]);
        while (written < bytes) written += (await handle.write(all, written, bytes - written, before + written)).bytesWritten;
      }
      await handle.datasync();
      await this.#writeState(before + bytes, storeSize);
    } catch (error) {
      await handle.truncate(before).catch(() => undefined);
      throw writeError(this.#file, error);
    }
    this.#length = before + bytes;
  }

  /** The pages of every batch appended so far are committed: their records stay on resume. */
  confirm(): void {
    this.#confirmed = this.#length;
  }

  async close(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close();
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
    const state: WarcState = { version: 1, file: this.#file, serial: this.#serial, length, confirmedLength: this.#confirmed, storeSize };
    const temp = `${this.#options.statePath}.tmp`;
    await writeFile(temp, JSON.stringify(state));
    await rename(temp, this.#options.statePath);
  }
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
export async function checkWarcDir(dir: string): Promise<void> {
  let created: string[] = [];
  try {
    created = await makeDirectory(dir);
    await access(dir, constants.W_OK);
    const probe = path.join(dir, `.skein-write-test-${process.pid}`);
    await writeFile(probe, '');
    await unlink(probe);
  } catch (error) {
    await removeCreated(created);
    throw new ConfigError('output.warc.dir', `cannot write WARC files to "${dir}": ${(error as Error).message}`, { cause: error });
  }
}

function writeError(file: string, error: unknown): StoreError {
  const code = (error as { code?: string }).code;
  const why = code === 'ENOSPC' ? 'no space left on the device' : (error as Error).message;
  return new StoreError('ERR_WARC_WRITE', `cannot write the WARC file ${file}: ${why}; what it held before is intact`, { cause: error });
}
