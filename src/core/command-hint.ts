/**
 * skein commands printed for the user to paste (after a crawl, in messages):
 * quoted for a POSIX shell and naming the data directory unless it is the
 * default, so that they find the same crawl. Pure.
 */
import { DEFAULT_DATA_DIR } from '../config/crawl-location.js';

/** `value` as one shell word (single-quoted when it holds anything but plain path characters). */
export function shellWord(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * `skein <args…>` for crawl `name` in `dataDir`, e.g.
 * `commandHint(['resume', 'site', '--max-pages', '200'], 'crawls')` →
 * `skein resume site --max-pages 200 --data-dir crawls`.
 */
export function commandHint(args: readonly string[], dataDir: string = DEFAULT_DATA_DIR): string {
  const words = ['skein', ...args.map(shellWord)];
  if (dataDir !== DEFAULT_DATA_DIR) words.push('--data-dir', shellWord(dataDir));
  return words.join(' ');
}
