/**
 * `skein export NAME --format markdown --out DIR`: one `.md` file per page
 * that has Markdown (`extract.content`), named after its URL
 * (markdown-file-name.ts), with YAML front matter (url, title, fetchedAt,
 * description, lang). Streams: one record in memory at a time; clashing
 * names are found by creating files exclusively, not by remembering names.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PageRecord } from '../core/types.js';
import { markdownFileName, shortHash } from './markdown-file-name.js';

export interface MarkdownFilesResult {
  /** Files written. */
  files: number;
  /** Pages without Markdown (failed, skipped, not HTML, or crawled without extract.content). */
  withoutMarkdown: number;
}

/** A YAML scalar: JSON strings are valid YAML double-quoted scalars. */
const yaml = (value: string): string => JSON.stringify(value);

/** The front matter block of a page's file. */
export function frontMatter(record: PageRecord): string {
  const lines = ['---', `url: ${yaml(record.finalUrl ?? record.url)}`];
  if (record.title !== undefined) lines.push(`title: ${yaml(record.title)}`);
  lines.push(`fetchedAt: ${yaml(record.fetchedAt)}`);
  if (record.description !== undefined) lines.push(`description: ${yaml(record.description)}`);
  if (record.lang !== undefined) lines.push(`lang: ${yaml(record.lang)}`);
  lines.push('---', '');
  return lines.join('\n');
}

/** Writes `content` to a new file; on a name clash, tries `-<hash>` then `-<hash>-2`, … */
async function writeNew(dir: string, url: string, content: string): Promise<string> {
  const hash = shortHash(url);
  for (let attempt = 0; ; attempt++) {
    const suffix = attempt === 0 ? '' : attempt === 1 ? `-${hash}` : `-${hash}-${attempt}`;
    const relative = markdownFileName(url, suffix);
    const file = path.join(dir, ...relative.split('/'));
    await mkdir(path.dirname(file), { recursive: true });
    try {
      await writeFile(file, content, { flag: 'wx' });
      return relative;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST' && code !== 'EISDIR') throw error;
    }
  }
}

/** Writes every page with Markdown under `dir` (which exists). */
export async function writeMarkdownFiles(records: AsyncIterable<PageRecord>, dir: string): Promise<MarkdownFilesResult> {
  let files = 0;
  let withoutMarkdown = 0;
  for await (const record of records) {
    if (record.outcome !== 'ok' || record.markdown === undefined) {
      withoutMarkdown++;
      continue;
    }
    await writeNew(dir, record.finalUrl ?? record.url, `${frontMatter(record)}\n${record.markdown}\n`);
    files++;
  }
  return { files, withoutMarkdown };
}
