/**
 * `skein export <name>`: streams stored pages out as JSONL, CSV or JSON.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { Command, Option } from 'commander';
import { ConfigError } from '../core/errors.js';
import { exportRecords } from '../export/export-records.js';
import { openMergedCrawl } from '../distributed/merged-crawl.js';

export function exportCommand(): Command {
  return new Command('export')
    .description('stream the stored pages of a crawl (stdout by default)')
    .argument('<name>', 'crawl name (a folder under --data-dir)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['jsonl', 'csv', 'json']).default('jsonl'))
    .option('--fields <list>', 'comma-separated fields, dotted for nested (e.g. url,status,title,fields.price)')
    .option('-o, --out <file>', 'write to a file (atomically) instead of stdout')
    .option('--data-dir <dir>', 'where crawls are stored (default: "data"); repeat it to merge several nodes\' data dirs (every page once)', (dir: string, dirs: string[]) => [...dirs, dir], [] as string[])
    .addHelpText('after', '\nExamples:\n  $ skein export example.com --format jsonl | jq .title\n  $ skein export example.com --format csv --fields url,status,title --out pages.csv')
    .action(async (name: string, options: { format: 'jsonl' | 'csv' | 'json'; fields?: string; out?: string; dataDir: string[] }) => {
      const crawl = await openMergedCrawl(options.dataDir.length > 0 ? options.dataDir : ['data'], name);
      const fields = options.fields ? options.fields.split(',').map((f) => f.trim()).filter(Boolean) : undefined;
      if (fields && fields.length === 0) throw new ConfigError('fields', 'expected a comma-separated list of field names');
      const exportOptions = { format: options.format, ...(fields ? { fields } : {}) };
      if (!options.out) {
        await exportRecords(() => crawl.iterate(), process.stdout, exportOptions);
        return;
      }
      const tmp = `${options.out}.tmp-${process.pid}`;
      const out = createWriteStream(tmp);
      try {
        const { records } = await exportRecords(() => crawl.iterate(), out, exportOptions);
        out.end();
        await finished(out);
        await rename(tmp, options.out);
        process.stderr.write(`${records} records written to ${options.out}\n`);
      } catch (error) {
        out.destroy();
        await rm(tmp, { force: true });
        throw error;
      }
    });
}
