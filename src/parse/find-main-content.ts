/**
 * Main-content detection on a domhandler tree. Pure; does not modify the
 * tree (what is left out goes into a `skip` set the Markdown writer obeys),
 * so cheerio field rules and custom extractors see the page unchanged.
 *
 * `main` mode, in order:
 * 1. never content (scripts, forms, media, hidden elements) and the
 *    configured `exclude` selectors are skipped everywhere;
 * 2. page furniture is skipped: `nav`, `aside`, `footer`, `form`, landmark
 *    roles (banner, navigation, complementary, contentinfo, dialog…), a
 *    `header` without the page's heading, and elements whose class or id
 *    names boilerplate (cookie, consent, share, related, newsletter,
 *    breadcrumb, sidebar…), unless they hold most of the page's text;
 * 3. the root: the `include` matches when configured; else the semantic
 *    `<main>`/`[role=main]`, narrowed to its one `<article>` when that holds
 *    most of it; else the one `<article>`, or the closest common container of
 *    several; else the best-scoring container by text/link density
 *    (Readability's paragraph scoring) plus its sibling blocks;
 * 4. link-dense blocks inside the root (lists of links, "more stories") are
 *    skipped, and the page's `<h1>` is kept when the root starts below it;
 * 5. content shorter than `minChars` is not trusted: the full page is used,
 *    with a warning.
 *
 * `full` mode: the body minus step 1.
 */
import type { Document, Element, ParentNode } from 'domhandler';
import { BOILERPLATE_HEADING, BOILERPLATE_TEXT, NEVER_CONTENT, hasBoilerplateName, isButtonLike, isFurniture, isHidden } from './content-boilerplate.js';
import {
  FLAG_H1, FLAG_H2, FLAG_HAS_LANDMARK, FLAG_HEADING, FLAG_IN_ARTICLE, FLAG_IN_LANDMARK, FLAG_NAV,
  BLOCK_ELEMENTS, descendants, findBody, isElement, isInside, isLandmark, linkDensity, measure, type ElementStats,
} from './content-dom.js';
import { scoreCandidates } from './score-content.js';

export interface MainContentOptions {
  mode: 'main' | 'full';
  /** The page's `<title>`: an `<h1>` above the content that is only the site's name in it is not the page's title. */
  title?: string;
  minChars: number;
  /** Elements matched by `extract.content.include` (any order; nested matches are fine). */
  include: readonly Element[];
  /** Elements matched by `extract.content.exclude`. */
  exclude: ReadonlySet<Element>;
}

export interface MainContent {
  /** Subtrees to render, in document order. */
  roots: ParentNode[];
  /** Elements to leave out, with their subtrees. */
  skipped: (element: Element) => boolean;
  /** How the roots were found. */
  source: 'include' | 'main' | 'article' | 'scored' | 'full' | 'fallback';
  /** Characters of text in the content. */
  textChars: number;
  /** Measures of the page with only never-content skipped (what the writer reads `hasBlock` from). */
  stats: ElementStats;
  warning?: string;
}

/** A block whose text is mostly links and which is small next to the content is a link list, not content. */
const LINK_LIST_DENSITY = 0.5;
/** A list (`ul`/`ol`) is a link list above this: a list of links with a few words of description each is content. */
const LINK_ITEMS_DENSITY = 0.7;
const LINK_LIST_SHARE = 0.3;
/** A paragraph is a link list only when nearly all of it is links ("Read more: …"); "See also A and B." is content. */
const LINK_PARAGRAPH_DENSITY = 0.75;
/** A boilerplate-named element holding more than this share of the page's text is kept (`<div class="page has-sidebar">`). */
const WRAPPER_SHARE = 0.4;
/** An element styled as a button with less text than this is a control ("Copy", "Start free trial"). */
const BUTTON_TEXT_CHARS = 40;

function textOf(roots: readonly ParentNode[], stats: ElementStats): number {
  let sum = 0;
  for (const root of roots) {
    if (isElement(root)) sum += stats.get(root)?.text ?? 0;
    else sum += textOf(root.children.filter(isElement), stats);
  }
  return sum;
}

/** The outermost elements of a set, in document order. */
function outermost(elements: readonly Element[], stats: ElementStats): Element[] {
  const measured = [...new Set(elements)].filter((e) => stats.has(e)).sort((a, b) => stats.get(a)!.order - stats.get(b)!.order);
  const kept: Element[] = [];
  for (const element of measured) {
    const last = kept[kept.length - 1];
    if (last === undefined || !isInside(stats.get(element)!, stats.get(last)!)) kept.push(element);
  }
  return kept;
}

const FURNITURE_TAG = new Set(['nav', 'aside', 'footer', 'form', 'menu']);

/** Step 2 for one element: is it page furniture here? */
function isFurnitureHere(element: Element, stats: ElementStats, bodyText: number): boolean {
  const own = stats.get(element);
  if (own === undefined) return false;
  const inLandmark = (own.flags & FLAG_IN_LANDMARK) !== 0;
  if (element.name === 'header' || element.attribs.role === 'banner') {
    // A page or article header holds the heading: keep it (its nav is skipped on its own).
    const heading = (own.flags & FLAG_H1) !== 0 || (inLandmark && (own.flags & FLAG_H2) !== 0);
    return !heading || (!inLandmark && (own.flags & FLAG_NAV) !== 0 && linkDensity(own) > LINK_LIST_DENSITY);
  }
  if (isButtonLike(element) && own.text < BUTTON_TEXT_CHARS && (own.flags & (FLAG_H1 | FLAG_HEADING)) === 0 && !/^h[1-6]$/.test(element.name)) return true;
  if (element.name === 'aside' && inLandmark && !hasBoilerplateName(element) && linkDensity(own) < LINK_LIST_DENSITY) return false;
  if (!isFurniture(element) || isLandmark(element)) return false;
  // A quotation's or figure's own footer is its attribution.
  if (element.name === 'footer' && (element.parent as Element | null)?.name !== undefined && ['blockquote', 'figure'].includes((element.parent as Element).name)) return false;
  if (FURNITURE_TAG.has(element.name) || element.attribs.role !== undefined) return true;
  // Named like boilerplate (`post-meta`, `share-bar`): a wrapper of much of the page is not.
  if (bodyText > 0 && own.text / bodyText > WRAPPER_SHARE) return false;
  return (own.flags & FLAG_HAS_LANDMARK) === 0;
}

/** Step 2: furniture to skip, given the measures of the page before it. */
function furnitureToSkip(body: ParentNode, never: (e: Element) => boolean, stats: ElementStats): Set<Element> {
  const skip = new Set<Element>();
  const bodyText = textOf([body], stats);
  for (const element of descendants(body, (e) => never(e) || skip.has(e))) {
    if (isFurnitureHere(element, stats, bodyText)) skip.add(element);
  }
  return skip;
}

/** Step 3 without include selectors: the root(s) and how they were found. */
function chooseRoots(body: ParentNode, skipped: (e: Element) => boolean, stats: ElementStats, minChars: number): Pick<MainContent, 'roots' | 'source'> | undefined {
  const text = (e: Element): number => stats.get(e)?.text ?? 0;
  const mains: Element[] = [];
  const articles: Element[] = [];
  for (const element of descendants(body, skipped)) {
    if (element.name === 'main' || element.attribs.role === 'main') mains.push(element);
    else if (element.name === 'article' && (stats.get(element)!.flags & FLAG_IN_ARTICLE) === 0) articles.push(element);
  }
  const main = mains.sort((a, b) => text(b) - text(a))[0];
  const scope = main !== undefined && text(main) >= minChars ? main : undefined;
  const inScope = scope === undefined ? articles : articles.filter((a) => isInside(stats.get(a)!, stats.get(scope)!));
  const bestArticle = [...inScope].sort((a, b) => text(b) - text(a))[0];
  if (scope !== undefined) {
    const lone = bestArticle !== undefined && inScope.length === 1;
    if (lone && text(bestArticle) >= minChars && text(bestArticle) >= 0.6 * text(scope)) return { roots: [bestArticle], source: 'article' };
    return { roots: [scope], source: 'main' };
  }
  if (bestArticle !== undefined && text(bestArticle) >= minChars) {
    if (inScope.length === 1) return { roots: [bestArticle], source: 'article' };
    const container = commonAncestor(inScope.filter((a) => text(a) >= 0.1 * text(bestArticle)));
    if (container !== undefined) return { roots: [container], source: 'article' };
  }
  const scored = scoreCandidates(body, skipped, stats);
  return scored === undefined ? undefined : { roots: scored, source: 'scored' };
}

function commonAncestor(elements: readonly Element[]): ParentNode | undefined {
  if (elements.length === 0) return undefined;
  const chain = (e: ParentNode): ParentNode[] => {
    const out: ParentNode[] = [];
    for (let p: ParentNode | null = e; p !== null; p = p.parent) out.push(p);
    return out.reverse();
  };
  let common = chain(elements[0]!);
  for (const element of elements.slice(1)) {
    const other = chain(element);
    let i = 0;
    while (i < common.length && i < other.length && common[i] === other[i]) i++;
    common = common.slice(0, i);
  }
  return common[common.length - 1];
}

const LINK_LIST_TAGS = new Set(['ul', 'ol', 'div', 'section', 'aside', 'p']);
/** Blocks checked against BOILERPLATE_TEXT, when shorter than BOILERPLATE_TEXT_CHARS. */
const TEXT_BLOCKS = new Set(['p', 'div', 'td', 'section', 'aside']);
const BOILERPLATE_TEXT_CHARS = 300;

/** The text of an element's first heading (own or below), iteratively. */
function firstHeadingText(element: Element): string | undefined {
  for (const e of descendants(element, () => false)) {
    if (/^h[1-6]$/.test(e.name)) return textContent(e);
  }
  return undefined;
}

function textContent(element: Element): string {
  let out = '';
  const stack = [...element.children].reverse();
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'text') out += node.data;
    else if (isElement(node)) for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
  }
  return out.replace(/\s+/g, ' ').trim();
}

/** True when `heading` is the site-name part of a `<title>` like "Page title – Site name" (a shorter part, not the page's). */
function isSiteName(heading: string, title: string | undefined): boolean {
  if (title === undefined) return false;
  const parts = title.split(/\s+[|\-–—·:»]\s+/).map((part) => part.trim().toLowerCase());
  if (parts.length < 2) return false;
  const longest = parts.reduce((a, b) => (b.length > a.length ? b : a));
  const text = heading.trim().toLowerCase();
  return parts.includes(text) && text !== longest;
}

/** An `<h1>` holding a link to the site's root: the logo. */
function linksHome(h1: Element): boolean {
  for (const e of descendants(h1, () => false)) {
    if (e.name === 'a' && /^(?:\/|\.\/|https?:\/\/[^/]+\/?)$/.test(e.attribs.href?.trim() ?? '')) return true;
  }
  return false;
}

/** A block titled like boilerplate: its first element is a heading saying "Related", "Share this", "Who is online"… */
function hasBoilerplateTitle(element: Element): boolean {
  let first = element.children.find(isElement);
  if (first !== undefined && !/^h[2-6]$/.test(first.name) && first.children.length === 1 && isElement(first.children[0]!)) first = first.children[0] as Element;
  return first !== undefined && /^h[2-6]$/.test(first.name) && BOILERPLATE_HEADING.test(textContent(first));
}

/** A block whose furniture (a form, a widget with text) was skipped and that is left with nothing but its heading. */
function isEmptiedSection(element: Element, text: number, skip: ReadonlySet<Element>): boolean {
  // Only a skipped block counts (a form, a list of logos), not an inline control or an edit link beside the heading.
  if (!element.children.some((c) => isElement(c) && skip.has(c) && BLOCK_ELEMENTS.has(c.name))) return false;
  const heading = element.children.find((c): c is Element => isElement(c) && /^h[2-6]$/.test(c.name));
  return heading !== undefined && text <= textContent(heading).length + 2;
}

/**
 * A list of links that is a section's content, not furniture: a block with its
 * own heading, or a list right after a heading ("See also" in documentation),
 * unless that heading names boilerplate ("Related articles", "More from …").
 */
function isTitledSection(element: Element, flags: number): boolean {
  let heading: string | undefined;
  if ((flags & FLAG_HEADING) !== 0) heading = firstHeadingText(element);
  else if (element.name === 'ul' || element.name === 'ol') {
    let previous = element.prev;
    while (previous !== null && !isElement(previous)) previous = previous.prev;
    if (previous !== null && /^h[2-6]$/.test(previous.name)) heading = textContent(previous);
  }
  return heading !== undefined && heading !== '' && !BOILERPLATE_HEADING.test(heading);
}

/** Step 4: link lists inside the roots; returns the characters of text they held. */
function skipLinkLists(roots: readonly ParentNode[], never: (e: Element) => boolean, skip: Set<Element>, stats: ElementStats): number {
  let removed = 0;
  const rootText = textOf(roots, stats) || 1;
  for (const root of roots) {
    for (const element of descendants(root, (e) => never(e) || skip.has(e))) {
      const own = stats.get(element);
      if (own !== undefined && own.text > 0 && own.text < BOILERPLATE_TEXT_CHARS && TEXT_BLOCKS.has(element.name) && BOILERPLATE_TEXT.test(textContent(element))) {
        skip.add(element);
        removed += own.text;
        continue;
      }
      if (!LINK_LIST_TAGS.has(element.name)) continue;
      if (own === undefined || own.text === 0 || (own.flags & FLAG_H1) !== 0) continue;
      if (element.name !== 'p' && (hasBoilerplateTitle(element) || isEmptiedSection(element, own.text, skip)) && own.text < LINK_LIST_SHARE * rootText) {
        skip.add(element);
        removed += own.text;
        continue;
      }
      const limit = element.name === 'p' ? LINK_PARAGRAPH_DENSITY : element.name === 'ul' || element.name === 'ol' ? LINK_ITEMS_DENSITY : LINK_LIST_DENSITY;
      if (linkDensity(own) > limit && own.text < LINK_LIST_SHARE * rootText && !isTitledSection(element, own.flags)) {
        skip.add(element);
        removed += own.text;
      }
    }
  }
  return removed;
}

/** The page's `<h1>` when the roots start below it and hold none (a title above the article body). */
function headingAbove(body: ParentNode, roots: readonly ParentNode[], never: (e: Element) => boolean, stats: ElementStats, title: string | undefined): Element | undefined {
  const first = roots[0];
  if (first === undefined || !isElement(first)) return undefined;
  if (roots.some((root) => isElement(root) && ((stats.get(root)?.flags ?? 0) & FLAG_H1) !== 0)) return undefined;
  const firstOrder = stats.get(first)?.order ?? 0;
  const chrome = (e: Element): boolean => never(e) || e.name === 'nav' || e.name === 'footer' || e.name === 'aside';
  for (const element of descendants(body, chrome)) {
    if ((stats.get(element)?.order ?? Infinity) >= firstOrder) return undefined;
    if (element.name !== 'h1' || (stats.get(element)?.text ?? 0) === 0) continue;
    const text = textContent(element);
    if (isSiteName(text, title) || linksHome(element)) continue;
    // A linked `<h1>` is usually the logo, unless the page title says it is the page's heading.
    if (linkDensity(stats.get(element)) < 0.5 || (title !== undefined && title.toLowerCase().includes(text.toLowerCase()))) return element;
  }
  return undefined;
}

/**
 * Finds the content of a page.
 * @example
 * const found = findMainContent(parseDocument(html), { mode: 'main', minChars: 120, include: [], exclude: new Set() });
 * // found.roots → [<article>]; found.skipped(navElement) → true
 */
export function findMainContent(document: Document, options: MainContentOptions): MainContent {
  const body = findBody(document);
  const never = (e: Element): boolean => NEVER_CONTENT.has(e.name) || options.exclude.has(e) || isHidden(e);
  const raw = measure(document, never);
  const full = (): MainContent => ({ roots: [body], skipped: never, source: 'full', textChars: textOf([body], raw), stats: raw });
  if (options.mode === 'full') return full();

  if (options.include.length > 0) {
    const roots = outermost(options.include, raw);
    if (roots.length > 0) return { roots, skipped: never, source: 'include', textChars: textOf(roots, raw), stats: raw };
  }

  const skip = furnitureToSkip(body, never, raw);
  const skipped = (e: Element): boolean => never(e) || skip.has(e);
  const stats = measure(body, skipped);
  const chosen = chooseRoots(body, skipped, stats, options.minChars);
  if (chosen !== undefined) {
    const removed = skipLinkLists(chosen.roots, never, skip, stats);
    const heading = headingAbove(body, chosen.roots, never, raw, options.title);
    const roots = heading === undefined ? chosen.roots : [heading, ...chosen.roots];
    const textChars = textOf(chosen.roots, stats) - removed + (heading === undefined ? 0 : textOf([heading], raw));
    if (textChars >= options.minChars) return { roots, skipped, source: chosen.source, textChars, stats: raw };
  }
  const warning = `no main content found (nothing with extract.content.minChars = ${options.minChars} characters of text): the full page is used`;
  return { ...full(), source: 'fallback', warning };
}
