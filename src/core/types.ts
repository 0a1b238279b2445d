/**
 * Plain data shapes that flow through the pipeline. Everything here is
 * structured-clone safe, because it crosses the worker-process boundary.
 */

/** Why a URL was not crawled, or why a page did not succeed. One flat list. */
export type ReasonCode =
  // rejected before fetching (request:dropped)
  | 'duplicate'
  | 'offsite'
  | 'excluded'
  | 'depth'
  | 'max-pages'
  | 'scheme'
  | 'url-too-long'
  | 'trap-repeated-segment'
  | 'invalid-url'
  | 'robots'
  | 'nofollow'
  // recorded as skipped pages
  | 'host-gave-up'
  | 'not-recorded'
  // fetch failures
  | 'http-error'
  | 'timeout'
  | 'connection'
  | 'body-too-large'
  | 'content-type'
  | 'redirect-loop'
  | 'too-many-redirects'
  | 'redirect-offsite'
  | 'redirect-scheme'
  | 'redirect-duplicate'
  | 'host-backoff'
  | 'decompression'
  | 'retry-after-too-long'
  | 'blocked-address'
  | 'proxy'
  | 'tls'
  // parse failures
  | 'parse-failed'
  | 'parse-timeout'
  | 'worker-crashed'
  | 'required-field-missing'
  // page-level signals
  | 'noindex'
  | 'aborted';

/** Where a request came from. */
export type RequestSource = 'seed' | 'link' | 'sitemap';

/** A URL waiting in (or leased from) the frontier. `key` is the normalised URL. */
export interface CrawlRequest {
  /** Normalised absolute URL; also the dedup key and the record key. */
  key: string;
  /** URL to fetch (equal to `key` unless the user asked to keep it verbatim). */
  url: string;
  depth: number;
  referrer?: string;
  source: RequestSource;
  /** Lower goes first within a depth. @default 0 */
  priority?: number;
  /** Fetch attempts already made (retries). @default 0 */
  attempt?: number;
  /**
   * Only on a redirect claim (a URL marked seen, never fetched on its own): the key of the
   * request whose redirect reached this URL (see `Frontier.claimRedirect`).
   */
  redirectOf?: string;
}

/** A request handed out by the frontier; must be completed or retried before `expiresAt`. */
export interface Lease {
  request: CrawlRequest;
  host: string;
  leaseId: string;
  expiresAt: number;
  /** When the frontier granted it, if before the `lease` call that handed it out (a prefetched lease). */
  grantedAtMs?: number;
}

export interface RedirectHop {
  url: string;
  status: number;
}

export interface PageTimings {
  /** Time spent waiting for the response headers (DNS + connect + TTFB). */
  waitMs: number;
  /** Time spent reading the body. */
  downloadMs: number;
  /** Time the parse task took, measured in the worker. */
  parseMs: number;
  /** Request start to record ready, main-process view. */
  totalMs: number;
}

/** What a worker returns for one HTML page: a plain record plus the outgoing links. */
export interface ParsedPage {
  title?: string;
  description?: string;
  canonical?: string;
  lang?: string;
  headings: { h1: string[]; h2: string[]; h3: string[] };
  text?: string;
  /** Main content as GitHub-flavoured Markdown (`extract.content.enabled`). */
  markdown?: string;
  /** Main content as plain text (`extract.content.enabled`). */
  contentText?: string;
  /** Every outgoing link, absolute and normalised (what the page links to). */
  links: string[];
  /** The text of each of `links` (same order, "" for a link without text); absent when no link has text. */
  linkText?: string[];
  /** Fingerprint of the visible text (`contentHash()` in parse-page.ts); absent when no text was extracted. */
  contentHash?: string;
  /** Links that are in scope and allowed to be followed (subset of `links`). */
  follow: string[];
  /** Links not followed, by reason (nofollow, or the scope's: offsite, excluded, depth…); absent when none. */
  dropped?: Partial<Record<ReasonCode, number>>;
  /**
   * Links never followed whatever the scope (rel=nofollow, outside the follow
   * selectors, or every link of a nofollow page); absent when none. Stored in
   * the record, so that a resume with a wider scope follows only what it may.
   */
  unfollowable?: string[];
  metaRobots?: string;
  /** Charset the body was decoded with. */
  charset: string;
  /** Config-driven fields and built-in extractors (issue: extraction). */
  fields?: Record<string, unknown>;
  /** Problems that did not fail the page (e.g. an invalid JSON-LD block). */
  warnings?: string[];
  /** Set when the page asked not to be indexed/followed and the config respects it. */
  noindex?: boolean;
  nofollow?: boolean;
  /** A required field was missing: the page is recorded as failed with this reason. */
  failedReason?: ReasonCode;
  failedMessage?: string;
  parseMs: number;
}

export type PageOutcome = 'ok' | 'failed' | 'skipped';

/** One stored page. Failed and skipped pages are records too. */
export interface PageRecord {
  key: string;
  url: string;
  finalUrl?: string;
  redirects: RedirectHop[];
  status?: number;
  contentType?: string;
  depth: number;
  referrer?: string;
  fetchedAt: string;
  /**
   * `false` when the request never went out: robots.txt disallowed it (or
   * could not be fetched), or its host was given up. Absent when it was
   * fetched (whatever the response). Only fetched pages count toward `maxPages`.
   */
  fetched?: false;
  outcome: PageOutcome;
  reason?: ReasonCode;
  error?: { code: string; message: string };
  bytes: number;
  timings: PageTimings;
  title?: string;
  description?: string;
  canonical?: string;
  lang?: string;
  h1?: string[];
  h2?: string[];
  h3?: string[];
  text?: string;
  /** Main content as GitHub-flavoured Markdown (`extract.content.enabled`). */
  markdown?: string;
  /** Main content as plain text (`extract.content.enabled`). */
  contentText?: string;
  links?: string[];
  /**
   * The text of each of `links`, same order: the first non-empty text the page
   * links it with (images' `alt` included, cut at 100 characters), "" when it
   * has none. Absent when no link has text.
   */
  linkText?: string[];
  /**
   * Fingerprint of the visible text (16 characters; pages with equal text have
   * equal hashes): what duplicate-content checks compare. Absent when no text
   * was extracted (`extract.text` off, or an empty page).
   */
  contentHash?: string;
  /** Links of `links` never followed whatever the scope (see `ParsedPage.unfollowable`); absent when none. */
  unfollowable?: string[];
  metaRobots?: string;
  charset?: string;
  fields?: Record<string, unknown>;
  warnings?: string[];
  /** Which node stored it (distributed mode). */
  node?: string;
  /**
   * An off-site link checked with `scope.checkExternal` (HEAD, or GET without keeping the body):
   * not a page of the crawl, never parsed, not counted toward `maxPages`.
   */
  external?: true;
}
