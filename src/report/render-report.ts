/**
 * The report as one self-contained HTML file: inline CSS, the data as
 * gzipped JSON in base64 (a quarter of the JSON's size; the page inflates it
 * with the browser's own DecompressionStream), and the client script
 * (compiled from src/report/client/ by `npm run build` into
 * dist/report-client/), inline too, so the file opens offline from disk with
 * nothing fetched.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { ReportData } from './report-data.js';
import { REPORT_CSS } from './report-style.js';
import { formatBytes } from './report-summary.js';

/** The client script's parts, in the order they run (each a plain script sharing one scope). */
const CLIENT_PARTS = ['report-globals.js', 'report-table.js', 'report-charts.js', 'report-sections.js'];
const CLIENT_DIR = new URL('../../report-client/client/', import.meta.url);

let clientScript: Promise<string> | undefined;

/** The compiled client script, read once per process. */
export function readClientScript(): Promise<string> {
  clientScript ??= Promise.all(CLIENT_PARTS.map((part) => readFile(fileURLToPath(new URL(part, CLIENT_DIR)), 'utf8'))).then(
    // Pure helpers shared with the server side go in as their own source (one implementation).
    (parts) => [formatBytes.toString(), ...parts.map((part) => part.replace(/^"use strict";\s*/, '').replace(/\/\/# sourceMappingURL=.*$/m, ''))].join('\n'),
    (error: unknown) => {
      clientScript = undefined;
      throw new Error(`the report's client script is missing (${(error as Error).message}): run npm run build`, { cause: error });
    },
  );
  return clientScript;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
const escapeHtml = (text: string): string => text.replace(/[&<>"]/g, (ch) => ESCAPES[ch]!);

const gzipAsync = promisify(gzip);

/** The report data as the page embeds it: JSON, gzipped, base64. */
export async function encodeReportData(data: ReportData): Promise<string> {
  return (await gzipAsync(JSON.stringify(data), { level: 6 })).toString('base64');
}

/**
 * The report page, in parts to write one after the other (the data part is
 * the large one; the parts are never joined into one string).
 */
export async function renderReport(data: ReportData): Promise<string[]> {
  const script = await readClientScript();
  const title = `skein report: ${data.name}`;
  const head = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="skein">
<title>${escapeHtml(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header><h1>${escapeHtml(title)}</h1><div id="meta"></div></header>
<nav id="nav"></nav>
<main id="report"><noscript><p>This report needs JavaScript to draw its tables (it runs locally; nothing is fetched).</p></noscript></main>
<script id="report-data" type="application/gzip;base64">`;
  const tail = `</script>
<script>(function () {
"use strict";
${script.replace(/<\/script/gi, '<\\/script')}
})();</script>
</body>
</html>
`;
  return [head, await encodeReportData(data), tail];
}
