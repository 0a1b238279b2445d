/**
 * robots.txt per origin (scheme + host + port): fetched once, shared by concurrent callers,
 * cached with an expiry, and turned into a verdict per URL. Status handling follows
 * RFC 9309 §2.3.1:
 *
 * - 2xx: the body is parsed (at most 500 KiB; see `ROBOTS_MAX_BYTES`).
 * - redirects: followed by the fetcher up to 5 hops; more is "unavailable" (allow all).
 * - 4xx (401 and 403 included): "unavailable", no rules, everything allowed.
 *   429 is the exception: it asks us to slow down, so it is treated like a 5xx.
 * - 5xx, 429, timeouts and connection errors: "unreachable", the whole origin is disallowed
 *   until robots.txt is fetched again, on the retry policy's schedule for a failed request
 *   (`retryDelayMs`: 1 s, 2 s, 4 s … after each unreachable fetch in a row, at most
 *   `unavailableRetryMs`), so that the pages waiting on it are retried as any failed page
 *   would be, and a host that is down costs its pages seconds, not minutes (the crawler
 *   gives a host that never answered up after one retry). If an earlier copy of the file was
 *   fetched, its rules keep applying instead (RFC 9309 §2.4) and nothing waits: it is fetched
 *   again after `unavailableRetryMs`.
 * - a body over the cap: the fetcher gives no body for it, so it counts as no rules (allow all).
 *
 * The cache emits nothing; `check()` returns what the crawler needs, including a `clamped` flag
 * the first time a host's Crawl-delay was lowered to `maxCrawlDelayMs`, so the crawler logs once.
 *
 * Memory: a broad crawl meets more hosts than it can keep robots.txt rules for, so the cache
 * has a budget (`maxBytes`): each entry is charged an estimate of its size in the heap (parsed
 * rules take about ten times the file's bytes), and the least recently used entries go first.
 * An evicted origin's robots.txt is fetched again the next time one of its URLs is checked.
 */
import type { FetchOptions, FetchResult, RedirectVerdict } from '../fetch/fetch-types.js';
import { describeUnreachable, retryDelayMs } from '../fetch/retry-policy.js';
import { parseRobots, robotsDecision, userAgentToken, ROBOTS_MAX_BYTES, type RobotsRules } from './robots.js';

/** The injected fetch (src/fetch's fetcher in the crawler, a fake in tests). Never throws. */
export type RobotsFetch = (url: string, opts?: FetchOptions) => Promise<FetchResult>;

/** Redirect hops followed for robots.txt (RFC 9309 §2.3.1.2: at least five). */
export const ROBOTS_MAX_REDIRECTS = 5;

export interface RobotsCacheOptions {
  fetch: RobotsFetch;
  /** The full User-Agent string; its product token (`skein` in `skein/0.1 (+url)`) picks the group. */
  userAgent: string;
  /** Crawl-delay values above this are clamped. @default 30000 */
  maxCrawlDelayMs?: number;
  /** How long a fetched robots.txt (or a 4xx "no robots") is trusted. @default 3600000 */
  robotsCacheMs?: number;
  /** Longest an unreachable robots.txt (5xx, network) blocks the origin before a retry (the backoff's cap). @default min(robotsCacheMs, 600000) */
  unavailableRetryMs?: number;
  /** Memory budget of the cache, in estimated heap bytes (least recently used entries are evicted). @default 32 MiB */
  maxBytes?: number;
  /** Clock, injectable for tests. @default Date.now */
  now?: () => number;
}

/**
 * `ok`: parsed; `missing`: 4xx/too many redirects, allow all; `unreachable`: 5xx/network, disallow all;
 * `blocked`: the origin's address is refused by the private-network guard, nothing of it is fetched.
 */
export type RobotsStatus = 'ok' | 'missing' | 'unreachable' | 'blocked';

/** What the cache knows about one origin, and why. */
export interface RobotsCacheEntry {
  origin: string;
  status: RobotsStatus;
  /** Rules in force (absent: none; for `unreachable`, present only when an earlier copy is reused). */
  rules?: RobotsRules;
  /** Human-readable cause, e.g. `robots.txt 404: no rules` or `robots.txt unreachable (503)`. */
  reason: string;
  /** HTTP status of the last fetch, when there was a response. */
  httpStatus?: number;
  /** The error code of the last fetch, when there was no response (ENOTFOUND, ECONNREFUSED, ETIMEDOUT…). */
  code?: string;
  fetchedAtMs: number;
  expiresAtMs: number;
}

export type RobotsCheck =
  | {
      allowed: true;
      /** Robots Crawl-delay for this origin in ms, already clamped to `maxCrawlDelayMs`. */
      crawlDelayMs?: number;
      /** Set once per origin: the file asked for more than `maxCrawlDelayMs` (log it). */
      clamped?: true;
      /** The Crawl-delay the file asked for, in ms (only with `clamped`). */
      requestedCrawlDelayMs?: number;
    }
  | {
      /** The origin's address is refused by the private-network guard: none of its URLs is fetched. */
      allowed: false;
      reason: 'blocked-address';
      detail: string;
      retryAtMs?: undefined;
      httpStatus?: undefined;
      code?: undefined;
    }
  | {
      allowed: false;
      reason: 'robots';
      /** e.g. `disallowed by rule /private` or `robots.txt unreachable (503)`. */
      detail: string;
      /** When robots.txt will be fetched again (unreachable robots only). */
      retryAtMs?: number;
      /** Unreachable robots only: the HTTP status, absent when the host could not be reached at all. */
      httpStatus?: number;
      /** Unreachable robots only, without a response: the error code (ENOTFOUND, ECONNREFUSED…). */
      code?: string;
    };

/** Fetch failures that mean "no usable robots.txt" (allow all) rather than "host unreachable". */
const UNAVAILABLE_REASONS = new Set(['redirect-loop', 'redirect-offsite', 'redirect-scheme', 'body-too-large']);

const SWEEP_EVERY = 1024;

export const DEFAULT_ROBOTS_CACHE_BYTES = 32 * 1024 * 1024;

/** Estimated heap bytes of an entry: a fixed part, plus about ten times the file for parsed rules. */
export function robotsEntryBytes(fileBytes: number): number {
  return 600 + 10 * fileBytes;
}

/** An entry as the cache holds it: with its charged size and whether its Crawl-delay clamp was reported. */
interface Cached {
  entry: RobotsCacheEntry;
  /** Size of the robots.txt its rules were parsed from (0 without rules). */
  fileBytes: number;
  bytes: number;
  clampReported: boolean;
  /** Fetches in a row that found robots.txt unreachable (0 after any other answer). */
  unreachableStreak: number;
}

export class RobotsCache {
  readonly #fetch: RobotsFetch;
  readonly #token: string;
  readonly #maxCrawlDelayMs: number;
  readonly #robotsCacheMs: number;
  readonly #unavailableRetryMs: number;
  readonly #now: () => number;
  readonly #maxBytes: number;
  /** Least recently used first. */
  readonly #entries = new Map<string, Cached>();
  readonly #inFlight = new Map<string, Promise<RobotsCacheEntry>>();
  #bytes = 0;
  #inserts = 0;

  constructor(options: RobotsCacheOptions) {
    this.#fetch = options.fetch;
    this.#token = userAgentToken(options.userAgent);
    this.#maxCrawlDelayMs = options.maxCrawlDelayMs ?? 30_000;
    this.#robotsCacheMs = options.robotsCacheMs ?? 3_600_000;
    this.#unavailableRetryMs = options.unavailableRetryMs ?? Math.min(this.#robotsCacheMs, 600_000);
    this.#maxBytes = options.maxBytes ?? DEFAULT_ROBOTS_CACHE_BYTES;
    this.#now = options.now ?? Date.now;
  }

  /** Entries held and their estimated heap bytes. */
  get size(): { entries: number; bytes: number } {
    return { entries: this.#entries.size, bytes: this.#bytes };
  }

  /** The robots verdict for `url`, fetching its origin's robots.txt first if needed. */
  async check(url: string): Promise<RobotsCheck> {
    const origin = originOf(url);
    if (!origin) return { allowed: false, reason: 'robots', detail: `not an http(s) URL: ${url}` };
    const entry = await this.#entryFor(origin);
    if (entry.status === 'blocked') return { allowed: false, reason: 'blocked-address', detail: entry.reason };
    if (!entry.rules) {
      if (entry.status === 'unreachable') {
        return {
          allowed: false,
          reason: 'robots',
          detail: entry.reason,
          retryAtMs: entry.expiresAtMs,
          ...(entry.httpStatus !== undefined ? { httpStatus: entry.httpStatus } : {}),
          ...(entry.code !== undefined ? { code: entry.code } : {}),
        };
      }
      return { allowed: true };
    }
    const decision = robotsDecision(entry.rules, url, this.#token);
    if (!decision.allowed) {
      return { allowed: false, reason: 'robots', detail: `disallowed by rule ${decision.matchedRule ?? ''}`.trim() };
    }
    if (decision.crawlDelayMs === undefined) return { allowed: true };
    if (decision.crawlDelayMs <= this.#maxCrawlDelayMs) return { allowed: true, crawlDelayMs: decision.crawlDelayMs };
    const clamped = { allowed: true as const, crawlDelayMs: this.#maxCrawlDelayMs };
    const cached = this.#entries.get(origin);
    if (!cached || cached.clampReported) return clamped;
    cached.clampReported = true;
    return { ...clamped, clamped: true, requestedCrawlDelayMs: decision.crawlDelayMs };
  }

  /** The `Sitemap:` URLs of an origin's robots.txt (absolute, invalid ones dropped). `origin` may be any URL on it. */
  async sitemapsFor(origin: string): Promise<string[]> {
    const key = originOf(origin);
    if (!key) return [];
    const entry = await this.#entryFor(key);
    const out: string[] = [];
    for (const value of entry.rules?.sitemaps ?? []) {
      try {
        const href = new URL(value, `${key}/robots.txt`).href;
        if (/^https?:/.test(href) && !out.includes(href)) out.push(href);
      } catch {
        // not a URL: ignored
      }
    }
    return out;
  }

  /** What the cache holds for an origin (any URL on it works), without fetching. */
  entry(origin: string): RobotsCacheEntry | undefined {
    const key = originOf(origin);
    return key ? this.#entries.get(key)?.entry : undefined;
  }

  #entryFor(origin: string): Promise<RobotsCacheEntry> {
    const cached = this.#entries.get(origin);
    if (cached && cached.entry.expiresAtMs > this.#now()) {
      // Most recently used goes last.
      this.#entries.delete(origin);
      this.#entries.set(origin, cached);
      return Promise.resolve(cached.entry);
    }
    const pending = this.#inFlight.get(origin);
    if (pending) return pending;
    const promise = this.#load(origin, cached).finally(() => this.#inFlight.delete(origin));
    this.#inFlight.set(origin, promise);
    return promise;
  }

  async #load(origin: string, previous: Cached | undefined): Promise<RobotsCacheEntry> {
    let hops = 0;
    const checkRedirect = (target: string): RedirectVerdict => {
      hops++;
      if (hops > ROBOTS_MAX_REDIRECTS) return { ok: false, reason: 'too-many-redirects' };
      return /^https?:/i.test(target) ? { ok: true } : { ok: false, reason: 'redirect-scheme' };
    };
    let result: FetchResult;
    try {
      result = await this.#fetch(`${origin}/robots.txt`, { checkRedirect, keepBody: true, maxBodyBytes: ROBOTS_MAX_BYTES });
    } catch (error) {
      // The fetcher promises not to throw; a throwing fetch is treated as unreachable.
      const message = error instanceof Error ? error.message : String(error);
      result = { ok: false, url: `${origin}/robots.txt`, redirects: [], reason: 'connection', code: 'ERR_FETCH_THREW', message, bytes: 0, timings: { waitMs: 0, downloadMs: 0 } };
    }
    const { entry, unreachableStreak } = this.#classify(origin, result, previous);
    this.#store(entry, result.ok && entry.status === 'ok' ? result.body.length : undefined, unreachableStreak);
    return entry;
  }

  /** The entry a fetch makes, and the fetches in a row (this one included) that found the origin unreachable. */
  #classify(origin: string, result: FetchResult, cached: Cached | undefined): { entry: RobotsCacheEntry; unreachableStreak: number } {
    const reached = (entry: RobotsCacheEntry): { entry: RobotsCacheEntry; unreachableStreak: number } => ({ entry, unreachableStreak: 0 });
    const previous = cached?.entry;
    const fetchedAtMs = this.#now();
    const status = result.status;
    const base = { origin, fetchedAtMs, ...(status === undefined ? {} : { httpStatus: status }) };
    const trusted = { ...base, expiresAtMs: fetchedAtMs + this.#robotsCacheMs };

    if (result.redirects.length > ROBOTS_MAX_REDIRECTS || (!result.ok && result.reason === 'too-many-redirects')) {
      return reached({ ...trusted, status: 'missing', reason: `robots.txt: more than ${ROBOTS_MAX_REDIRECTS} redirects: no rules` });
    }
    if (!result.ok && result.reason === 'blocked-address') {
      // The origin itself is refused; a robots.txt redirecting to a refused address is only "no rules".
      if (result.redirects.length === 0) return reached({ ...base, status: 'blocked', reason: result.message, code: result.code, expiresAtMs: fetchedAtMs + this.#unavailableRetryMs });
      return reached({ ...trusted, status: 'missing', reason: `robots.txt redirects to a refused address: no rules` });
    }
    if (!result.ok && UNAVAILABLE_REASONS.has(result.reason)) {
      return reached({ ...trusted, status: 'missing', reason: `robots.txt ${result.reason}: no rules` });
    }
    if (result.ok && result.status >= 200 && result.status < 300) {
      return reached({ ...trusted, status: 'ok', rules: parseRobots(result.body.toString('utf8')), reason: `robots.txt ${result.status}` });
    }
    if (status !== undefined && status >= 400 && status < 500 && status !== 429) {
      return reached({ ...trusted, status: 'missing', reason: `robots.txt ${status}: no rules` });
    }
    if (status !== undefined && status >= 300 && status < 400) {
      return reached({ ...trusted, status: 'missing', reason: `robots.txt ${status} without a usable redirect: no rules` });
    }

    // 5xx, 429, timeouts, connection errors: the origin is unreachable for now.
    const code = status === undefined && !result.ok ? result.code : undefined;
    // A proxy or TLS failure says what went wrong itself (a proxy's message never holds credentials).
    const cause = code === undefined ? undefined : !result.ok && (result.reason === 'proxy' || result.reason === 'tls') ? result.message : describeUnreachable(code);
    const unreachable = `robots.txt unreachable${status !== undefined ? ` (${status})` : cause !== undefined ? `: ${cause}` : ' (no status)'}`;
    const unreachableStreak = (cached?.unreachableStreak ?? 0) + 1;
    // Pages wait on it only when nothing was known before: then it is tried again as a failed page would be.
    const pagesWait = !previous?.rules && previous?.status !== 'missing';
    const retryMs = pagesWait ? retryDelayMs({ attempt: unreachableStreak - 1, maxDelayMs: this.#unavailableRetryMs }) : this.#unavailableRetryMs;
    const retry = { ...base, ...(code !== undefined ? { code } : {}), status: 'unreachable' as const, expiresAtMs: fetchedAtMs + retryMs };
    if (previous?.rules) {
      return { entry: { ...retry, rules: previous.rules, reason: `${unreachable}; using the copy fetched earlier` }, unreachableStreak };
    }
    if (previous?.status === 'missing') {
      return { entry: { ...retry, reason: `${unreachable}; it had no rules earlier`, status: 'missing' }, unreachableStreak };
    }
    return { entry: { ...retry, reason: unreachable }, unreachableStreak };
  }

  /**
   * Caches an entry whose rules were just parsed from `parsedBytes` bytes (undefined: no new
   * rules; an unreachable origin that keeps its earlier rules keeps their size), then evicts the
   * least recently used entries down to the budget.
   */
  #store(entry: RobotsCacheEntry, parsedBytes: number | undefined, unreachableStreak: number): void {
    const previous = this.#entries.get(entry.origin);
    if (previous) this.#evict(entry.origin, previous);
    const fileBytes = parsedBytes ?? (entry.rules && entry.rules === previous?.entry.rules ? previous.fileBytes : 0);
    const bytes = robotsEntryBytes(fileBytes);
    this.#entries.set(entry.origin, { entry, fileBytes, bytes, clampReported: previous?.clampReported ?? false, unreachableStreak });
    this.#bytes += bytes;
    for (const [origin, cached] of this.#entries) {
      if (this.#bytes <= this.#maxBytes || origin === entry.origin) break;
      this.#evict(origin, cached);
    }
    if (++this.#inserts % SWEEP_EVERY !== 0) return;
    const now = this.#now();
    for (const [origin, cached] of this.#entries) if (cached.entry.expiresAtMs <= now) this.#evict(origin, cached);
  }

  #evict(origin: string, cached: Cached): void {
    this.#entries.delete(origin);
    this.#bytes -= cached.bytes;
  }
}

/** `scheme://host[:port]` of an http(s) URL (default ports omitted), or null. */
function originOf(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : null;
  } catch {
    return null;
  }
}
