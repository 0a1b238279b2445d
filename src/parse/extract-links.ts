/**
 * Outgoing links: resolution against `<base href>`, normalisation, dedup,
 * and the follow decision (scope, rel=nofollow, page-level nofollow).
 * Pure; linear in the number of hrefs (each distinct href is resolved once
 * and each distinct URL is scope-checked once).
 */
import type { ReasonCode } from '../core/types.js';
import type { UrlNormalizer } from '../url/normalize-url.js';
import { checkScope, type ScopeRules } from '../url/scope.js';

/** One `<a href>` / `<area href>` as found in the document. */
export interface RawLink {
  /** The attribute value, entities decoded, not trimmed. */
  href: string;
  /** The element's `rel` contains `nofollow`. */
  nofollow: boolean;
  /** Its text (whitespace collapsed, images' `alt` included, cut at 100 characters); absent when empty. */
  text?: string;
}

export interface LinkContext {
  /** Final URL of the page. */
  pageUrl: string;
  /** The first `<base href>` value, if any. */
  baseHref?: string;
  /** Depth of the page; links are checked against scope at depth + 1. */
  depth: number;
  /** The page asked not to follow its links (meta robots / X-Robots-Tag) and the config respects it. */
  pageNofollow: boolean;
  /** Honour rel="nofollow" on individual links. */
  respectNofollow: boolean;
  normalize: UrlNormalizer;
  scope: ScopeRules;
}

export interface ExtractedLinks {
  /** Every http(s) link, absolute and normalised, deduplicated in document order. */
  links: string[];
  /** The text of each link of `links` (same order): the first non-empty text it was linked with, else "". */
  linkText: string[];
  /** The subset (same order) that is in scope at depth + 1 and may be followed. */
  follow: string[];
  /** Links not followed, by reason: `nofollow` (rel or page), or the scope's reason (offsite, excluded, depth…). */
  dropped: Partial<Record<ReasonCode, number>>;
  /**
   * The links never followed whatever the scope (rel=nofollow, or all of a
   * nofollow page), same order: what a wider scope on resume must not follow.
   */
  unfollowable: string[];
}

/**
 * A `<base href>` value resolved against the page URL, or undefined when it
 * does not yield an http(s) URL (a `javascript:`/`data:` or unparsable base
 * is ignored, as browsers do).
 */
export function parseBaseHref(baseHref: string, pageUrl: string): string | undefined {
  try {
    const base = new URL(baseHref.trim(), pageUrl);
    return base.protocol === 'http:' || base.protocol === 'https:' ? base.href : undefined;
  } catch {
    return undefined;
  }
}

/** The URL relative links resolve against: the valid `<base href>`, else the page URL. */
export function resolveBaseUrl(baseHref: string | undefined, pageUrl: string): string {
  return (baseHref === undefined ? undefined : parseBaseHref(baseHref, pageUrl)) ?? pageUrl;
}

/**
 * Resolves, normalises and deduplicates links, then decides which to follow.
 * Non-http(s) and invalid hrefs (`mailto:`, `javascript:`, `tel:`, `http://[`)
 * are dropped. A URL linked both with and without rel=nofollow is followed.
 */
export function extractLinks(raw: readonly RawLink[], ctx: LinkContext): ExtractedLinks {
  const base = resolveBaseUrl(ctx.baseHref, ctx.pageUrl);
  const resolved = new Map<string, string | null>();
  /** url → its position in `links`, and whether it may be followed (as far as rel/page flags go). */
  const seen = new Map<string, { at: number; allowed: boolean }>();
  const links: string[] = [];
  const linkText: string[] = [];

  for (const link of raw) {
    let url = resolved.get(link.href);
    if (url === undefined) {
      const result = ctx.normalize(link.href, base);
      url = result.ok ? result.url : null;
      resolved.set(link.href, url);
    }
    if (url === null) continue;
    const allowed = !ctx.pageNofollow && !(ctx.respectNofollow && link.nofollow);
    const known = seen.get(url);
    if (known === undefined) {
      seen.set(url, { at: links.length, allowed });
      links.push(url);
      linkText.push(link.text ?? '');
    } else {
      if (allowed) known.allowed = true;
      if (link.text !== undefined && linkText[known.at] === '') linkText[known.at] = link.text;
    }
  }

  const follow: string[] = [];
  const unfollowable: string[] = [];
  const dropped: Partial<Record<ReasonCode, number>> = {};
  const nextDepth = ctx.depth + 1;
  for (const url of links) {
    let reason: ReasonCode | undefined;
    if (seen.get(url)?.allowed !== true) {
      unfollowable.push(url);
      reason = 'nofollow';
    } else {
      const verdict = checkScope(url, nextDepth, ctx.scope);
      if (verdict.ok) follow.push(url);
      else reason = verdict.reason;
    }
    if (reason) dropped[reason] = (dropped[reason] ?? 0) + 1;
  }
  return { links, linkText, follow, dropped, unfollowable };
}
