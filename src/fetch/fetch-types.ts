/**
 * What a fetch returns. A failed fetch is a value with a reason, never a throw:
 * the crawler records it as a page (or retries it via retry-policy.ts).
 */
import type { ReasonCode, RedirectHop } from '../core/types.js';

export interface FetchTimings {
  /** Request start to response headers (DNS + connect + TLS + TTFB). */
  waitMs: number;
  /** Response headers to last body byte. */
  downloadMs: number;
}

export interface FetchSuccess {
  ok: true;
  url: string;
  finalUrl: string;
  redirects: RedirectHop[];
  status: number;
  /** Lower-cased header names. */
  headers: Record<string, string | string[] | undefined>;
  contentType?: string;
  /** Decompressed body bytes (empty when the type is not parsed and bodies of such types are not kept). */
  body: Buffer;
  bytes: number;
  timings: FetchTimings;
  /**
   * True when the body was not read because the content type is not parsed
   * (and `keepBody` was not set): the crawler records the page as skipped 'content-type'.
   */
  bodySkipped?: boolean;
}

export interface FetchFailure {
  ok: false;
  url: string;
  finalUrl?: string;
  redirects: RedirectHop[];
  status?: number;
  headers?: Record<string, string | string[] | undefined>;
  contentType?: string;
  reason: ReasonCode;
  /** Stable error code (got's ETIMEDOUT, ECONNRESET… or skein's ERR_*). */
  code: string;
  message: string;
  /** Retry-After in ms when the server sent one (seconds or HTTP-date). */
  retryAfterMs?: number;
  /** When the redirect gate asks to try the request again (a hop's host has its robots.txt unreachable). */
  retryAtMs?: number;
  bytes: number;
  timings: FetchTimings;
}

export type FetchResult = FetchSuccess | FetchFailure;

/**
 * A verdict on a redirect hop, from the gate every hop passes (scope, robots, dedup, spacing):
 * follow it, or end the fetch with `reason` (and `detail` as its message; `retryAtMs` when the
 * hop may pass later).
 */
export type RedirectVerdict = { ok: true } | { ok: false; reason: ReasonCode; detail?: string; retryAtMs?: number };

export interface FetchOptions {
  /**
   * Called for each redirect hop (absolute URL, fragment removed) before it is followed; may
   * wait (robots.txt of a new host, the host's spacing). Time spent here does not count toward
   * the request timeout. Hops are followed without it only when it is absent.
   */
  checkRedirect?: (url: string) => RedirectVerdict | Promise<RedirectVerdict>;
  signal?: AbortSignal;
  /** Keep the body even when the content type is not parsed (robots.txt, sitemaps). */
  keepBody?: boolean;
  /** Override the body cap for this request (robots.txt uses 500 KiB). */
  maxBodyBytes?: number;
  /** The request method: HEAD checks a link without its body (external links). @default 'GET' */
  method?: 'GET' | 'HEAD';
  /** Only the response matters: the body is read up to 64 KiB (so the socket can be reused) and thrown away. */
  discardBody?: boolean;
  /**
   * Sees every exchange of this fetch (each redirect hop is one) as it went over the wire:
   * raw request and response heads, the body as transferred (WARC archiving). With it,
   * bodies the crawl would not read (redirects, errors, types not parsed) are read within
   * the usual caps so that the exchange is complete.
   */
  onExchange?: (exchange: CapturedExchange) => void;
}

/** One HTTP exchange as transferred (fetch/capture-transfer.ts). */
export interface CapturedExchange {
  /** The URL requested (fragment removed). */
  url: string;
  /** When the request was sent (ms since the epoch). */
  sentAtMs: number;
  /** The remote address connected to (the proxy's, through a proxy); undefined when unknown. */
  ip?: string;
  /** The request head as sent: request line and header lines, ending with an empty line. */
  requestHead: string;
  /** The status line and header lines as received, ending with an empty line (a Transfer-Encoding header renamed X-Archive-Orig-Transfer-Encoding). */
  responseHead: string;
  status: number;
  /** The body as transferred, transfer-coding removed and content-coding kept (gzip stays gzip). */
  body: Buffer;
  /** Why the body is incomplete: cut at the byte cap (`length`), the time cap (`time`) or the connection ended early (`disconnect`). */
  truncated?: 'length' | 'time' | 'disconnect';
}
