/**
 * CSV (RFC 4180): a header row, then one row per record; fields containing
 * `,`, `"`, CR or LF are quoted with `"` doubled; rows end with CRLF; UTF-8
 * without a BOM. Cells are flattened as described in flatten-record.ts.
 *
 * The columns must be known before the first row. With a field selection
 * they are the selection, in its order. Without one, the exporter makes a
 * first pass over the records only to collect column names (never the
 * records themselves), then a second pass to write rows; the order is
 * `orderColumns` (record keys in `PageRecord` order, then `fields.*` sorted).
 * Columns that first appear between the two passes (a store still being
 * written) are not exported.
 */
import type { PageRecord } from '../core/types.js';
import type { ChunkWriter } from './chunk-writer.js';
import { collectColumns, flattenRecord, formatCell, orderColumns } from './flatten-record.js';
import { getField } from './record-fields.js';

const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV field, quoted when RFC 4180 requires it. */
export function csvField(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV row including its CRLF terminator. */
export function csvRow(cells: readonly string[]): string {
  return `${cells.map(csvField).join(',')}\r\n`;
}

/** First pass: the ordered columns of every record in the store. */
export async function discoverColumns(records: AsyncIterable<PageRecord>): Promise<string[]> {
  const columns = new Set<string>();
  for await (const record of records) collectColumns(record, columns);
  return orderColumns(columns);
}

/**
 * Writes the records as CSV.
 * @param openRecords opened once with `fields`, twice without (discovery pass)
 * @param fields validated field selection; discovered columns when absent
 * @returns records written
 */
export async function writeCsv(
  openRecords: () => AsyncIterable<PageRecord>,
  writer: ChunkWriter,
  fields?: readonly string[],
): Promise<number> {
  const columns = fields ?? (await discoverColumns(openRecords()));
  await writer.write(csvRow(columns));
  let count = 0;
  if (writer.stopped) return count;
  for await (const record of openRecords()) {
    let cells: string[];
    if (fields === undefined) {
      const flat = flattenRecord(record);
      cells = columns.map((column) => flat.get(column) ?? '');
    } else {
      cells = columns.map((column) => formatCell(getField(record, column)));
    }
    await writer.write(csvRow(cells));
    if (writer.stopped) break;
    count++;
  }
  return count;
}
