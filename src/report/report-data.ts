/**
 * The data a site-audit report embeds (`skein report`), as compact columns:
 * one array per field, one entry per stored page, strings interned into
 * tables and referenced by index. Built by collect-report.ts in one pass over
 * the stored records, read by the report's client script
 * (src/report/client/), which builds its tables lazily from the columns.
 *
 * Types only: the client script imports them too.
 */

/** `PageColumns.outcome` values. */
export const OUTCOMES = ['ok', 'failed', 'skipped'] as const;

/** Bits of `PageColumns.flags`. */
export const FLAG = {
  /** The page asked not to be indexed (meta robots / X-Robots-Tag noindex). */
  noindex: 1,
  /** Parsed as HTML (a title, links… were read). */
  html: 2,
  /** The request never went out (robots.txt, host given up). */
  unfetched: 4,
  /** Its canonical URL is another URL (`ReportData.canonical`). */
  canonicalElsewhere: 8,
  /** A seed (depth 0). */
  seed: 16,
  /** An off-site link checked with `scope.checkExternal`: not a page of the crawl. */
  external: 32,
} as const;

/** `PageColumns.title` / `description` sentinels (other values are string ids). */
export const TEXT = { missing: -1, empty: -2, unique: -3 } as const;

/** What is wrong with a page that its referrers should hear about (`PageColumns.problem`). */
export const PROBLEM = {
  none: 0,
  /** An error status (4xx/5xx), or no answer at all (timeout, refused, DNS, a host given up). */
  broken: 1,
  /** Its redirects loop, or pass `fetch.maxRedirects`. */
  redirectLoop: 2,
  /** It redirects (it is fine where it lands): links to it should point to the target. */
  redirect: 3,
  /** robots.txt disallows it: never fetched. */
  blocked: 4,
  /** Its body passed `fetch.maxBodyBytes`. */
  oversized: 5,
} as const;

/**
 * A page column: an `Int32Array` as collect-report.ts builds it (4 bytes a
 * page), a plain array once the page has parsed the embedded JSON.
 */
export type Column = ArrayLike<number>;

export interface PageColumns {
  /** Pages; every column has this many entries, and page i's URL is `urls[i]`. */
  count: number;
  /** HTTP status, 0 when no response came. */
  status: Column;
  /** Index into `OUTCOMES`. */
  outcome: Column;
  /** Reason code (string id), -1 for none. */
  reason: Column;
  /** A `PROBLEM` value. */
  problem: Column;
  depth: Column;
  /** Body bytes (decompressed). */
  bytes: Column;
  /** Response time: waiting for the headers plus reading the body (ms). */
  ms: Column;
  /** Media type (string id, no parameters), -1 when none. */
  type: Column;
  /** Title (string id), or `TEXT.missing` / `TEXT.empty`. */
  title: Column;
  /** `TEXT.missing` / `TEXT.empty` / `TEXT.unique`, or the string id of a description other pages share. */
  description: Column;
  /** Number of `<h1>` elements with text. */
  h1: Column;
  /** Duplicate-content group (pages with the same text share it), -1 for none. */
  duplicate: Column;
  /** Distinct other pages that link here. */
  inlinks: Column;
  /** Distinct URLs this page links to. */
  outlinks: Column;
  /** `FLAG` bits. */
  flags: Column;
  /** Where its redirects ended (URL id), -1 when it did not redirect. */
  final: Column;
}

export interface ReportSummary {
  /** The crawl's pages (external link checks apart). */
  pages: { ok: number; failed: number; skipped: number; total: number };
  /** Off-site links checked (`scope.checkExternal`), and how many of them are broken (also in `problems.broken`). */
  external: { checked: number; broken: number };
  /** Responses by status code ("none": no response). */
  statuses: Record<string, number>;
  /** Pages by reason code. */
  reasons: Record<string, number>;
  /** Pages by depth (index = depth). */
  depths: number[];
  /** Response time percentiles over pages that got a response (ms). */
  responseMs: { count: number; p50: number; p90: number; p95: number; p99: number; max: number };
  bytes: { total: number; max: number };
  /** Pages by media type. */
  types: Record<string, number>;
  /** Distinct URLs with each problem, and the links to them (`brokenLinks`: links to broken URLs). */
  problems: {
    broken: number;
    brokenLinks: number;
    redirectLoops: number;
    redirects: number;
    blocked: number;
    oversized: number;
    missingTitle: number;
    missingDescription: number;
    missingH1: number;
    duplicateTitles: number;
    duplicateDescriptions: number;
    duplicateContent: number;
    canonicalElsewhere: number;
    noindex: number;
    orphans: number;
  };
  /** Links whose text was not kept (past `MAX_LINK_TEXTS` distinct texts). */
  linkTextsDropped: number;
}

export interface ReportData {
  version: 1;
  name: string;
  generatedAt: string;
  /** The crawl directories read (several for a distributed crawl). */
  dirs: string[];
  /** URLs that start with it are stored without it (beginning with "/"). */
  origin: string;
  crawl: { seeds: string[]; runs: number; startedAt?: string; finishedAt?: string; maxPages?: number; maxDepth?: number };
  /** Pages' URLs first (page i is `urls[i]`), then other URLs the data refers to. */
  urls: string[];
  /** Titles, reasons, media types, link texts, shared descriptions. */
  strings: string[];
  pages: PageColumns;
  /** Links to pages with a problem (`PROBLEM`, not `none`): from page, to URL id, link text (string id, -1 none). */
  links: { from: number[]; to: number[]; text: number[] };
  /** Redirect chains: the page, then its hops as [URL id, status, URL id, status, …]. */
  redirects: { page: number[]; hops: number[][] };
  /** Pages whose canonical URL is another URL, and that URL (URL id). */
  canonical: { page: number[]; to: number[] };
  /** True when the records hold their links (`extract.links`): inlinks, orphans and referrers mean something. */
  hasLinks: boolean;
  summary: ReportSummary;
}
