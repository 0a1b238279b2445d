/**
 * A segment's keys sidecar: `000007.keys.json` next to `000007.json`, holding
 * the keys of the segment's items, how many of them are marked (the log's
 * `markOf`: the page store marks records of pages never fetched) and the
 * segment's byte size, so a store can rebuild its key set and counts without
 * parsing whole records. Derived data, never
 * trusted alone: it is read only next to its segment and only while the
 * segment still has the recorded size (a sidecar written before a kill, or a
 * segment truncated or replaced since, falls back to reading the segment).
 * Written after its segment, atomically (lowdb: temp file + rename).
 */
import { readFile, stat } from 'node:fs/promises';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';

/** The format version written into every sidecar (version 1 had no `marked`: its segment is read instead). */
export const KEYS_SIDECAR_VERSION = 2;

/** What a sidecar tells about its segment. */
export interface SegmentIndex {
  /** Keys of the items, in order. */
  keys: string[];
  /** Items the log's `markOf` marked. */
  marked: number;
}

interface KeysSidecar extends SegmentIndex {
  version: number;
  /** Size in bytes of the segment the keys were taken from. */
  segmentBytes: number;
}

/** `…/000007.json` → `…/000007.keys.json`. */
export function keysSidecarPath(segmentPath: string): string {
  return segmentPath.replace(/\.json$/, '.keys.json');
}

/**
 * Writes the sidecar of the segment at `segmentPath` (already on disk). Best
 * effort: the segment is durable, so a failed sidecar must not fail the
 * append (its items would be written twice); readers then read the segment.
 */
export async function writeKeysSidecar(segmentPath: string, index: SegmentIndex): Promise<void> {
  try {
    const segmentBytes = (await stat(segmentPath)).size;
    await new Low<KeysSidecar>(new JSONFile(keysSidecarPath(segmentPath)), { version: KEYS_SIDECAR_VERSION, segmentBytes, ...index }).write();
  } catch {
    // derived data: readers fall back to the segment
  }
}

/** The sidecar's index when it exists and matches its segment; undefined otherwise (read the segment). */
export async function readKeysSidecar(segmentPath: string): Promise<SegmentIndex | undefined> {
  try {
    const [text, segment] = await Promise.all([readFile(keysSidecarPath(segmentPath), 'utf8'), stat(segmentPath)]);
    const data = JSON.parse(text) as Partial<KeysSidecar> | null;
    if (data?.version !== KEYS_SIDECAR_VERSION || data.segmentBytes !== segment.size || !Array.isArray(data.keys)) return undefined;
    if (!Number.isInteger(data.marked) || data.marked! < 0 || data.marked! > data.keys.length) return undefined;
    return data.keys.every((key) => typeof key === 'string' && key !== '') ? { keys: data.keys, marked: data.marked! } : undefined;
  } catch {
    return undefined; // missing or unreadable
  }
}
