/**
 * Reads a segment in the compact format `SegmentWriter` writes, one item a
 * line:
 *
 *     {"version":1,"items":[
 *     {…item…},
 *     {…item…}
 *     ]}
 *
 * parsing each line on its own instead of the file as one string. A
 * segment is a few MB of JSON: as one string it lands in V8's large-object
 * space, which only a full collection frees, so reading a whole store (a
 * report or an export of 100,000 pages reads ~1 GB of segments) let tens of
 * MB of read segments pile up between collections. Lines of a few kB die
 * young instead, and the pass is faster too.
 *
 * Pure. Anything that is not exactly this format (another layout, a
 * truncated file, a bad line) gives undefined: the caller then reads the file
 * as one JSON document, whose verdict (and error message) stands.
 */

const HEADER = /^\{"version":(\d+),"items":\[$/;
const NEWLINE = 0x0a;

/** The segment's `{ version, items }` when `bytes` is a compact segment, else undefined. */
export function parseSegmentLines(bytes: Buffer): { version: number; items: unknown[] } | undefined {
  let end = bytes.indexOf(NEWLINE);
  if (end < 0) return undefined;
  const header = HEADER.exec(bytes.toString('utf8', 0, end));
  if (!header) return undefined;
  const items: unknown[] = [];
  let start = end + 1;
  // Every item line but the last ends with the comma that separates it from the next.
  let commaBefore = true;
  for (;;) {
    end = bytes.indexOf(NEWLINE, start);
    if (end < 0) return undefined;
    const line = bytes.toString('utf8', start, end);
    start = end + 1;
    if (line === ']}') return start === bytes.length && (items.length === 0 || !commaBefore) ? { version: Number(header[1]), items } : undefined;
    if (!commaBefore) return undefined;
    commaBefore = line.endsWith(',');
    try {
      items.push(JSON.parse(commaBefore ? line.slice(0, -1) : line));
    } catch {
      return undefined;
    }
  }
}
