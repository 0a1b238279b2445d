/**
 * Measures for the main-content quality suite: token 4-gram shingle F1 (the
 * metric of the ScrapingHub article-extraction benchmark) between extracted
 * and expected text, and the structure of a Markdown document (headings,
 * GFM tables, fenced code, link and image targets) for exact assertions.
 */

/** Lower-cased word tokens (letters and digits); punctuation and Markdown syntax are not tokens. */
export function tokens(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

function shingles(words: readonly string[], size = 4): Map<string, number> {
  const counts = new Map<string, number>();
  if (words.length === 0) return counts;
  const n = Math.min(size, words.length);
  for (let i = 0; i + n <= words.length; i++) {
    const key = words.slice(i, i + n).join(' ');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Precision, recall and F1 of the extracted text's 4-gram shingles (multisets) against the expected text's. */
export function shingleF1(extracted: string, expected: string): { precision: number; recall: number; f1: number } {
  const got = shingles(tokens(extracted));
  const want = shingles(tokens(expected));
  let overlap = 0;
  let gotTotal = 0;
  let wantTotal = 0;
  for (const count of got.values()) gotTotal += count;
  for (const [key, count] of want) {
    wantTotal += count;
    overlap += Math.min(count, got.get(key) ?? 0);
  }
  const precision = gotTotal === 0 ? 0 : overlap / gotTotal;
  const recall = wantTotal === 0 ? 0 : overlap / wantTotal;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

export interface MarkdownStructure {
  /** Heading lines as written (`## Install`), outside code. */
  headings: string[];
  /** Each GFM table as rows of cell texts (header row first; the delimiter row left out). */
  tables: string[][][];
  /** Fenced code blocks: language and content. */
  code: Array<{ lang: string; text: string }>;
  /** Link targets (`[text](url)`), images excluded. */
  links: string[];
  /** Image targets. */
  images: string[];
}

function splitRow(line: string): string[] {
  const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  const cells: string[] = [];
  let cell = '';
  for (let i = 0; i < inner.length; i++) {
    if (inner[i] === '\\' && inner[i + 1] === '|') {
      cell += '|';
      i++;
    } else if (inner[i] === '|') {
      cells.push(cell.trim());
      cell = '';
    } else cell += inner[i];
  }
  cells.push(cell.trim());
  return cells;
}

/** Reads the structure of Markdown written by skein (GFM). */
export function markdownStructure(markdown: string): MarkdownStructure {
  const result: MarkdownStructure = { headings: [], tables: [], code: [], links: [], images: [] };
  const lines = markdown.split('\n');
  let fence: { marker: string; lang: string; lines: string[] } | undefined;
  let table: string[][] | undefined;
  for (const line of lines) {
    if (fence !== undefined) {
      if (line.trim() === fence.marker) {
        result.code.push({ lang: fence.lang, text: fence.lines.join('\n') });
        fence = undefined;
      } else fence.lines.push(line);
      continue;
    }
    const open = /^(`{3,})(\S*)$/.exec(line);
    if (open) {
      fence = { marker: open[1]!, lang: open[2]!, lines: [] };
      continue;
    }
    // Images first (they can sit inside a link's text), then links.
    const image = /!\[(?:\\.|[^\]\\])*\]\(([^()\s]+)\)/g;
    for (const match of line.matchAll(image)) result.images.push(match[1]!);
    for (const match of line.replace(image, 'image').matchAll(/\[(?:\\.|[^\]\\])*\]\(([^()\s]+)\)/g)) result.links.push(match[1]!);
    if (line.startsWith('|')) {
      if (/^\|(\s*-{3,}\s*\|)+$/.test(line.trim())) continue;
      table ??= [];
      table.push(splitRow(line));
      continue;
    }
    if (table !== undefined) {
      result.tables.push(table);
      table = undefined;
    }
    if (/^#{1,6} /.test(line)) result.headings.push(line);
  }
  if (table !== undefined) result.tables.push(table);
  return result;
}
