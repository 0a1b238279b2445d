/**
 * Memory of the Markdown exports as the crawl grows: a store of 1,000 and one
 * of 10,000 pages, each page ~20 KB of Markdown, exported with
 * `--format markdown`, `--format llms-txt` and `--chunk-chars 2000` (JSONL),
 * each in a fresh process; prints the peak RSS (getrusage maxrss) and the
 * time. Each export process runs with a 64 MiB old-space limit: 10,000 such
 * pages are ~200 MB of Markdown, so an export that held its pages would run
 * out of heap; a streaming one (one record, one store segment at a time)
 * finishes, with the same peak at 1,000 and 10,000 pages.
 *
 *   node dist/bench/markdown-export-memory.js [--sizes 1000,10000]
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PassThrough } from 'node:stream';
import type { PageRecord } from '../src/core/types.js';
import { openMergedCrawl } from '../src/distributed/merged-crawl.js';
import { exportDirectory } from '../src/export/export-directory.js';
import { exportRecords } from '../src/export/export-records.js';
import { crawlPaths } from '../src/store/crawl-dir.js';
import { LowdbPageStore } from '../src/store/lowdb-page-store.js';
import { formatTable } from '../src/bench/text-table.js';

/** Old-space limit of each export process (MiB); 10,000 such pages are ~200 MB of Markdown. */
const HEAP_LIMIT_MB = 64;

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '1000,10000' }, child: { type: 'string' }, data: { type: 'string' }, out: { type: 'string' } }, strict: false });

const SECTION = (n: number): string =>
  `## Section ${n}\n\n` +
  `Paragraph ${n} explains how the crawler fetches, parses and stores pages, with enough words to look like a real document. `.repeat(8) +
  `\n\n| key | value |\n| --- | --- |\n| a | ${n} |\n| b | ${n + 1} |\n\n\`\`\`js\nconst x = ${n};\nconsole.log(x);\n\`\`\`\n\n`;

function record(i: number): PageRecord {
  const url = `https://docs.example.com/section-${i % 50}/page-${i}`;
  return {
    key: url, url, finalUrl: url, redirects: [], status: 200, contentType: 'text/html', depth: 2, fetchedAt: new Date(1_700_000_000_000 + i).toISOString(),
    outcome: 'ok', bytes: 30_000, timings: { waitMs: 1, downloadMs: 1, parseMs: 2, totalMs: 4 },
    title: `Page ${i}`, description: `About page ${i}.`, markdown: `# Page ${i}\n\n` + Array.from({ length: 16 }, (_, s) => SECTION(s)).join(''),
  };
}

async function child(): Promise<void> {
  const [format, name] = [values.child as string, 'big'];
  const crawl = await openMergedCrawl([values.data as string], name);
  const started = performance.now();
  if (format === 'chunks') {
    const sink = new PassThrough();
    sink.resume();
    await exportRecords(() => crawl.iterate(), sink, { format: 'jsonl', chunks: { maxChars: 2000 } });
  } else await exportDirectory(() => crawl.iterate(), values.out as string, format as 'markdown' | 'llms-txt', name);
  console.log(JSON.stringify({ maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024), heapUsedMb: Math.round(process.memoryUsage().heapUsed / 2 ** 20), seconds: (performance.now() - started) / 1000 }));
}

async function main(): Promise<void> {
  const rows: Array<Array<string | number>> = [];
  for (const size of (values.sizes as string).split(',').map(Number)) {
    const data = await mkdtemp(path.join(os.tmpdir(), 'skein-md-export-bench-'));
    try {
      const store = await LowdbPageStore.open(crawlPaths(data, 'big').pages);
      for (let i = 0; i < size; i++) {
        store.put(record(i));
        if (i % 500 === 499) await store.flush();
      }
      await store.close();
      for (const format of ['markdown', 'llms-txt', 'chunks']) {
        const out = path.join(data, `out-${format}`);
        // A small old-space limit: an export that held its pages would run out of heap at 10,000 pages.
        const run = spawnSync(process.execPath, [`--max-old-space-size=${HEAP_LIMIT_MB}`, fileURLToPath(import.meta.url), '--child', format, '--data', data, '--out', out], { encoding: 'utf8' });
        if (run.status !== 0) throw new Error(run.stderr);
        const { maxRssMb, heapUsedMb, seconds } = JSON.parse(run.stdout) as { maxRssMb: number; heapUsedMb: number; seconds: number };
        rows.push([size, format, maxRssMb, heapUsedMb, seconds.toFixed(1)]);
        console.log(`${size} pages, ${format}: peak RSS ${maxRssMb} MB, heap after ${heapUsedMb} MB, ${seconds.toFixed(1)} s`);
      }
    } finally {
      await rm(data, { recursive: true, force: true });
    }
  }
  console.log(`\n${formatTable(['pages', 'export', 'peak RSS MB', 'heap used after, MB', 'seconds'], rows)}\nevery export ran with --max-old-space-size=${HEAP_LIMIT_MB}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
}

if (values.child !== undefined) await child();
else await main();
