/**
 * The report as one self-contained HTML file: inline CSS, the data as JSON
 * in a `<script type="application/json">`, and the client script (compiled
 * from src/report/client/ by `npm run build` into dist/report-client/),
 * inline too, so the file opens offline from disk with nothing fetched.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
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

/**
 * JSON safe inside a `<script>` element: `<` is written `\u003c`, so no
 * string in the data (a title holding `</script>`) can end the element early.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** The report page. */
export async function renderReport(data: ReportData): Promise<string> {
  const script = await readClientScript();
  const title = `skein report: ${data.name}`;
  return `<!doctype html>
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
<script id="report-data" type="application/json">${scriptSafeJson(data)}</script>
<script>(function () {
"use strict";
${script.replace(/<\/script/gi, '<\\/script')}
})();</script>
</body>
</html>
`;
}
