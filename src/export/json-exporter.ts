/**
 * JSON: one array, streamed one record per line (`[\n{...},\n{...}\n]\n`),
 * valid JSON even for an empty store (`[]\n`). Holds one record at a time.
 */
import type { PageRecord } from '../core/types.js';
import type { ChunkWriter } from './chunk-writer.js';
import { pickFields } from './record-fields.js';

/**
 * Writes the records as a JSON array. If the reader goes away mid-way the
 * array is left unterminated (nobody is reading it).
 * @param fields validated field selection; all of each record when absent
 * @returns records written
 */
export async function writeJson(
  records: AsyncIterable<PageRecord>,
  writer: ChunkWriter,
  fields?: readonly string[],
): Promise<number> {
  let count = 0;
  for await (const record of records) {
    const json = JSON.stringify(fields === undefined ? record : pickFields(record, fields));
    await writer.write(count === 0 ? `[\n${json}` : `,\n${json}`);
    if (writer.stopped) break;
    count++;
  }
  if (!writer.stopped) await writer.write(count === 0 ? '[]\n' : '\n]\n');
  return count;
}
