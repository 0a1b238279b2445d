/**
 * Scope: may a (normalised) URL be crawled? Pure policy, compiled once.
 *
 * `ScopeRules` holds compiled RegExps and closures, so it is NOT sent across
 * the worker boundary: workers receive the plain `(seeds, scope)` inputs and
 * call `createScopeRules` themselves (cheap: a few URL parses and one RegExp
 * per pattern).
 */
import { createRequire } from 'node:module';
import type { CrawlConfig } from '../config/schema.js';
import { ConfigError } from '../core/errors.js';
import { compileUrlPatterns, type UrlMatcher } from './url-patterns.js';
import { authorityEnd } from './host-of.js';

export type ScopeConfig = CrawlConfig['scope'];

export type ScopeReason = 'offsite' | 'excluded' | 'depth' | 'url-too-long' | 'trap-repeated-segment' | 'scheme';

export type ScopeResult = { ok: true } | { ok: false; reason: ScopeReason };

/** Compiled scope rules; build with `createScopeRules`, use with `checkScope`. */
export interface ScopeRules {
  readonly mode: ScopeConfig['mode'];
  readonly maxDepth: number;
  readonly maxUrlLength: number;
  readonly maxRepeatedSegments: number;
  /** Lower-case host names of the seeds (same-host). */
  readonly seedHosts: ReadonlySet<string>;
  /** Registrable domains of the seeds, or the host for IPs/localhost (same-domain only; empty otherwise). */
  readonly seedDomains: ReadonlySet<string>;
  /** `scheme://host[:port]` of the seeds, default ports omitted (same-origin). */
  readonly seedOrigins: ReadonlySet<string>;
  /** `undefined` when `include` is empty (everything is included). */
  readonly include: UrlMatcher | undefined;
  readonly exclude: UrlMatcher | undefined;
}

const OK: ScopeResult = { ok: true };
const REJECT: { [R in ScopeReason]: ScopeResult } = {
  offsite: { ok: false, reason: 'offsite' },
  excluded: { ok: false, reason: 'excluded' },
  depth: { ok: false, reason: 'depth' },
  'url-too-long': { ok: false, reason: 'url-too-long' },
  'trap-repeated-segment': { ok: false, reason: 'trap-repeated-segment' },
  scheme: { ok: false, reason: 'scheme' },
};

/**
 * Registrable domain of a host, using the public suffix list *including its
 * private section*: `a.github.io` and `b.github.io` are different sites, like
 * `a.example.co.uk` and `b.example.co.uk` are the same one. IP addresses and
 * hosts without a public suffix (`localhost`) are their own domain.
 */
export function registrableDomain(host: string): string {
  return publicSuffixes().getDomain(host, { allowPrivateDomains: true }) ?? host;
}

let tldts: typeof import('tldts') | undefined;

/**
 * tldts, loaded on first use: its public suffix list costs each process that
 * loads it ~4 MB of RSS (main process and every parser worker), and only the
 * `same-domain` scope needs it.
 */
function publicSuffixes(): typeof import('tldts') {
  tldts ??= createRequire(import.meta.url)('tldts') as typeof import('tldts');
  return tldts;
}

/**
 * Compiles the scope for a crawl.
 * @param seeds absolute http(s) start URLs (validated config)
 * @throws ConfigError for a seed that is not an http(s) URL or an invalid include/exclude pattern
 */
export function createScopeRules(seeds: readonly string[], scope: ScopeConfig): ScopeRules {
  const seedHosts = new Set<string>();
  const seedDomains = new Set<string>();
  const seedOrigins = new Set<string>();
  seeds.forEach((seed, i) => {
    let u: URL;
    try {
      u = new URL(seed);
    } catch (cause) {
      throw new ConfigError(`seeds[${i}]`, `invalid URL ${JSON.stringify(seed)}`, { cause });
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      throw new ConfigError(`seeds[${i}]`, `expected an http(s) URL, got ${JSON.stringify(seed)}`);
    }
    seedHosts.add(u.hostname);
    if (scope.mode === 'same-domain') seedDomains.add(registrableDomain(u.hostname));
    seedOrigins.add(`${u.protocol}//${u.host}`);
  });
  return {
    mode: scope.mode,
    maxDepth: scope.maxDepth,
    maxUrlLength: scope.maxUrlLength,
    maxRepeatedSegments: scope.maxRepeatedSegments,
    seedHosts,
    seedDomains,
    seedOrigins,
    include: scope.include.length === 0 ? undefined : compileUrlPatterns(scope.include, 'scope.include'),
    exclude: scope.exclude.length === 0 ? undefined : compileUrlPatterns(scope.exclude, 'scope.exclude'),
  };
}

/** The parts of a normalised URL that scope needs, found without `new URL`. */
interface UrlParts {
  /** `http:` or `https:` */
  protocol: string;
  /** host[:port], without userinfo */
  host: string;
  hostname: string;
  /** path only, without query */
  path: string;
}

function splitUrl(url: string): UrlParts | undefined {
  const schemeEnd = url.indexOf('://');
  if (schemeEnd === -1) return undefined;
  const protocol = url.slice(0, schemeEnd + 1).toLowerCase();
  const authorityStart = schemeEnd + 3;
  const pathStart = authorityEnd(url, authorityStart);
  const authority = url.slice(authorityStart, pathStart);
  const host = authority.slice(authority.lastIndexOf('@') + 1).toLowerCase();
  const portColon = host.lastIndexOf(':');
  const hostname = portColon > host.lastIndexOf(']') ? host.slice(0, portColon) : host;
  let pathEnd = pathStart;
  while (pathEnd < url.length) {
    const c = url.charCodeAt(pathEnd);
    if (c === 63 /* ? */ || c === 35 /* # */) break;
    pathEnd++;
  }
  return { protocol, host, hostname, path: url.slice(pathStart, pathEnd) };
}

function isOnSite(parts: UrlParts, rules: ScopeRules): boolean {
  switch (rules.mode) {
    case 'any':
      return true;
    case 'same-host':
      return rules.seedHosts.has(parts.hostname);
    case 'same-origin':
      return rules.seedOrigins.has(`${parts.protocol}//${parts.host}`);
    case 'same-domain':
      return rules.seedHosts.has(parts.hostname) || rules.seedDomains.has(registrableDomain(parts.hostname));
  }
}

/** True when some non-empty path segment occurs more than `max` times. */
export function hasRepeatedSegment(path: string, max: number): boolean {
  const segments = path.split('/');
  // Fewer non-empty segments than max + 1 cannot repeat too often.
  if (segments.length <= max + 1) return false;
  const counts = new Map<string, number>();
  for (const segment of segments) {
    if (segment === '') continue;
    const n = (counts.get(segment) ?? 0) + 1;
    if (n > max) return true;
    counts.set(segment, n);
  }
  return false;
}

/**
 * Decides whether a normalised URL at a given depth is in scope. Checks run
 * cheapest first and the first failure is the reason: `url-too-long`,
 * `scheme`, `depth`, `offsite`, `trap-repeated-segment`, then `excluded`
 * (an `exclude` pattern matches, or `include` is non-empty and none matches).
 *
 * @param url a URL produced by `normalizeUrl`
 * @param depth link depth from the seeds (seeds are 0)
 */
export function checkScope(url: string, depth: number, rules: ScopeRules): ScopeResult {
  if (url.length > rules.maxUrlLength) return REJECT['url-too-long'];
  const parts = splitUrl(url);
  if (parts === undefined || (parts.protocol !== 'http:' && parts.protocol !== 'https:')) return REJECT.scheme;
  if (depth > rules.maxDepth) return REJECT.depth;
  if (!isOnSite(parts, rules)) return REJECT.offsite;
  if (hasRepeatedSegment(parts.path, rules.maxRepeatedSegments)) return REJECT['trap-repeated-segment'];
  if (rules.exclude !== undefined && rules.exclude(url)) return REJECT.excluded;
  if (rules.include !== undefined && !rules.include(url)) return REJECT.excluded;
  return OK;
}
