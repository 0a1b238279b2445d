/**
 * `skein export NAME --format llms-txt --out DIR`: the llms.txt convention
 * (llmstxt.org) for a crawled site.
 *
 * - `llms.txt`: `# <site title>`, `> <site description>`, then one `##`
 *   section per top-level path (`/docs/…` → "Docs"; with several hosts,
 *   "host /docs") listing `- [Title](url): description` for every page with
 *   Markdown, in crawl order. Up to 30 sections; later ones go to "Other".
 * - `llms-full.txt`: every page's Markdown, each under its title and a
 *   `Source: <url>` line.
 *
 * Streams in two passes over the store: the first keeps only the section
 * names and the home page's title and description; the second writes the
 * full file and appends index lines to one temp file per section, which are
 * concatenated at the end. Memory does not grow with the page count.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { PageRecord } from '../core/types.js';
import { linkDestination } from '../parse/markdown-syntax.js';
import { ChunkWriter } from './chunk-writer.js';

const MAX_SECTIONS = 30;
/** Distinct section keys remembered in the first pass (a broad crawl could have many hosts). */
const MAX_SECTION_KEYS = 1000;
const OTHER = 'Other';

export interface LlmsTxtResult {
  pages: number;
  withoutMarkdown: number;
}

interface Site {
  title?: string;
  description?: string;
  /** depth, then path length, of the record the title came from (the home page wins). */
  rank: [number, number];
}

const hasMarkdown = (record: PageRecord): boolean => record.outcome === 'ok' && record.markdown !== undefined;
const pageUrl = (record: PageRecord): string => record.finalUrl ?? record.url;

/** The section key of a page: host and first path segment. */
function sectionKey(url: URL): string {
  const first = url.pathname.split('/')[1] ?? '';
  const segment = url.pathname.split('/').length > 2 ? first : '';
  return `${url.host} /${segment}`;
}

/** A section's heading: "Docs", "Api reference", "Home" for pages at the root; the host too when several. */
function sectionTitle(key: string, withHost: boolean): string {
  const [host, segment] = key.split(' /') as [string, string];
  let name = decodeURIComponent(segment).replace(/[-_]+/g, ' ').trim();
  name = name === '' ? 'Home' : name.charAt(0).toUpperCase() + name.slice(1);
  return withHost ? `${host} ${name === 'Home' ? '' : `/${segment}`}`.trim() : name;
}

const inline = (text: string): string => text.replace(/\s+/g, ' ').trim();
const linkText = (text: string): string => inline(text).replace(/[[\]\\]/g, '\\$&');

/** The llms.txt index line of a page. */
export function indexLine(record: PageRecord): string {
  const url = pageUrl(record);
  const title = record.title !== undefined && inline(record.title) !== '' ? record.title : new URL(url).pathname;
  const description = record.description !== undefined && inline(record.description) !== '' ? `: ${inline(record.description)}` : '';
  return `- [${linkText(title)}](${linkDestination(url)})${description}\n`;
}

/** A page in llms-full.txt: its own `# ` heading when the Markdown starts with one, else its title. */
export function fullEntry(record: PageRecord): string {
  const markdown = record.markdown ?? '';
  const source = `Source: ${pageUrl(record)}`;
  if (markdown.startsWith('# ')) {
    const end = markdown.indexOf('\n');
    const heading = end === -1 ? markdown : markdown.slice(0, end);
    const rest = end === -1 ? '' : markdown.slice(end).replace(/^\n+/, '');
    return `${heading}\n\n${source}\n\n${rest}\n\n`.replace(/\n{3,}$/, '\n\n');
  }
  return `# ${inline(record.title ?? pageUrl(record))}\n\n${source}\n\n${markdown}\n\n`;
}

/**
 * Writes `llms.txt` and `llms-full.txt` into `dir` (which exists).
 * @param openRecords opens a fresh pass over the records (called twice)
 * @param name the crawl name: the title when no home page title is known
 */
export async function writeLlmsTxt(openRecords: () => AsyncIterable<PageRecord>, dir: string, name: string): Promise<LlmsTxtResult> {
  // Pass 1: section keys in order of first appearance, and the site's title.
  const keys = new Map<string, number>();
  const hosts = new Set<string>();
  const site: Site = { rank: [Infinity, Infinity] };
  for await (const record of openRecords()) {
    if (!hasMarkdown(record)) continue;
    const url = new URL(pageUrl(record));
    if (hosts.size < 2) hosts.add(url.host);
    const key = sectionKey(url);
    if (!keys.has(key) && keys.size < MAX_SECTION_KEYS) keys.set(key, keys.size);
    const rank: [number, number] = [record.depth, url.pathname.length];
    if (record.title !== undefined && (rank[0] < site.rank[0] || (rank[0] === site.rank[0] && rank[1] < site.rank[1]))) {
      Object.assign(site, { title: record.title, description: record.description, rank });
    }
  }
  const shown = [...keys.keys()].slice(0, MAX_SECTIONS);
  const sections = new Map<string, string>(shown.map((key) => [key, sectionTitle(key, hosts.size > 1)]));

  // Pass 2: llms-full.txt, and each section's index lines in a temp file.
  const partsDir = path.join(dir, '.sections');
  await mkdir(partsDir);
  const parts = new Map<string, { file: string; handle: FileHandle }>();
  let pages = 0;
  let withoutMarkdown = 0;
  await writeFileStream(path.join(dir, 'llms-full.txt'), async (writer) => {
    try {
      for await (const record of openRecords()) {
        if (!hasMarkdown(record)) {
          withoutMarkdown++;
          continue;
        }
        const key = sectionKey(new URL(pageUrl(record)));
        const section = sections.has(key) ? key : OTHER;
        let part = parts.get(section);
        if (part === undefined) {
          const file = path.join(partsDir, String(parts.size));
          part = { file, handle: await open(file, 'w') };
          parts.set(section, part);
        }
        await part.handle.write(indexLine(record));
        await writer.write(fullEntry(record));
        pages++;
      }
    } finally {
      for (const part of parts.values()) await part.handle.close();
    }
  });

  await writeFileStream(path.join(dir, 'llms.txt'), async (writer) => {
    await writer.write(`# ${inline(site.title ?? name)}\n`);
    if (site.description !== undefined && inline(site.description) !== '') await writer.write(`\n> ${inline(site.description)}\n`);
    for (const section of [...shown, OTHER]) {
      const part = parts.get(section);
      if (part === undefined) continue;
      await writer.write(`\n## ${section === OTHER ? OTHER : sections.get(section)}\n\n`);
      for await (const chunk of createReadStream(part.file, { encoding: 'utf8' })) await writer.write(chunk as string);
    }
  });
  await rm(partsDir, { recursive: true, force: true });
  return { pages, withoutMarkdown };
}

/** Creates `file` (it must not exist) and writes it through a ChunkWriter (backpressure honoured). */
async function writeFileStream(file: string, write: (writer: ChunkWriter) => Promise<void>): Promise<void> {
  const out = createWriteStream(file, { flags: 'wx' });
  const writer = new ChunkWriter(out);
  writer.open();
  try {
    await write(writer);
    await writer.finish(true);
  } finally {
    writer.close();
    out.destroy();
  }
}
