/**
 * Directory exports: `--format markdown` (one `.md` per page) and
 * `--format llms-txt` (`llms.txt` + `llms-full.txt`), written atomically
 * into `--out DIR` (output-dir.ts). The writers are imported when an export
 * runs, so declaring `--format` (`skein --help`) and a JSONL export load none.
 */
import { ConfigError } from '../core/errors.js';
import type { PageRecord } from '../core/types.js';

export type DirectoryFormat = 'markdown' | 'llms-txt';

export const DIRECTORY_FORMATS: readonly DirectoryFormat[] = ['markdown', 'llms-txt'];

export interface DirectoryExportResult {
  /** Files written (markdown) or pages listed (llms-txt). */
  pages: number;
  /** Pages left out because they have no Markdown. */
  withoutMarkdown: number;
}

/**
 * Exports pages with Markdown into a new directory.
 * @param openRecords opens a fresh pass over the records (llms-txt makes two)
 * @param name the crawl's name (llms.txt's title when the home page has none)
 * @throws ConfigError (field `out`) for a non-empty target; (field `format`) when no page has Markdown — nothing is written then
 */
export async function exportDirectory(
  openRecords: () => AsyncIterable<PageRecord>,
  dir: string,
  format: DirectoryFormat,
  name: string,
): Promise<DirectoryExportResult> {
  const { writeOutputDir } = await import('./output-dir.js');
  return writeOutputDir(dir, async (tmp) => {
    const result = format === 'markdown' ? await (await import('./markdown-files.js')).writeMarkdownFiles(openRecords(), tmp) : await (await import('./llms-txt.js')).writeLlmsTxt(openRecords, tmp, name);
    const pages = 'files' in result ? result.files : result.pages;
    if (pages === 0) {
      throw new ConfigError('format', `no page of crawl "${name}" has Markdown (${result.withoutMarkdown} pages stored): crawl with --markdown (extract.content.enabled) to export --format ${format}`);
    }
    return { pages, withoutMarkdown: result.withoutMarkdown };
  });
}
