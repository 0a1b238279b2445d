/**
 * Reads a crawl's on-disk state raw (every segment file parsed by hand, not
 * through the store, so a key stored twice is visible), checks the
 * durability invariant, and snapshots a directory to prove it was not modified.
 * Shared by the resume tests.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseSegmentFileName } from '../../src/store/segment-log.js';
import { prng } from '../../src/demo/generated-site.js';

/** One stored page as far as the resume tests care. */
export interface RawPage {
  key: string;
  depth: number;
  links: string[];
}

export interface RawCrawlState {
  /** Every page key in every pages segment, in write order (duplicates kept). */
  pageKeys: string[];
  pages: RawPage[];
  /** Every request key in every frontier segment (duplicates kept). */
  journalKeys: string[];
  pageSegments: number;
  journalSegments: number;
}

/** Parses every segment of `<crawlDir>/pages` and `<crawlDir>/frontier`. */
export async function readRawState(crawlDir: string): Promise<RawCrawlState> {
  const { pages, segments } = await readRawPages(crawlDir);
  const journal = (await readSegmentItems(path.join(crawlDir, 'frontier'))) as Array<{ items: Array<{ key: string }> }>;
  return {
    pageKeys: pages.map((p) => p.key),
    pages,
    journalKeys: journal.flatMap((segment) => segment.items.map((r) => r.key)),
    pageSegments: segments,
    journalSegments: journal.length,
  };
}

/** Parses every segment of `<crawlDir>/pages` only. */
export async function readRawPages(crawlDir: string): Promise<{ pages: RawPage[]; segments: number }> {
  const segments = (await readSegmentItems(path.join(crawlDir, 'pages'))) as Array<{ items: RawPage[] }>;
  const pages = segments.flatMap((segment) => segment.items.map((p) => ({ key: p.key, depth: p.depth, links: p.links ?? [] })));
  return { pages, segments: segments.length };
}

async function readSegmentItems(dir: string): Promise<unknown[]> {
  const names = (await segmentNames(dir)).sort();
  const out: unknown[] = [];
  for (const name of names) out.push(JSON.parse(await readFile(path.join(dir, name), 'utf8')));
  return out;
}

/** Segment file names (`000001.json`, …) in `dir`; none when it does not exist. */
export async function segmentNames(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  return names.filter((name) => parseSegmentFileName(name) !== undefined);
}

/** Keys that occur more than once in `keys`. */
export function duplicates(keys: readonly string[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const key of keys) (seen.has(key) ? twice : seen).add(key);
  return [...twice];
}

/**
 * The durability invariant: every link a stored page would have followed
 * (`follows(link, page)`) is durable, i.e. a journal key or a stored page.
 * Returns the violations as "page → link".
 */
export function lostLinks(state: RawCrawlState, follows: (link: string, page: RawPage) => boolean): string[] {
  const durable = new Set([...state.journalKeys, ...state.pageKeys]);
  const lost: string[] = [];
  for (const page of state.pages) {
    for (const link of page.links) if (follows(link, page) && !durable.has(link)) lost.push(`${page.key} → ${link}`);
  }
  return lost;
}

/** Every file under `dir` (recursively) → its sha1 and mtime, to prove a failed run changed nothing. */
export async function snapshotTree(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const bytes = await readFile(file);
    out.set(path.relative(dir, file), `${createHash('sha1').update(bytes).digest('hex')} ${(await stat(file)).mtimeMs}`);
  }
  return out;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same sequence. */
export const seededRandom = prng;
