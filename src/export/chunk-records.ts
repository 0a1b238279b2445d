/**
 * Pages as retrieval chunks (`skein export --chunk-chars N`): each page with
 * Markdown becomes one object per chunk (chunk-markdown.ts) carrying the
 * page's selected fields, the chunk's position, its heading path and its
 * Markdown. Pages without Markdown produce nothing. Streams.
 */
import type { PageRecord } from '../core/types.js';
import { chunkMarkdown, type ChunkOptions } from './chunk-markdown.js';
import { pickFields } from './record-fields.js';

/** Page fields copied into every chunk when no `--fields` are given. */
export const DEFAULT_CHUNK_FIELDS: readonly string[] = ['url', 'title', 'fetchedAt'];

export interface ChunkObject extends Record<string, unknown> {
  /** 0-based position of the chunk in its page. */
  chunk: number;
  /** Chunks in the page. */
  chunks: number;
  /** Heading path of the chunk, outermost first. */
  headings: string[];
  /** The chunk's Markdown. */
  markdown: string;
}

/**
 * @param fields validated page fields for each chunk @default DEFAULT_CHUNK_FIELDS
 */
export async function* chunkRecords(records: AsyncIterable<PageRecord>, options: ChunkOptions, fields: readonly string[] = DEFAULT_CHUNK_FIELDS): AsyncGenerator<ChunkObject> {
  for await (const record of records) {
    if (record.outcome !== 'ok' || record.markdown === undefined) continue;
    const page = pickFields(record, fields);
    const chunks = chunkMarkdown(record.markdown, options);
    for (const [i, chunk] of chunks.entries()) {
      yield { ...page, chunk: i, chunks: chunks.length, headings: chunk.headings, markdown: chunk.text };
    }
  }
}
