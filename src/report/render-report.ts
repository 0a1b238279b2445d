/**
 * The report as one self-contained HTML file: inline CSS, the data as
 * gzipped JSON in base64 (a quarter of the JSON's size; the page inflates it
 * with the browser's own DecompressionStream), and the client script
 * (compiled from src/report/client/ by `npm run build` into
 * dist/report-client/), inline too, so the file opens offline from disk with
 * nothing fetched.
 *
 * The data is streamed into the file: its JSON is written a piece at a time
 * (an object key by key, a long array a slice at a time) into gzip, and the
 * gzip output is turned into base64 a chunk at a time, so neither the JSON
 * nor its base64 is ever one string in memory (on a 100,000-page crawl the
 * JSON is ~15 MB).
 */
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
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

/** Array entries serialised at a time. */
const ARRAY_SLICE = 1024;
/** JSON characters gathered before a write into gzip. */
const JSON_CHUNK_CHARS = 1 << 15;

/**
 * `JSON.stringify(value)` in pieces: objects key by key, arrays a slice of
 * `ARRAY_SLICE` entries at a time (each entry whole). Same text as
 * `JSON.stringify` for plain data (undefined properties left out, undefined
 * entries as null, `toJSON` honoured), and an `Int32Array` is written as
 * the array of its numbers.
 */
export function* jsonPieces(value: unknown): Generator<string> {
  if (value instanceof Int32Array) {
    // A page column (collect-report.ts): integers, which join() writes as JSON does.
    yield '[';
    for (let i = 0; i < value.length; i += ARRAY_SLICE) yield (i > 0 ? ',' : '') + value.subarray(i, i + ARRAY_SLICE).join(',');
    yield ']';
  } else if (Array.isArray(value)) {
    yield '[';
    for (let i = 0; i < value.length; i += ARRAY_SLICE) {
      const slice = JSON.stringify(value.slice(i, i + ARRAY_SLICE));
      yield (i > 0 ? ',' : '') + slice.slice(1, -1);
    }
    yield ']';
  } else if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON !== 'function') {
    yield '{';
    let first = true;
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
      yield (first ? '' : ',') + JSON.stringify(key) + ':';
      first = false;
      yield* jsonPieces(item);
    }
    yield '}';
  } else {
    yield JSON.stringify(value) ?? 'null';
  }
}

/** The pieces gathered into chunks of about `JSON_CHUNK_CHARS` (fewer, larger writes into gzip). */
function* chunked(pieces: Iterable<string>): Generator<string> {
  let buffered = '';
  for (const piece of pieces) {
    buffered += piece;
    if (buffered.length >= JSON_CHUNK_CHARS) {
      yield buffered;
      buffered = '';
    }
  }
  if (buffered) yield buffered;
}

/** Writes `text` to `out`, waiting for it to drain when its buffer is full; the bytes written. */
async function writeText(out: Writable, text: string): Promise<number> {
  if (!out.write(text)) await once(out, 'drain');
  return Buffer.byteLength(text);
}

/**
 * Writes the report data to `out` as the page embeds it (JSON, gzipped,
 * base64), streamed; the bytes written. Base64 is written in chunks of a
 * multiple of 3 bytes (the 0–2 bytes left over wait for the next chunk), so
 * the chunks join into one base64 text with no padding inside.
 */
export async function writeReportData(data: ReportData, out: Writable): Promise<number> {
  let written = 0;
  await pipeline(Readable.from(chunked(jsonPieces(data))), createGzip({ level: 6 }), async (gzipped: AsyncIterable<Buffer>) => {
    let carry = Buffer.alloc(0);
    for await (const chunk of gzipped) {
      const bytes = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      const whole = bytes.length - (bytes.length % 3);
      carry = Buffer.from(bytes.subarray(whole));
      written += await writeText(out, bytes.subarray(0, whole).toString('base64'));
    }
    written += await writeText(out, carry.toString('base64'));
  });
  return written;
}

/**
 * Writes the report page to `out` (which it leaves open: the caller ends
 * it, e.g. `writeOutFile`); the bytes written.
 */
export async function writeReport(data: ReportData, out: Writable): Promise<number> {
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
  let written = await writeText(out, head);
  written += await writeReportData(data, out);
  written += await writeText(out, tail);
  return written;
}
