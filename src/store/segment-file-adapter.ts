/**
 * The lowdb adapter for one segment file. Reads like lowdb's `JSONFile`;
 * writes the segment's JSON document (`{"version":1,"items":[…]}`, one
 * compact item per line) without ever building it as one string.
 *
 * Why not a `DataFile`/`JSONFile` for writing: it stringifies the whole
 * batch at once, and steno then converts that string into one Buffer. For a
 * batch of 200 pages that is a ~5 MB string (~10 MB when a page's text holds
 * any character past U+00FF, e.g. one "—", which makes V8 store the whole
 * document as UTF-16) plus a ~5 MB Buffer per flush, allocated straight into
 * V8's large-object space and malloc: in the 10,000-page benchmark this was
 * about a third of everything the main process promoted to its old
 * generation (~42 of ~127 KB per page), and so a large share of its peak
 * heap (V8 lets the old generation grow to ~4× its live size between
 * full GCs). Here each
 * item is stringified on its own and written in chunks well below V8's
 * large-object size, so the garbage a flush leaves stays in the young
 * generation.
 *
 * Crash safety is steno's: the document goes to a temp file next to the
 * segment (`.000007.json.tmp`, the name `SegmentLog` removes on its next
 * start) and is renamed into place once complete, so a segment is either
 * whole or absent.
 */
import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Adapter } from 'lowdb';
import { JSONFile } from 'lowdb/node';

/** What one segment file holds (the items are written one per line). */
export interface SegmentDocument<T> {
  version: number;
  items: readonly T[];
}

/**
 * Characters per write (`FileHandle.writeFile` appends at the handle's
 * position and finishes short writes): well under V8's large-object
 * threshold (128 KiB, i.e. 64 Ki UTF-16 characters), so a chunk dies young.
 */
const CHUNK_CHARS = 32 * 1024;

/** `…/000007.json` → `…/.000007.json.tmp` (steno's temp name, which `SegmentLog` cleans up). */
export function segmentTempPath(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
}

export class SegmentFileAdapter<T> implements Adapter<SegmentDocument<T>> {
  readonly #file: string;

  constructor(file: string) {
    this.#file = file;
  }

  read(): Promise<SegmentDocument<T> | null> {
    return new JSONFile<SegmentDocument<T>>(this.#file).read();
  }

  async write(data: SegmentDocument<T>): Promise<void> {
    const temp = segmentTempPath(this.#file);
    const handle = await open(temp, 'w');
    try {
      let chunk = `{"version":${JSON.stringify(data.version)},"items":[\n`;
      for (let i = 0; i < data.items.length; i++) {
        // undefined (and functions) become null inside an array, as JSON.stringify does.
        const item = JSON.stringify(data.items[i]) ?? 'null';
        chunk += i === 0 ? item : `,\n${item}`;
        if (chunk.length >= CHUNK_CHARS) {
          await handle.writeFile(chunk);
          chunk = '';
        }
      }
      await handle.writeFile(`${chunk}\n]}\n`);
      await handle.close();
    } catch (error) {
      await handle.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    await rename(temp, this.#file);
  }
}
