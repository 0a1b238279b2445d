/**
 * `skein export <name>`: streams stored pages out as JSONL, CSV or JSON (to
 * stdout or a file), as Markdown files or llms.txt (into a directory), or as
 * retrieval chunks of each page's Markdown (`--chunk-chars`).
 */
import { Command, Option } from 'commander';
import { ConfigError } from '../core/errors.js';
import { DIRECTORY_FORMATS, exportDirectory, type DirectoryFormat } from '../export/export-directory.js';
import { exportRecords, type ExportFormat, type ExportOptions } from '../export/export-records.js';
import { openMergedCrawl } from '../distributed/merged-crawl.js';
import { positiveIntFlag } from './positive-int-flag.js';
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

export function exportCommand(): Command {
  return new Command('export')
    .description('export the stored pages of a crawl: records (stdout by default), Markdown files, llms.txt, or Markdown chunks for retrieval')
    .argument('<name>', 'crawl name (a folder under --data-dir)')
    .addOption(new Option('-f, --format <format>', 'output format; markdown and llms-txt need pages crawled with --markdown and write into --out DIR').choices(['jsonl', 'csv', 'json', ...DIRECTORY_FORMATS]).default('jsonl'))
    .option('--fields <list>', 'comma-separated fields, dotted for nested (e.g. url,status,title,fields.price); with --chunk-chars, the page fields in each chunk (default url,title,fetchedAt)')
    .option('-o, --out <path>', 'write to a file (atomically) instead of stdout; a new or empty directory for markdown and llms-txt')
    .option('--chunk-chars <n>', 'write each page\'s Markdown as chunks of at most N characters (split at headings, then paragraphs; heading path in each chunk), JSONL or JSON', positiveIntFlag('chunk-chars'))
    .option('--chunk-overlap <n>', 'characters of the previous chunk repeated at the start of the next (default 0)', (value: string) => (value.trim() === '0' ? 0 : positiveIntFlag('chunk-overlap')(value)))
    .option('--data-dir <dir>', 'where crawls are stored (default: "data"); repeat it to merge several nodes\' data dirs (every page once)', (dir: string, dirs: string[]) => [...dirs, dir], [] as string[])
    .addHelpText(
      'after',
      '\nExamples:\n  $ skein export example.com --format jsonl | jq .title\n  $ skein export example.com --format csv --fields url,status,title --out pages.csv\n  $ skein export docs.example.com --format markdown --out docs-md/\n  $ skein export docs.example.com --format llms-txt --out site/\n  $ skein export docs.example.com --chunk-chars 2000 --chunk-overlap 200 --out chunks.jsonl',
    )
    .action(async (name: string, options: ExportFlags) => {
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
    });
}
