/**
 * Creates a directory and its missing parents, one level at a time, and says
 * which it created (so a failed set-up can remove them again: nothing stays
 * written).
 *
 * Node 20's `mkdir(dir, { recursive: true })` loops for ever where `mkdir`
 * answers ENOENT although the parent exists (`/proc/x`): it retries the
 * parent, finds it there, and tries the child again. Here each missing level
 * is one plain `mkdir`, so every failure is an error, at once.
 */
import { constants } from 'node:fs';
import { access, mkdir, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { ConfigError } from '../core/errors.js';
import path from 'node:path';

/** Creates `dir` (and its missing parents); returns the directories it created, outermost first. */
export async function makeDirectory(dir: string): Promise<string[]> {
  const missing: string[] = [];
  let current = path.resolve(dir);
  for (;;) {
    const found = await stat(current).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (found) {
      if (!found.isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${current}'`), { code: 'ENOTDIR', path: current });
      break;
    }
    missing.push(current);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  const created: string[] = [];
  for (const level of missing.reverse()) {
    try {
      await mkdir(level);
      created.push(level);
    } catch (error) {
      // Made by someone else meanwhile: fine, if it is a directory.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && (await stat(level)).isDirectory()) continue;
      throw error;
    }
  }
  return created;
}

/** Removes directories `makeDirectory` created (if still empty), innermost first. */
export async function removeCreated(created: readonly string[]): Promise<void> {
  for (const dir of [...created].reverse()) await rmdir(dir).catch(() => undefined);
}

/**
 * Checks, before anything else is written, that files can be written in `dir`
 * (created with its parents if missing): a directory that cannot be created
 * (under /proc, a file in the way, a read-only file system) or written is a
 * `ConfigError` of `field` ("cannot <what> "<dir>": …"), and the directories
 * the check made are removed again; with `keep: false` they are removed
 * after a check that passed too (the caller creates them when it writes).
 */
export async function checkWritableDir(dir: string, field: string, what: string, { keep = true } = {}): Promise<void> {
  let created: string[] = [];
  try {
    created = await makeDirectory(dir);
    await access(dir, constants.W_OK);
    const probe = path.join(dir, `.skein-write-test-${process.pid}`);
    await writeFile(probe, '');
    await unlink(probe);
  } catch (error) {
    await removeCreated(created);
    throw new ConfigError(field, `cannot ${what} "${dir}": ${(error as Error).message}`, { cause: error });
  }
  if (!keep) await removeCreated(created);
}
