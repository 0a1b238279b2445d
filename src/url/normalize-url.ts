/**
 * URL normalisation: one canonical string per page, used as the dedup key,
 * the frontier key and the record key. Pure and cheap per call (it runs in
 * the parser workers for every outgoing link), so everything that depends on
 * options is compiled once by `createUrlNormalizer`.
 *
 * What a normalised URL looks like:
 * - absolute, resolved against `base`; scheme `http` or `https` only;
 * - scheme and host lower-case, IDN hosts in punycode, default ports dropped
 *   (all three done by WHATWG `URL`, which also strips leading/trailing C0
 *   controls and spaces and removes tabs/newlines anywhere in the input);
 * - no fragment; empty path is `/`; dot segments (also `%2e`) resolved;
 * - percent-escapes in path and query use upper-case hex, and escapes of
 *   unreserved characters (`A-Z a-z 0-9 - . _ ~`) are decoded (`%7e` → `~`);
 *   escapes of reserved characters stay encoded (`%2f` → `%2F`, never `/`);
 * - query parameters whose names match a `stripParams` glob are removed,
 *   empty `&&` pieces are dropped, the rest are sorted by name (stable, so
 *   repeated names keep their order) when `sortParams`, and a query left
 *   empty loses its `?`. Parameter values are never re-encoded (`+` stays `+`).
 */

export type NormalizeResult = { ok: true; url: string } | { ok: false; reason: 'invalid-url' | 'scheme' };

export interface UrlNormalizerOptions {
  /**
   * Query parameter names to remove: case-insensitive globs where `*` matches
   * any run of characters (`utm_*`). Matched against the percent-decoded name.
   * @default the `scope.stripParams` default of the config schema
   */
  stripParams: string[];
  /** Sort query parameters by name (stable). @default true */
  sortParams: boolean;
}

export type UrlNormalizer = (href: string, base?: string) => NormalizeResult;

/** A leading `scheme:` (RFC 3986 syntax) in a trimmed href. */
const SCHEME_PREFIX = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;
const PERCENT_ESCAPE = /%([0-9a-fA-F]{2})/g;
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

const INVALID: NormalizeResult = { ok: false, reason: 'invalid-url' };
const SCHEME: NormalizeResult = { ok: false, reason: 'scheme' };

/** Upper-cases percent-escape hex and decodes escapes of unreserved characters. */
function normalizePercentEscapes(s: string): string {
  if (!s.includes('%')) return s;
  return s.replace(PERCENT_ESCAPE, (escape: string, hex: string) => {
    const ch = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(ch) ? ch : `%${hex.toUpperCase()}`;
  });
}

/**
 * Compiles name globs into one case-insensitive RegExp (`*` = any run of
 * characters, everything else literal), or `undefined` when there are none.
 */
export function compileParamGlobs(globs: readonly string[]): RegExp | undefined {
  const alternatives = globs
    .filter((g) => g.length > 0)
    .map((g) => g.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('.*'));
  return alternatives.length === 0 ? undefined : new RegExp(`^(?:${alternatives.join('|')})$`, 'i');
}

function decodeName(rawName: string): string {
  const plusAsSpace = rawName.includes('+') ? rawName.replace(/\+/g, ' ') : rawName;
  if (!plusAsSpace.includes('%')) return plusAsSpace;
  try {
    return decodeURIComponent(plusAsSpace);
  } catch {
    return plusAsSpace;
  }
}

function nameOf(pair: string): string {
  const eq = pair.indexOf('=');
  return eq === -1 ? pair : pair.slice(0, eq);
}

function compareByName(a: string, b: string): number {
  const na = nameOf(a);
  const nb = nameOf(b);
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/** Rewrites a raw query (without `?`): strip, drop empty pieces, sort. */
function normalizeQuery(rawQuery: string, strip: RegExp | undefined, sortParams: boolean): string {
  const pairs: string[] = [];
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    if (strip !== undefined && strip.test(decodeName(nameOf(pair)))) continue;
    pairs.push(pair);
  }
  // Array.prototype.sort is stable (ES2019): equal names keep their order.
  if (sortParams && pairs.length > 1) pairs.sort(compareByName);
  return pairs.join('&');
}

/**
 * Compiles a normaliser for the given options. The returned function never
 * throws: a bad href is `{ ok: false, reason }`.
 *
 * @example
 * const normalize = createUrlNormalizer({ stripParams: ['utm_*'], sortParams: true });
 * normalize('../b?utm_source=x&z=1&a=2#top', 'HTTPS://Example.com:443/a/c');
 * // → { ok: true, url: 'https://example.com/b?a=2&z=1' }
 */
export function createUrlNormalizer(opts: UrlNormalizerOptions): UrlNormalizer {
  const strip = compileParamGlobs(opts.stripParams);
  const sortParams = opts.sortParams;

  return function normalize(href: string, base?: string): NormalizeResult {
    const trimmed = href.trim();
    const scheme = SCHEME_PREFIX.exec(trimmed);
    if (scheme !== null) {
      const name = scheme[1]!.toLowerCase();
      if (name !== 'http' && name !== 'https') return SCHEME;
    }
    let u: URL;
    try {
      u = base === undefined ? new URL(trimmed) : new URL(trimmed, base);
    } catch {
      return INVALID;
    }
    // Catches schemes the prefix test could not see (`java\nscript:`) and a non-http base.
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return SCHEME;
    if (u.hostname === '') return INVALID;

    const path = normalizePercentEscapes(u.pathname);
    let query = u.search;
    if (query.length > 1) {
      query = normalizeQuery(normalizePercentEscapes(query.slice(1)), strip, sortParams);
      if (query !== '') query = `?${query}`;
    } else {
      query = '';
    }
    const userinfo =
      u.username !== '' || u.password !== '' ? `${u.username}${u.password === '' ? '' : `:${u.password}`}@` : '';
    return { ok: true, url: `${u.protocol}//${userinfo}${u.host}${path}${query}` };
  };
}

/** Tracking and session parameters removed by default (the `scope.stripParams` default). */
export const DEFAULT_STRIP_PARAMS: readonly string[] = ['utm_*', 'fbclid', 'gclid', 'dclid', 'msclkid', 'mc_cid', 'mc_eid', '_ga', 'yclid', 'phpsessid', 'jsessionid', 'sid', 'sessionid'];

let defaultNormalizer: UrlNormalizer | undefined;

/**
 * `createUrlNormalizer` with the config schema's defaults for
 * `scope.stripParams` and `scope.sortParams` (compiled on first use).
 */
export function normalizeUrl(href: string, base?: string): NormalizeResult {
  if (defaultNormalizer === undefined) {
    defaultNormalizer = createUrlNormalizer({ stripParams: [...DEFAULT_STRIP_PARAMS], sortParams: true });
  }
  return defaultNormalizer(href, base);
}
