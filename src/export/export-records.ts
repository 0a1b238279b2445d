/**
 * `exportRecords`: streams a crawl's page records to a writable stream as
 * JSON Lines, CSV or JSON. Never holds more than one record (plus one chunk
 * of output) in memory, waits for `drain` when the stream is full, and ends
 * quietly when the reader goes away (`skein export | head`: EPIPE).
 */
import { ConfigError } from '../core/errors.js';
import type { PageRecord } from '../core/types.js';
import type { ChunkOptions } from './chunk-markdown.js';
import { chunkRecords } from './chunk-records.js';
import { ChunkWriter } from './chunk-writer.js';
import { writeCsv } from './csv-exporter.js';
import { writeJson } from './json-exporter.js';
import { writeJsonl } from './jsonl-exporter.js';
import { validateFields } from './record-fields.js';

export type ExportFormat = 'jsonl' | 'csv' | 'json';

export const EXPORT_FORMATS: readonly ExportFormat[] = ['jsonl', 'csv', 'json'];

export interface ExportOptions {
  /** Output format: JSON Lines, CSV (RFC 4180) or one JSON array. */
  format: ExportFormat;
  /**
   * Fields to export, in order: top-level record keys, `timings.waitMs`-style
   * sub-keys, or `fields.<name>` (e.g. `['url', 'status', 'title', 'fields.price']`).
   * @default every field of each record (CSV: every column found in a first pass)
   */
  fields?: string[];
  /** End `out` when done (and wait for `finish`); leave false for stdout. @default false */
  end?: boolean;
  /**
   * Write retrieval chunks of each page's Markdown instead of whole records
   * (JSONL and JSON only): `{ url, title, fetchedAt, chunk, chunks, headings, markdown }`,
   * with `fields` choosing the page fields.
   */
  chunks?: ChunkOptions;
}

export interface ExportResult {
  /** Records handed to the stream (fewer than stored if the reader went away). */
  records: number;
}

/**
 * Exports page records.
 * @param openRecords opens a fresh pass over the records (e.g. `() => store.iterate()`);
 *   called twice for CSV without `fields` (a first pass collects the columns)
 * @param out destination; not ended unless `opts.end`
 * @throws ConfigError for an unknown format or field name, before anything is written
 * @throws CrawlError `ERR_EXPORT_WRITE` when the stream fails for another reason than EPIPE/close
 */
export async function exportRecords(
  openRecords: () => AsyncIterable<PageRecord>,
  out: NodeJS.WritableStream,
  opts: ExportOptions,
): Promise<ExportResult> {
  if (!EXPORT_FORMATS.includes(opts.format)) {
    throw new ConfigError('format', `expected one of ${EXPORT_FORMATS.join(', ')}, got ${JSON.stringify(opts.format)}`);
  }
  const fields = opts.fields === undefined ? undefined : validateFields(opts.fields);
  if (opts.chunks !== undefined && opts.format === 'csv') throw new ConfigError('chunk-chars', 'chunks are exported as JSONL or JSON, not CSV');
  const writer = new ChunkWriter(out);
  writer.open();
  try {
    let records: number;
    if (opts.chunks !== undefined) {
      const chunks = chunkRecords(openRecords(), opts.chunks, fields) as AsyncIterable<PageRecord>;
      records = opts.format === 'json' ? await writeJson(chunks, writer) : await writeJsonl(chunks, writer);
      await writer.finish(opts.end ?? false);
      return { records };
    }
    switch (opts.format) {
      case 'jsonl':
        records = await writeJsonl(openRecords(), writer, fields);
        break;
      case 'json':
        records = await writeJson(openRecords(), writer, fields);
        break;
      case 'csv':
        records = await writeCsv(openRecords, writer, fields);
        break;
    }
    await writer.finish(opts.end ?? false);
    return { records };
  } finally {
    writer.close();
  }
}
