/**
 * Writes a command's `--out FILE` atomically: into a temp file next to it,
 * renamed over it once complete, so a failure (or a kill) never leaves a
 * half-written file where the user looks for it. Used by `export` and
 * `report`.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { ConfigError } from '../core/errors.js';

/** Throws a ConfigError naming `out` when its folder does not exist (before anything is written). */
export async function assertWritableFolder(out: string): Promise<void> {
  const folder = path.dirname(path.resolve(out));
  const found = await stat(folder).catch(() => undefined);
  if (!found) throw new ConfigError('out', `cannot write ${out}: the folder ${path.dirname(out)} does not exist (create it first)`);
  if (!found.isDirectory()) throw new ConfigError('out', `cannot write ${out}: ${path.dirname(out)} is not a folder`);
}

/**
 * Runs `write` on a stream into a temp file, then renames it to `out`. On
 * any failure the temp file is removed and `out` is left as it was; a file
 * system error on `out` becomes a ConfigError naming the path the user gave.
 */
export async function writeOutFile<T>(out: string, write: (stream: WriteStream) => Promise<T>): Promise<T> {
  await assertWritableFolder(out);
  const tmp = `${out}.tmp-${process.pid}`;
  const stream = createWriteStream(tmp);
  try {
    const result = await write(stream);
    stream.end();
    await finished(stream);
    await rename(tmp, out);
    return result;
  } catch (error) {
    stream.destroy();
    await rm(tmp, { force: true });
    // The temp file is ours, not the user's: name the path they gave.
    const failedPath = (error as NodeJS.ErrnoException).path;
    if (failedPath === tmp || failedPath === out) throw new ConfigError('out', `cannot write ${out}: ${(error as Error).message.replace(tmp, out)}`, { cause: error });
    throw error;
  }
}
