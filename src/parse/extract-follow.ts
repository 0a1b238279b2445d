/**
 * Selector-limited link following (`extract.follow.selectors`,
 * `extract.rules[i].follow.selectors`): which of a page's links the selectors
 * pick. A matched `<a href>`/`<area href>` counts itself; any other matched
 * element contributes the links inside it (so `.pagination` works as well as
 * `.pagination a`). The picked links then go through the usual follow
 * decision (scope, depth, rel=nofollow) in `extractLinks`.
 */
import type { CheerioAPI } from 'cheerio/slim';
import type { RawLink } from './extract-links.js';
import { hasToken } from './extract-metadata.js';

interface LinkElement {
  name?: string;
  attribs?: Record<string, string>;
}

function isLink(el: LinkElement): boolean {
  return (el.name === 'a' || el.name === 'area') && el.attribs?.href !== undefined;
}

/** The raw links picked by `selectors`, in document order, each element once. */
export function selectFollowLinks($: CheerioAPI, selectors: readonly string[]): RawLink[] {
  if (selectors.length === 0) return [];
  const matched = $(selectors.join(', '));
  const picked = new Set<LinkElement>();
  for (const el of matched.toArray() as LinkElement[]) {
    if (isLink(el)) picked.add(el);
  }
  for (const el of matched.find('a[href], area[href]').toArray() as LinkElement[]) picked.add(el);
  // Both lists are in document order; merge them back into one.
  const ordered = $('a[href], area[href]').toArray() as LinkElement[];
  const links: RawLink[] = [];
  for (const el of ordered) {
    if (picked.has(el)) links.push({ href: el.attribs!.href!, nofollow: hasToken(el.attribs!.rel, 'nofollow') });
  }
  return links;
}
