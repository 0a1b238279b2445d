/**
 * Opens a stored crawl read-only for `export` and `status`.
 */
import { access } from 'node:fs/promises';
import { ConfigError } from '../core/errors.js';
import { CrawlMeta, type CrawlMetaData } from '../store/crawl-meta.js';
import { crawlPaths } from '../store/crawl-dir.js';
import { LowdbPageStore } from '../store/lowdb-page-store.js';

export interface StoredCrawl {
  dir: string;
  meta: CrawlMetaData | undefined;
  store: LowdbPageStore;
}

export async function openStoredCrawl(dataDir: string, name: string): Promise<StoredCrawl> {
  const paths = crawlPaths(dataDir, name);
  try {
    await access(paths.dir);
  } catch {
    throw new ConfigError('name', `no crawl named "${name}" in ${dataDir}/ (run \`skein status\` with --data-dir, or list ${dataDir}/)`);
  }
  const meta = await new CrawlMeta(paths.meta).read();
  const store = await LowdbPageStore.open(paths.pages);
  return { dir: paths.dir, meta, store };
}
