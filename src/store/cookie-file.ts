/**
 * The crawl's cookie jar (`fetch.cookies`), kept in `<crawl>/cookies.json` so
 * that a resumed crawl continues the session: read when the crawl starts,
 * written (temp file + rename, readable by the owner only: cookies are
 * credentials) at each checkpoint and when the crawl closes. tough-cookie
 * keeps the jar (RFC 6265: domains, paths, expiry, Secure, public suffixes).
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { CookieJar } from 'tough-cookie';
import { StoreError } from '../core/errors.js';

export class CookieFile {
  readonly file: string;
  readonly jar: CookieJar;
  #saving: Promise<void> = Promise.resolve();

  private constructor(file: string, jar: CookieJar) {
    this.file = file;
    this.jar = jar;
  }

  /** The jar stored at `file`, or an empty one when there is none. A file that is not a jar is a StoreError naming it. */
  static async open(file: string): Promise<CookieFile> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new CookieFile(file, new CookieJar());
      throw new StoreError('ERR_STORE_READ', `could not read ${file}: ${(error as Error).message}`, { cause: error });
    }
    try {
      return new CookieFile(file, CookieJar.deserializeSync(text));
    } catch (error) {
      throw new StoreError('ERR_STORE_CORRUPT', `${file} is not a cookie jar (${(error as Error).message}); delete it to start a new session`, { cause: error });
    }
  }

  /** Writes the jar (one write at a time; the last call's state wins). */
  save(): Promise<void> {
    this.#saving = this.#saving.then(async () => {
      const temp = `${this.file}.tmp`;
      await writeFile(temp, JSON.stringify(this.jar.serializeSync()), { mode: 0o600 });
      await rename(temp, this.file);
    });
    return this.#saving;
  }
}
