/**
 * Builds a report's data (report-data.ts) in one streaming pass over the
 * stored records. Memory stays compact for large crawls: URLs and strings are
 * interned into integer ids, per-page facts go into typed-array columns
 * (int-column.ts), and a link is kept only while its target may still turn
 * out to have a problem (a link to a page already known to be fine is only
 * counted). The records themselves are never held.
 */
import type { CrawlMetaData } from '../store/crawl-meta.js';
import type { PageRecord } from '../core/types.js';
import { IntColumn, StringTable } from './int-column.js';
import { pageProblem } from './page-problem.js';
import { FLAG, OUTCOMES, PROBLEM, TEXT, type PageColumns, type ReportData } from './report-data.js';
import { summarize } from './report-summary.js';

/** Distinct link texts kept; past it, links get no text (a bound on memory for pathological sites). */
export const MAX_LINK_TEXTS = 500_000;
/** Kept links that trigger the first compaction (dropping links whose target turned out fine). */
const MIN_COMPACT_AT = 1 << 20;
/** Characters of a title, description or link text kept in the report. */
export const MAX_STRING_CHARS = 200;

export interface ReportContext {
  name: string;
  dirs: string[];
  meta?: CrawlMetaData;
  /** @default new Date() */
  now?: Date;
}

const COLUMNS = ['status', 'outcome', 'reason', 'problem', 'depth', 'bytes', 'ms', 'type', 'title', 'description', 'h1', 'duplicate', 'outlinks', 'flags', 'final'] as const;
type ColumnName = (typeof COLUMNS)[number];

const clip = (text: string): string => (text.length > MAX_STRING_CHARS ? text.slice(0, MAX_STRING_CHARS - 1) + '…' : text);
const mediaType = (contentType: string): string => contentType.split(';')[0]!.trim().toLowerCase();

/** The pass's state; `add` each record, then `finish`. */
export class ReportCollector {
  readonly #urls = new StringTable();
  /** URL id → page index + 1 (0: no page). */
  readonly #pageOf = new IntColumn();
  /** URL id → distinct other pages linking to it. */
  readonly #inlinks = new IntColumn();
  readonly #pageUrl = new IntColumn();
  readonly #columns = Object.fromEntries(COLUMNS.map((name) => [name, new IntColumn()])) as Record<ColumnName, IntColumn>;
  /** Kept links: from page, to URL id, text id (in #linkTexts, -1 none). */
  readonly #from = new IntColumn();
  readonly #to = new IntColumn();
  readonly #text = new IntColumn();
  readonly #linkTexts = new StringTable();
  readonly #titles = new StringTable();
  readonly #titleCount = new IntColumn();
  readonly #descriptions = new StringTable();
  readonly #descriptionCount = new IntColumn();
  readonly #hashes = new StringTable();
  readonly #hashCount = new IntColumn();
  readonly #reasons = new StringTable();
  readonly #types = new StringTable();
  readonly #redirects: { page: number; hops: number[] }[] = [];
  readonly #canonical: { page: number; to: number }[] = [];
  #hasLinks = false;
  #textsDropped = 0;
  #compactAt: number;

  /** `compactLinksAt`: kept links that trigger the first compaction (tests make it small). @default 1,048,576 */
  constructor(options: { compactLinksAt?: number } = {}) {
    this.#compactAt = options.compactLinksAt ?? MIN_COMPACT_AT;
  }

  add(record: PageRecord): void {
    const page = this.#pageUrl.length;
    const urlId = this.#urls.intern(record.key);
    this.#pageUrl.push(urlId);
    this.#pageOf.add(urlId, page + 1);
    const c = this.#columns;
    const problem = pageProblem(record);
    c.status.push(record.status ?? 0);
    c.outcome.push(OUTCOMES.indexOf(record.outcome));
    c.reason.push(record.reason ? this.#reasons.intern(record.reason) : -1);
    c.problem.push(problem);
    c.depth.push(record.depth);
    c.bytes.push(record.bytes);
    c.ms.push(Math.round(record.timings.waitMs + record.timings.downloadMs));
    c.type.push(record.contentType ? this.#types.intern(mediaType(record.contentType)) : -1);
    const html = record.charset !== undefined;
    c.title.push(this.#counted(record.title, this.#titles, this.#titleCount));
    c.description.push(this.#counted(record.description, this.#descriptions, this.#descriptionCount));
    c.h1.push(record.h1?.length ?? 0);
    c.duplicate.push(record.contentHash ? this.#counted(record.contentHash, this.#hashes, this.#hashCount) : -1);
    c.outlinks.push(record.links?.length ?? 0);
    let flags = 0;
    if (html) flags |= FLAG.html;
    if (record.fetched === false) flags |= FLAG.unfetched;
    if (record.depth === 0) flags |= FLAG.seed;
    if (record.external) flags |= FLAG.external;
    if (record.metaRobots && /\bnoindex\b|\bnone\b/i.test(record.metaRobots)) flags |= FLAG.noindex;
    if (record.canonical && record.canonical !== record.key && record.canonical !== (record.finalUrl ?? record.url)) {
      flags |= FLAG.canonicalElsewhere;
      this.#canonical.push({ page, to: this.#urls.intern(record.canonical) });
    }
    c.flags.push(flags);
    const redirected = record.redirects.length > 0;
    c.final.push(redirected && record.finalUrl ? this.#urls.intern(record.finalUrl) : -1);
    if (redirected) this.#redirects.push({ page, hops: record.redirects.flatMap((hop) => [this.#urls.intern(hop.url), hop.status]) });
    if (record.links) this.#addLinks(page, urlId, record.links, record.linkText);
  }

  /** Counts the page's links and keeps those whose target may still have a problem. */
  #addLinks(page: number, self: number, links: string[], texts: string[] | undefined): void {
    this.#hasLinks = true;
    const problems = this.#columns.problem;
    for (let i = 0; i < links.length; i++) {
      const to = this.#urls.intern(links[i]!);
      if (to === self) continue;
      this.#inlinks.add(to);
      const known = this.#pageOf.length > to ? this.#pageOf.get(to) : 0;
      if (known > 0 && problems.get(known - 1) === PROBLEM.none) continue;
      this.#from.push(page);
      this.#to.push(to);
      this.#text.push(this.#linkText(texts?.[i]));
    }
    if (this.#to.length >= this.#compactAt) this.#compactLinks();
  }

  /**
   * Drops the kept links whose target has turned out fine since (most links
   * point forward, to pages stored later), so that memory holds the links to
   * problem pages and to pages not read yet, not every link of the crawl.
   * Runs each time the kept links fill their columns (a power of two, as the
   * columns grow by doubling), so the columns grow only when a compaction
   * frees less than a quarter of them.
   */
  #compactLinks(): void {
    const problems = this.#columns.problem;
    let kept = 0;
    for (let i = 0; i < this.#to.length; i++) {
      const to = this.#to.get(i);
      const page = this.#pageOf.length > to ? this.#pageOf.get(to) : 0;
      if (page > 0 && problems.get(page - 1) === PROBLEM.none) continue;
      this.#from.set(kept, this.#from.get(i));
      this.#to.set(kept, to);
      this.#text.set(kept, this.#text.get(i));
      kept++;
    }
    for (const column of [this.#from, this.#to, this.#text]) column.truncate(kept);
    if (kept > this.#compactAt * 0.75) this.#compactAt *= 2;
  }

  #linkText(text: string | undefined): number {
    if (!text) return -1;
    const clipped = clip(text);
    const known = this.#linkTexts.find(clipped);
    if (known !== undefined) return known;
    if (this.#linkTexts.size >= MAX_LINK_TEXTS) {
      this.#textsDropped++;
      return -1;
    }
    return this.#linkTexts.intern(clipped);
  }

  /** Id of `value` in `table` (counted), or `TEXT.missing` / `TEXT.empty`. */
  #counted(value: string | undefined, table: StringTable, counts: IntColumn): number {
    if (value === undefined) return TEXT.missing;
    if (value.trim() === '') return TEXT.empty;
    const id = table.intern(clip(value));
    counts.add(id);
    return id;
  }

  /** The report data; the collector is spent afterwards. */
  finish(context: ReportContext): ReportData {
    const pages = this.#pageUrl.length;
    const c = this.#columns;
    const strings = new StringTable();
    const stringId = (table: StringTable, id: number): number => (id < 0 ? id : strings.intern(table.values[id]!));
    // Output URL ids: page i is i, other URLs after the pages, as they are needed.
    const urls: string[] = new Array<string>(pages);
    const extraUrl = new Map<number, number>();
    for (let page = 0; page < pages; page++) urls[page] = this.#urls.values[this.#pageUrl.get(page)]!;
    const urlId = (internal: number): number => {
      const page = this.#pageOf.length > internal ? this.#pageOf.get(internal) : 0;
      if (page > 0) return page - 1;
      let id = extraUrl.get(internal);
      if (id === undefined) {
        id = urls.length;
        extraUrl.set(internal, id);
        urls.push(this.#urls.values[internal]!);
      }
      return id;
    };

    const duplicateGroup = new Map<number, number>();
    const columns: PageColumns = {
      count: pages,
      status: c.status.view().slice(),
      outcome: c.outcome.view().slice(),
      reason: mapColumn(c.reason, (id) => stringId(this.#reasons, id)),
      problem: c.problem.view().slice(),
      depth: c.depth.view().slice(),
      bytes: c.bytes.view().slice(),
      ms: c.ms.view().slice(),
      type: mapColumn(c.type, (id) => stringId(this.#types, id)),
      title: mapColumn(c.title, (id) => stringId(this.#titles, id)),
      description: mapColumn(c.description, (id) => (id < 0 ? id : this.#descriptionCount.get(id) > 1 ? strings.intern(this.#descriptions.values[id]!) : TEXT.unique)),
      h1: c.h1.view().slice(),
      duplicate: mapColumn(c.duplicate, (id) => {
        if (id < 0 || this.#hashCount.get(id) < 2) return -1;
        let group = duplicateGroup.get(id);
        if (group === undefined) duplicateGroup.set(id, (group = duplicateGroup.size));
        return group;
      }),
      inlinks: mapColumn(this.#pageUrl, (id) => (this.#inlinks.length > id ? this.#inlinks.get(id) : 0)),
      outlinks: c.outlinks.view().slice(),
      flags: c.flags.view().slice(),
      final: mapColumn(c.final, (id) => (id < 0 ? -1 : urlId(id))),
    };

    const links: ReportData['links'] = { from: [], to: [], text: [] };
    for (let i = 0; i < this.#to.length; i++) {
      const page = this.#pageOf.length > this.#to.get(i) ? this.#pageOf.get(this.#to.get(i)) : 0;
      if (page === 0 || columns.problem[page - 1] === PROBLEM.none) continue;
      links.from.push(this.#from.get(i));
      links.to.push(page - 1);
      links.text.push(stringId(this.#linkTexts, this.#text.get(i)));
    }
    const redirects: ReportData['redirects'] = { page: [], hops: [] };
    for (const { page, hops } of this.#redirects) {
      redirects.page.push(page);
      redirects.hops.push(hops.map((value, i) => (i % 2 === 0 ? urlId(value) : value)));
    }
    const canonical: ReportData['canonical'] = { page: [], to: [] };
    for (const { page, to } of this.#canonical) {
      canonical.page.push(page);
      canonical.to.push(urlId(to));
    }

    const meta = context.meta;
    const seeds = meta?.config.seeds ?? [];
    const origin = originOf(seeds[0] ?? urls[0]);
    const crawl: ReportData['crawl'] = { seeds, runs: meta?.runs.length ?? 0 };
    if (meta) {
      crawl.startedAt = meta.runs[0]?.startedAt;
      crawl.finishedAt = meta.runs[meta.runs.length - 1]?.finishedAt;
      crawl.maxPages = meta.config.scope.maxPages;
      crawl.maxDepth = meta.config.scope.maxDepth;
    }
    const data: Omit<ReportData, 'summary'> = {
      version: 1,
      name: context.name,
      generatedAt: (context.now ?? new Date()).toISOString(),
      dirs: context.dirs,
      origin,
      crawl,
      urls: origin === '' ? urls : urls.map((url) => (url.startsWith(origin + '/') ? url.slice(origin.length) : url)),
      strings: strings.values,
      pages: columns,
      links,
      redirects,
      canonical,
      hasLinks: this.#hasLinks,
    };
    return { ...data, summary: summarize(data, this.#textsDropped) };
  }
}

/** `fn` of each entry of `column`, as a typed array of its own (4 bytes an entry, no growing). */
function mapColumn(column: IntColumn, fn: (value: number) => number): Int32Array {
  const view = column.view();
  const out = new Int32Array(view.length);
  for (let i = 0; i < view.length; i++) out[i] = fn(view[i]!);
  return out;
}

/** `scheme://host[:port]` of a URL, "" when it is not one. */
function originOf(url: string | undefined): string {
  if (!url) return '';
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : '';
  } catch {
    return '';
  }
}

/** Streams `records` once into report data. */
export async function collectReport(records: AsyncIterable<PageRecord>, context: ReportContext, options: { compactLinksAt?: number } = {}): Promise<ReportData> {
  const collector = new ReportCollector(options);
  for await (const record of records) collector.add(record);
  return collector.finish(context);
}
