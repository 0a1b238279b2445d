/**
 * Retry policy: the one place that decides whether a failed fetch is tried
 * again, after how long, and whether the whole host must wait. Pure functions,
 * no clock and no randomness inside (both are inputs), table-tested.
 */
import type { ReasonCode } from '../core/types.js';

/** HTTP statuses worth another attempt (transient server or rate-limit states). */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 425, 429, 500, 502, 503, 504, 522, 524]);

/** Statuses that slow down the whole host, not just the one URL. */
export const HOST_BACKOFF_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/** Failure reasons that may succeed on a later attempt (http-error depends on the status). */
const RETRYABLE_REASONS: ReadonlySet<ReasonCode> = new Set<ReasonCode>(['timeout', 'connection', 'proxy']);

/**
 * Connection-level codes that will not get better by retrying: TLS certificate
 * problems, URLs the client rejects, and a proxy refusing our credentials. Only used when `code` is passed.
 */
const PERMANENT_CODE = /^(CERT_|ERR_TLS_CERT|ERR_INVALID_URL$|ERR_PROXY_AUTH$|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_(GET_ISSUER_CERT|VERIFY_LEAF_SIGNATURE))/;

/** @default 1000 */
export const DEFAULT_BASE_DELAY_MS = 1000;

/**
 * Connection codes saying a host cannot be reached at all, and what they mean. A timeout counts
 * when the host never answered before (`firstContact`): nothing answered within the timeout.
 */
const UNREACHABLE_CODES: Readonly<Record<string, string>> = {
  ETIMEDOUT: 'no answer within the timeout',
  ENOTFOUND: 'no such host name (DNS)',
  EAI_NONAME: 'no such host name (DNS)',
  EAI_NODATA: 'no address for the host name (DNS)',
  EAI_AGAIN: 'DNS lookup failed',
  ECONNREFUSED: 'connection refused',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

/** The wait before the one retry of a host that could not be reached on first contact. */
export const FIRST_CONTACT_RETRY_MS = 1000;

/** True when `code` says the host cannot be reached at all (its name does not resolve, nothing listens or answers). */
export function isHostUnreachable(code: string | undefined): boolean {
  return code !== undefined && Object.hasOwn(UNREACHABLE_CODES, code);
}

/** `no such host name (DNS) (ENOTFOUND)`, or the code alone when it is not an unreachable-host code. */
export function describeUnreachable(code: string): string {
  return isHostUnreachable(code) ? `${UNREACHABLE_CODES[code]} (${code})` : code;
}

/** Share of the exponential delay that `random` may add or remove (±25 %). */
const JITTER_FRACTION = 0.25;

export interface RetryInput {
  /** Retries already made for this request (0 on the first failure). */
  attempt: number;
  /** Retries allowed (config `fetch.retries`). */
  maxRetries: number;
  reason: ReasonCode;
  /** HTTP status, for `http-error`. */
  status?: number;
  /** The server's Retry-After, already converted to ms (see `parseRetryAfter`). */
  retryAfterMs?: number;
  /** First backoff step. @default 1000 */
  baseDelayMs?: number;
  /** Cap on every delay, Retry-After included (config `politeness.maxBackoffMs`). */
  maxDelayMs: number;
  /**
   * Longest Retry-After honoured (config `politeness.maxRetryAfterMs`): a longer
   * one fails the request at once (see `retryDecision`). @default Infinity
   */
  maxRetryAfterMs?: number;
  /**
   * Requests of this host that failed for good in a row before this one: the
   * exponent of the host's backoff when a Retry-After is too long. @default 0
   */
  hostFailures?: number;
  /**
   * A number in [0, 1) that spreads the exponential delay by ±25 % so that
   * requests failing together do not come back together. Omit for no jitter.
   */
  random?: number;
  /** The failure's code (ECONNRESET, CERT_HAS_EXPIRED…): certificate errors are not retried. */
  code?: string;
  /**
   * The host has not answered once in this crawl (no response, not even an
   * error status): a code saying it cannot be reached (DNS, refused, timeout) then
   * gets one retry after `FIRST_CONTACT_RETRY_MS`, and the host is given up.
   */
  firstContact?: boolean;
}

export interface RetryDecision {
  /** Try this request again. */
  retry: boolean;
  /**
   * How long to wait: before the retry, and (when `backoffHost`) before the
   * host gets any request. 0 when there is nothing to wait for.
   */
  delayMs: number;
  /** The whole host must wait `delayMs` (429 and 503), even when this request is not retried. */
  backoffHost: boolean;
  /** The request fails for good with this reason instead of its own (a Retry-After over `maxRetryAfterMs`). */
  reason?: 'retry-after-too-long';
  /** The host could not be reached on first contact (DNS, refused): `retry` is its one retry. */
  hostUnreachable?: true;
  /** ...and that retry was made: give the host up now. */
  giveUpHost?: true;
}

/**
 * Decides what to do after a failed fetch.
 *
 * - Retried: `timeout`, `connection`, and `http-error` with 408/425/429/500/502/503/504/522/524,
 *   while `attempt < maxRetries`. Never: other 4xx, `body-too-large`, redirect reasons,
 *   `content-type`, `decompression`, `aborted`.
 * - Delay: Retry-After when given (capped at `maxDelayMs`), else
 *   `baseDelayMs * 2^attempt` (jittered by `random`), capped at `maxDelayMs`.
 * - `backoffHost` for 429 and 503, whether or not this request is retried.
 * - A Retry-After longer than `maxRetryAfterMs` on a response that would be retried or back
 *   off its host: one URL must not stall its site, so the request is not retried and fails
 *   with reason `retry-after-too-long`; a 429/503 still backs the host off, exponentially in
 *   `hostFailures` (as without a Retry-After) and never longer than `maxRetryAfterMs`, so a
 *   host answering that to everything slows down and is given up at `hostMaxFailures`.
 * - A host that never answered and cannot be reached (`firstContact` and a
 *   DNS, refused-connection or timeout code): one retry after
 *   `FIRST_CONTACT_RETRY_MS` (a blip), then `giveUpHost`: a misspelled or dead
 *   host costs a second (a hanging one two timeouts), not minutes of retries.
 *
 * @example retryDecision({ attempt: 0, maxRetries: 2, reason: 'http-error', status: 503, maxDelayMs: 300_000 })
 * // → { retry: true, delayMs: 1000, backoffHost: true }
 * @example retryDecision({ attempt: 0, maxRetries: 2, reason: 'http-error', status: 503, retryAfterMs: 86_400_000, maxRetryAfterMs: 60_000, maxDelayMs: 300_000 })
 * // → { retry: false, delayMs: 1000, backoffHost: true, reason: 'retry-after-too-long' }
 */
export function retryDecision(input: RetryInput): RetryDecision {
  if (input.firstContact && isHostUnreachable(input.code)) {
    const retry = input.attempt < Math.min(1, input.maxRetries);
    return retry
      ? { retry, delayMs: FIRST_CONTACT_RETRY_MS, backoffHost: false, hostUnreachable: true }
      : { retry, delayMs: 0, backoffHost: false, hostUnreachable: true, giveUpHost: true };
  }
  const backoffHost = input.reason === 'http-error' && input.status !== undefined && HOST_BACKOFF_STATUSES.has(input.status);
  const retryable = isRetryable(input.reason, input.status, input.code);
  if ((retryable || backoffHost) && isRetryAfterTooLong(input.retryAfterMs, input.maxRetryAfterMs)) {
    const hostDelayMs = Math.min(input.maxDelayMs, input.maxRetryAfterMs ?? Infinity);
    const hostBackoff = { attempt: input.hostFailures ?? 0, baseDelayMs: input.baseDelayMs, maxDelayMs: hostDelayMs, random: input.random };
    const delayMs = backoffHost ? retryDelayMs(hostBackoff) : 0;
    return { retry: false, delayMs, backoffHost, reason: 'retry-after-too-long' };
  }
  const retry = retryable && input.attempt < input.maxRetries;
  const delayMs = retryable || backoffHost ? retryDelayMs(input) : 0;
  return { retry, delayMs, backoffHost };
}

/** Whether a Retry-After (ms) is past the longest one honoured. */
export function isRetryAfterTooLong(retryAfterMs: number | undefined, maxRetryAfterMs: number | undefined): boolean {
  return retryAfterMs !== undefined && maxRetryAfterMs !== undefined && retryAfterMs > maxRetryAfterMs;
}

/** Whether a failure of this kind may succeed on another attempt (ignores the attempt count). */
export function isRetryable(reason: ReasonCode, status?: number, code?: string): boolean {
  if (code !== undefined && PERMANENT_CODE.test(code)) return false;
  if (RETRYABLE_REASONS.has(reason)) return true;
  return reason === 'http-error' && status !== undefined && RETRYABLE_STATUSES.has(status);
}

/** The wait before the next attempt: Retry-After if known, else capped exponential backoff. */
export function retryDelayMs(input: Pick<RetryInput, 'attempt' | 'retryAfterMs' | 'baseDelayMs' | 'maxDelayMs' | 'random'>): number {
  const maxDelayMs = Math.max(0, input.maxDelayMs);
  if (input.retryAfterMs !== undefined && Number.isFinite(input.retryAfterMs)) {
    return Math.min(Math.max(0, Math.round(input.retryAfterMs)), maxDelayMs);
  }
  const baseDelayMs = input.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
  const exponent = Math.min(Math.max(0, input.attempt), 52);
  let delayMs = Math.min(baseDelayMs * 2 ** exponent, maxDelayMs);
  if (input.random !== undefined) {
    const random = Math.min(Math.max(input.random, 0), 1);
    delayMs *= 1 - JITTER_FRACTION + 2 * JITTER_FRACTION * random;
  }
  return Math.min(Math.round(delayMs), maxDelayMs);
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY = '(?:mon|tue|wed|thu|fri|sat|sun)';
const LONG_DAY = '(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)';
const MONTH = '(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)';
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
/** IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT` */
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`, 'i');
/** Obsolete RFC 850: `Sunday, 06-Nov-94 08:49:37 GMT` */
const RFC850_DATE = new RegExp(`^${LONG_DAY}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`, 'i');
/** Obsolete asctime: `Sun Nov  6 08:49:37 1994` */
const ASCTIME_DATE = new RegExp(`^${DAY} ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`, 'i');

/**
 * Parses a Retry-After header (RFC 9110 §10.2.3) into milliseconds from `nowMs`.
 * Accepts delta-seconds (`120`) and the three HTTP-date forms; a date in the
 * past gives 0; anything else (negative, fractional, garbage) gives undefined.
 *
 * @example parseRetryAfter('120', now) // → 120000
 * @example parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', now) // → 0 (past)
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const dateMs = parseHttpDate(text, nowMs);
  if (dateMs === undefined) return undefined;
  return Math.max(0, dateMs - nowMs);
}

/**
 * Parses an HTTP-date (IMF-fixdate, RFC 850 or asctime) to epoch ms, or undefined.
 * `nowMs` resolves RFC 850's two-digit years (RFC 9110: a year more than 50
 * years ahead is read as the most recent past year with those digits).
 */
export function parseHttpDate(text: string, nowMs: number): number | undefined {
  let match = IMF_FIXDATE.exec(text);
  if (match) return utc(match[3], match[2], match[1], match[4], match[5], match[6]);
  match = RFC850_DATE.exec(text);
  if (match) {
    const nowYear = new Date(nowMs).getUTCFullYear();
    let year = nowYear - (nowYear % 100) + Number(match[3]);
    if (year > nowYear + 50) year -= 100;
    return utc(String(year), match[2], match[1], match[4], match[5], match[6]);
  }
  match = ASCTIME_DATE.exec(text);
  if (match) return utc(match[6], match[1], match[2]?.trim(), match[3], match[4], match[5]);
  return undefined;
}

function utc(year?: string, month?: string, day?: string, hours?: string, minutes?: string, seconds?: string): number | undefined {
  const monthIndex = MONTHS.indexOf((month ?? '').toLowerCase());
  const parts = [year, day, hours, minutes, seconds].map(Number);
  const [y, d, h, mi, s] = parts as [number, number, number, number, number];
  if (monthIndex < 0 || parts.some((n) => !Number.isInteger(n))) return undefined;
  if (d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  const ms = Date.UTC(y, monthIndex, d, h, mi, Math.min(s, 59));
  // Reject dates that rolled over (e.g. 31 Feb).
  if (new Date(ms).getUTCDate() !== d) return undefined;
  return ms;
}
