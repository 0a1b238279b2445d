/**
 * `skein export <name>`: streams stored pages out as JSONL, CSV or JSON (to
 * stdout or a file), as Markdown files or llms.txt (into a directory), or as
 * retrieval chunks of each page's Markdown (`--chunk-chars`).
 */
import type { ActionContext } from './command-list.js';
import { ConfigError } from '../core/errors.js';
import { exportDirectory, type DirectoryFormat } from '../export/export-directory.js';
import { exportRecords, type ExportFormat, type ExportOptions } from '../export/export-records.js';
import { openMergedCrawl } from '../distributed/merged-crawl.js';
import { writeOutFile } from './write-out-file.js';

/** Chunks shorter than this would cut most paragraphs apart. */
const MIN_CHUNK_CHARS = 100;

interface ExportFlags {
  format: ExportFormat | DirectoryFormat;
  fields?: string;
  out?: string;
  dataDir: string[];
  chunkChars?: number;
  chunkOverlap?: number;
}

function chunkOptions(options: ExportFlags): ExportOptions['chunks'] {
  if (options.chunkChars === undefined) {
    if (options.chunkOverlap !== undefined) throw new ConfigError('chunk-overlap', 'needs --chunk-chars');
    return undefined;
  }
  if (options.chunkChars < MIN_CHUNK_CHARS) throw new ConfigError('chunk-chars', `expected at least ${MIN_CHUNK_CHARS}, got ${options.chunkChars}`);
  const overlap = options.chunkOverlap ?? 0;
  if (overlap * 2 > options.chunkChars) throw new ConfigError('chunk-overlap', `expected at most half of --chunk-chars (${Math.floor(options.chunkChars / 2)}), got ${overlap}`);
  return { maxChars: options.chunkChars, overlapChars: overlap };
}

/** Runs `skein export` (declared in command-list.ts). */
export async function action(_context: ActionContext, name: string, options: ExportFlags): Promise<void> {
  const chunks = chunkOptions(options);
  const fields = options.fields ? options.fields.split(',').map((f) => f.trim()).filter(Boolean) : undefined;
  if (fields && fields.length === 0) throw new ConfigError('fields', 'expected a comma-separated list of field names');
  const crawl = await openMergedCrawl(options.dataDir.length > 0 ? options.dataDir : ['data'], name);

  if (options.format === 'markdown' || options.format === 'llms-txt') {
    if (options.out === undefined) throw new ConfigError('out', `--format ${options.format} writes several files: give a directory with --out DIR`);
    if (chunks !== undefined) throw new ConfigError('chunk-chars', 'chunks are exported as JSONL or JSON (--format jsonl|json)');
    const { pages, withoutMarkdown } = await exportDirectory(() => crawl.iterate(), options.out, options.format, name);
    const skipped = withoutMarkdown > 0 ? ` (${withoutMarkdown} records without Markdown left out: failed, skipped or not HTML)` : '';
    process.stderr.write(`${pages} page${pages === 1 ? '' : 's'} written to ${options.out}${skipped}\n`);
    return;
  }

  const exportOptions: ExportOptions = { format: options.format, ...(fields ? { fields } : {}), ...(chunks ? { chunks } : {}) };
  if (!options.out) {
    await exportRecords(() => crawl.iterate(), process.stdout, exportOptions);
    return;
  }
  const { records } = await writeOutFile(options.out, (out) => exportRecords(() => crawl.iterate(), out, exportOptions));
  process.stderr.write(`${records} ${chunks ? 'chunks' : 'records'} written to ${options.out}\n`);
}
