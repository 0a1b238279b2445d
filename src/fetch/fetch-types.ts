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
  bytes: number;
  timings: FetchTimings;
}

export type FetchResult = FetchSuccess | FetchFailure;

/** A verdict on a redirect target, from the scope rules. */
export type RedirectVerdict = { ok: true } | { ok: false; reason: ReasonCode };

export interface FetchOptions {
  /** Called for each redirect hop before it is followed. */
  checkRedirect?: (url: string) => RedirectVerdict;
  signal?: AbortSignal;
  /** Keep the body even when the content type is not parsed (robots.txt, sitemaps). */
  keepBody?: boolean;
  /** Override the body cap for this request (robots.txt uses 500 KiB). */
  maxBodyBytes?: number;
}
