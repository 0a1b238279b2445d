/**
 * Splits a page's Markdown into chunks for retrieval. Pure.
 *
 * - Blocks (paragraphs, lists, tables, fenced code with its blank lines)
 *   are packed in order into chunks of at most `maxChars` characters.
 * - A heading starts a new chunk once the current one is half full, so
 *   chunks tend to begin at sections rather than mid-way.
 * - Every chunk carries its heading path (`["Guide", "Install", "Linux"]`):
 *   the headings above its first block.
 * - A block longer than `maxChars` is split: code between lines (each part
 *   fenced again), tables between rows (the header repeated), text between
 *   sentences, then words, then characters.
 * - `overlapChars` > 0 starts each chunk after the first with the end of the
 *   previous one (from a word boundary); the total still fits `maxChars`.
 */

export interface ChunkOptions {
  /** Upper bound on a chunk's length in characters (≥ 100). */
  maxChars: number;
  /** Characters of the previous chunk repeated at the start of the next. @default 0 */
  overlapChars?: number;
}

export interface MarkdownChunk {
  /** Headings above the chunk's first block, outermost first. */
  headings: string[];
  /** The chunk's Markdown. */
  text: string;
}

interface Block {
  text: string;
  /** Heading level (1–6), 0 for other blocks. */
  level: number;
}

const HEADING = /^(#{1,6}) (.*)$/;
const FENCE = /^(`{3,}|~{3,})/;

/** The Markdown as blocks: split at blank lines, except inside fenced code. */
export function markdownBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  let lines: string[] = [];
  let fence: string | undefined;
  const flush = (): void => {
    if (lines.length === 0) return;
    const text = lines.join('\n');
    const heading = lines.length === 1 ? HEADING.exec(text) : null;
    blocks.push({ text, level: heading ? heading[1]!.length : 0 });
    lines = [];
  };
  for (const line of markdown.split('\n')) {
    const marker = FENCE.exec(line)?.[1];
    if (fence !== undefined) {
      lines.push(line);
      if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = undefined;
      continue;
    }
    if (marker !== undefined) {
      fence = marker;
      lines.push(line);
      continue;
    }
    if (line.trim() === '') flush();
    else {
      if (HEADING.test(line)) flush();
      lines.push(line);
      if (HEADING.test(line)) flush();
    }
  }
  flush();
  return blocks;
}

/** Pieces of one block that is too long, each at most `max` characters. */
function splitBlock(text: string, max: number): string[] {
  const fence = FENCE.exec(text)?.[1];
  if (fence !== undefined) {
    const lines = text.split('\n');
    const open = lines[0]!;
    const body = lines.slice(1, lines[lines.length - 1]!.trim() === fence ? -1 : undefined);
    return pack(body, max - open.length - fence.length - 2, '\n').map((part) => `${open}\n${part}\n${fence}`);
  }
  if (text.startsWith('| ') && text.includes('\n| ---')) {
    const lines = text.split('\n');
    const head = `${lines[0]}\n${lines[1]}`;
    return pack(lines.slice(2), max - head.length - 1, '\n').map((rows) => `${head}\n${rows}`);
  }
  return pack(text.split(/(?<=[.!?])\s+/), max, ' ');
}

/** Joins pieces with `separator` into parts of at most `max` characters, cutting pieces that alone are too long. */
function pack(pieces: readonly string[], max: number, separator: string): string[] {
  const limit = Math.max(20, max);
  const parts: string[] = [];
  let current = '';
  const push = (piece: string): void => {
    if (current === '') current = piece;
    else if (current.length + separator.length + piece.length <= limit) current += separator + piece;
    else {
      parts.push(current);
      current = piece;
    }
  };
  for (const piece of pieces) {
    if (piece.length <= limit) {
      push(piece);
      continue;
    }
    const words = separator === ' ' ? [piece] : piece.split(' ');
    for (const word of words) {
      for (let i = 0; i < word.length; i += limit) push(word.slice(i, i + limit));
    }
  }
  if (current !== '') parts.push(current);
  return parts;
}

/** The last `chars` characters of a chunk, starting at a word. */
function tail(text: string, chars: number): string {
  if (chars <= 0) return '';
  if (text.length <= chars) return text;
  const cut = text.slice(text.length - chars);
  const space = cut.search(/\s/);
  return space === -1 ? cut : cut.slice(space).trimStart();
}

/**
 * Chunks one page's Markdown.
 * @example
 * chunkMarkdown('# A\n\nintro\n\n## B\n\nbody', { maxChars: 1000 })
 * // → [{ headings: ['A'], text: '# A\n\nintro\n\n## B\n\nbody' }]
 */
export function chunkMarkdown(markdown: string, options: ChunkOptions): MarkdownChunk[] {
  const maxChars = options.maxChars;
  const overlap = Math.min(options.overlapChars ?? 0, Math.floor(maxChars / 2));
  const chunks: MarkdownChunk[] = [];
  const path: Array<{ level: number; text: string }> = [];
  let parts: string[] = [];
  let length = 0;
  let headings: string[] = [];
  let prefix = '';
  const close = (): void => {
    if (parts.length === 0) return;
    const text = parts.join('\n\n');
    chunks.push({ headings, text: prefix === '' ? text : `${prefix}\n\n${text}` });
    prefix = tail(text, overlap);
    parts = [];
    length = 0;
  };
  const budget = (): number => maxChars - (prefix === '' ? 0 : prefix.length + 2);
  /** The longest piece that fits any chunk, overlap included. */
  const room = maxChars - (overlap > 0 ? overlap + 2 : 0);
  for (const block of markdownBlocks(markdown)) {
    if (block.level > 0) {
      if (length >= budget() / 2) close();
      while (path.length > 0 && path[path.length - 1]!.level >= block.level) path.pop();
      path.push({ level: block.level, text: block.text.replace(HEADING, '$2') });
    }
    const pieces = block.text.length > room ? splitBlock(block.text, room) : [block.text];
    for (const piece of pieces) {
      if (parts.length > 0 && length + 2 + piece.length > budget()) close();
      if (parts.length === 0) headings = path.map((h) => h.text);
      parts.push(piece);
      length += (parts.length > 1 ? 2 : 0) + piece.length;
    }
  }
  close();
  return chunks;
}
