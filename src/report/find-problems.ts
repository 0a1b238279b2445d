/**
 * The problems a link checker fails on (`skein check`, `skein report
 * --fail-on`), picked out of report data. Problems of a link (the URL it
 * points to is broken, loops, redirects, is blocked or oversized) are listed
 * once per linking page; problems of a page itself (missing title,
 * duplicates…) once per page. Pure.
 */
import { FLAG, PROBLEM, TEXT, type ReportData } from './report-data.js';
import type { ProblemKind } from './problem-kinds.js';
import { isAuditedHtml } from './report-summary.js';

const LINK_KINDS: Partial<Record<number, ProblemKind>> = {
  [PROBLEM.broken]: 'broken',
  [PROBLEM.redirectLoop]: 'redirect-loops',
  [PROBLEM.redirect]: 'redirects',
  [PROBLEM.blocked]: 'blocked',
  [PROBLEM.oversized]: 'oversized',
};

export interface FoundProblem {
  kind: ProblemKind;
  /** The page that has the problem: the page linking to a bad URL, or the page itself. */
  page?: string;
  /** The bad URL a link points to (link problems). */
  url?: string;
  /** Status code, or the reason when there was no answer ("404", "timeout", "301 → https://…"). */
  detail: string;
  /** The link's text (link problems). */
  linkText?: string;
}

function url(data: ReportData, id: number): string {
  const value = data.urls[id]!;
  return value.startsWith('/') ? data.origin + value : value;
}

/** page → its entry in `data.redirects` and `data.canonical` (built once per data). */
const indexCache = new WeakMap<ReportData, { redirect: Map<number, number>; canonical: Map<number, number> }>();
function indexes(data: ReportData) {
  let found = indexCache.get(data);
  if (!found) {
    found = { redirect: new Map(data.redirects.page.map((page, i) => [page, i])), canonical: new Map(data.canonical.page.map((page, i) => [page, i])) };
    indexCache.set(data, found);
  }
  return found;
}

/** "404", "timeout", "301 → https://…" for page `page`. */
function detailOf(data: ReportData, page: number): string {
  const p = data.pages;
  const reason = p.reason[page]! >= 0 ? data.strings[p.reason[page]!]! : '';
  const status = p.status[page]!;
  let detail = status === 0 ? reason || 'no response' : reason && reason !== 'http-error' ? `${status} ${reason}` : String(status);
  if (p.problem[page] === PROBLEM.redirect && p.final[page]! >= 0) detail = `${data.redirects.hops[indexes(data).redirect.get(page)!]?.[1] ?? status} → ${url(data, p.final[page]!)}`;
  return detail;
}

/** The problems of the chosen kinds, link problems by linking page, in store order. */
export function findProblems(data: ReportData, kinds: readonly ProblemKind[]): FoundProblem[] {
  const wanted = new Set(kinds);
  const found: FoundProblem[] = [];
  const p = data.pages;
  const linked = new Set<number>();
  for (let i = 0; i < data.links.to.length; i++) {
    const to = data.links.to[i]!;
    const kind = LINK_KINDS[p.problem[to]!];
    if (!kind || !wanted.has(kind)) continue;
    linked.add(to);
    const text = data.links.text[i]!;
    found.push({ kind, page: url(data, data.links.from[i]!), url: url(data, to), detail: detailOf(data, to), ...(text >= 0 ? { linkText: data.strings[text]! } : {}) });
  }
  // A bad URL nothing links to (a seed, a sitemap entry) is still a problem.
  for (let page = 0; page < p.count; page++) {
    const kind = LINK_KINDS[p.problem[page]!];
    if (kind && wanted.has(kind) && !linked.has(page)) found.push({ kind, url: url(data, page), detail: detailOf(data, page) });
  }
  const pageKinds = pageProblemKinds(wanted);
  if (pageKinds.length === 0) return found;
  for (let page = 0; page < p.count; page++) {
    for (const kind of pageKinds) {
      const detail = pageProblemDetail(data, page, kind);
      // A page reached through redirects is where they ended.
      if (detail !== undefined) found.push({ kind, page: url(data, p.final[page]! >= 0 ? p.final[page]! : page), detail });
    }
  }
  return found;
}

const PAGE_KINDS: readonly ProblemKind[] = ['missing-title', 'missing-description', 'missing-h1', 'duplicate-titles', 'duplicate-descriptions', 'duplicate-content', 'canonical-elsewhere', 'noindex', 'orphans'];

function pageProblemKinds(wanted: Set<ProblemKind>): ProblemKind[] {
  return PAGE_KINDS.filter((kind) => wanted.has(kind));
}

/** Counts of each title/description/content group over audited pages (built once per data). */
const groupCounts = new WeakMap<ReportData, { title: Map<number, number>; description: Map<number, number>; duplicate: Map<number, number> }>();

function groups(data: ReportData) {
  let counts = groupCounts.get(data);
  if (!counts) {
    counts = { title: new Map(), description: new Map(), duplicate: new Map() };
    for (let page = 0; page < data.pages.count; page++) {
      if (!isAuditedHtml(data, page)) continue;
      for (const column of ['title', 'description', 'duplicate'] as const) {
        const id = data.pages[column][page]!;
        if (id >= 0) counts[column].set(id, (counts[column].get(id) ?? 0) + 1);
      }
    }
    groupCounts.set(data, counts);
  }
  return counts;
}

/** Why `page` has problem `kind`, or undefined when it does not. */
function pageProblemDetail(data: ReportData, page: number, kind: ProblemKind): string | undefined {
  const p = data.pages;
  const flags = p.flags[page]!;
  if (kind === 'canonical-elsewhere') return flags & FLAG.canonicalElsewhere ? `canonical ${url(data, data.canonical.to[indexes(data).canonical.get(page)!]!)}` : undefined;
  if (kind === 'noindex') return flags & FLAG.noindex ? 'noindex' : undefined;
  if (!isAuditedHtml(data, page)) return undefined;
  const gap = (id: number): string | undefined => (id === TEXT.missing ? 'missing' : id === TEXT.empty ? 'empty' : undefined);
  switch (kind) {
    case 'missing-title': return gap(p.title[page]!) && `title ${gap(p.title[page]!)}`;
    case 'missing-description': return gap(p.description[page]!) && `description ${gap(p.description[page]!)}`;
    case 'missing-h1': return p.h1[page] === 0 ? 'no h1' : undefined;
    case 'orphans': return data.hasLinks && p.inlinks[page] === 0 && (flags & FLAG.seed) === 0 ? 'no crawled page links here' : undefined;
    case 'duplicate-titles':
    case 'duplicate-descriptions':
    case 'duplicate-content': {
      const column = kind === 'duplicate-titles' ? 'title' : kind === 'duplicate-descriptions' ? 'description' : 'duplicate';
      const id = p[column][page]!;
      const count = id >= 0 ? (groups(data)[column].get(id) ?? 0) : 0;
      if (count < 2) return undefined;
      const what = column === 'duplicate' ? 'the same text' : `the same ${column} "${data.strings[id]}"`;
      return `${count - 1} other page${count === 2 ? ' has' : 's have'} ${what}`;
    }
    default: return undefined;
  }
}
