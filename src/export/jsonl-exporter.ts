/**
 * JSON Lines: one JSON object per record, each line ending in `\n`
 * (an empty store is an empty file). Streams; holds one record at a time.
 */
import type { PageRecord } from '../core/types.js';
import type { ChunkWriter } from './chunk-writer.js';
import { pickFields } from './record-fields.js';

/**
 * Writes the records as JSON Lines.
 * @param fields validated field selection; all of each record when absent
 * @returns records written (fewer than available if the reader went away)
 */
export async function writeJsonl(
  records: AsyncIterable<PageRecord>,
  writer: ChunkWriter,
  fields?: readonly string[],
): Promise<number> {
  let count = 0;
  for await (const record of records) {
    await writer.write(`${JSON.stringify(fields === undefined ? record : pickFields(record, fields))}\n`);
    if (writer.stopped) break;
    count++;
  }
  return count;
}
