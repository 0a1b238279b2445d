/**
 * A directory export written atomically: everything goes to a temp folder
 * next to the target, which is renamed into place only when complete. The
 * target must not exist or be empty (an export never deletes files it did
 * not write); a failed export leaves nothing behind.
 */
import { readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../core/errors.js';
import { makeDirectory } from '../store/make-directory.js';

/**
 * Runs `write` on a fresh temp folder, then renames it to `dir`.
 * @throws ConfigError (field `out`) when `dir` exists and holds files, before anything is written
 */
export async function writeOutputDir<T>(dir: string, write: (tmpDir: string) => Promise<T>): Promise<T> {
  let entries: string[] | undefined;
  try {
    entries = await readdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw new ConfigError('out', `"${dir}" is a file; expected a directory to write into`);
    if (code !== 'ENOENT') throw error;
  }
  if (entries !== undefined && entries.length > 0) {
    throw new ConfigError('out', `"${dir}" exists and is not empty; give a new or empty directory (an export never overwrites files)`);
  }
  const tmp = path.join(path.dirname(path.resolve(dir)), `.${path.basename(dir)}.tmp-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  await makeDirectory(tmp);
  try {
    const result = await write(tmp);
    await rename(tmp, dir); // replaces an empty directory
    return result;
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
}
