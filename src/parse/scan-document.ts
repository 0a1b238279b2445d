/**
 * One iterative pass over a parsed document that gathers everything the
 * built-in extractors need: metadata, headings, visible text and raw links.
 *
 * Iterative (explicit stack), never recursive: a page of 50,000 unclosed
 * `<div>`s is a tree 50,000 levels deep, which would overflow the call stack
 * of a recursive walk (and of cheerio's `.text()`).
 */
import type { RawLink } from './extract-links.js';
import { hasToken } from './extract-metadata.js';
import { INLINE_ELEMENTS, NON_TEXT_ELEMENTS, TextCollector, collapseWhitespace } from './extract-text.js';

/**
 * The parts of a domhandler node the scan reads (cheerio in htmlparser2
 * mode produces domhandler trees; element and attribute names are lower-case).
 */
export interface DomNode {
  type: string;
  name?: string;
  attribs?: Record<string, string>;
  children?: DomNode[];
  data?: string;
}

export interface ScannedDocument {
  title?: string;
  description?: string;
  /** Raw href of the first `<link rel="canonical">`. */
  canonicalHref?: string;
  lang?: string;
  /** Raw href of the first `<base href>`. */
  baseHref?: string;
  /** Content of the `<meta name="robots">` tag(s), joined with ", ". */
  metaRobots?: string;
  headings: { h1: string[]; h2: string[]; h3: string[] };
  /** Visible text; undefined when `maxTextChars` is 0. */
  text?: string;
  links: RawLink[];
}

export interface ScanOptions {
  /** Text budget in characters; 0 skips text collection. */
  maxTextChars: number;
}

/** Longest title or heading kept, in characters (a page with an unclosed `<h1>` would otherwise make its whole body a heading). */
export const MAX_HEADING_CHARS = 2_000;

const HEADING_LEVELS: Readonly<Record<string, 'h1' | 'h2' | 'h3'>> = { h1: 'h1', h2: 'h2', h3: 'h3' };

/** Marks the end of an element on the walk stack. */
class Exit {
  constructor(readonly node: DomNode) {}
}

export function scanDocument(root: DomNode, options: ScanOptions): ScannedDocument {
  const result: ScannedDocument = { headings: { h1: [], h2: [], h3: [] }, links: [] };
  const text = options.maxTextChars > 0 ? new TextCollector(options.maxTextChars) : undefined;
  const robots: string[] = [];
  let nonTextDepth = 0;
  let svgDepth = 0;
  let heading: { level: 'h1' | 'h2' | 'h3'; node: DomNode; collector: TextCollector } | undefined;
  let title: { node: DomNode; collector: TextCollector } | undefined;

  const stack: Array<DomNode | Exit> = [];
  const pushChildren = (node: DomNode): void => {
    const children = node.children;
    if (!children) return;
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  };
  pushChildren(root);

  while (stack.length > 0) {
    const item = stack.pop()!;

    if (item instanceof Exit) {
      const node = item.node;
      const name = node.name!;
      if (NON_TEXT_ELEMENTS.has(name)) nonTextDepth--;
      if (name === 'svg') svgDepth--;
      if (heading !== undefined && heading.node === node) {
        const value = heading.collector.text();
        if (value !== '') result.headings[heading.level].push(value);
        heading = undefined;
      }
      if (title !== undefined && title.node === node) {
        result.title = title.collector.text();
        title = undefined;
      }
      if (text !== undefined && !INLINE_ELEMENTS.has(name)) text.separate();
      continue;
    }

    const node = item;
    if (node.type === 'text') {
      const data = node.data ?? '';
      if (title !== undefined) title.collector.append(data);
      if (nonTextDepth === 0) {
        if (text !== undefined) text.append(data);
        if (heading !== undefined) heading.collector.append(data);
      }
      continue;
    }
    const name = node.name;
    if (name === undefined) continue; // comments, directives
    const attribs = node.attribs ?? {};

    switch (name) {
      case 'a':
      case 'area':
        if (attribs.href !== undefined) result.links.push({ href: attribs.href, nofollow: hasToken(attribs.rel, 'nofollow') });
        break;
      case 'html':
        if (result.lang === undefined && attribs.lang !== undefined && attribs.lang.trim() !== '') result.lang = attribs.lang.trim();
        break;
      case 'base':
        if (result.baseHref === undefined && attribs.href !== undefined) result.baseHref = attribs.href;
        break;
      case 'link':
        if (result.canonicalHref === undefined && attribs.href !== undefined && hasToken(attribs.rel, 'canonical')) {
          result.canonicalHref = attribs.href;
        }
        break;
      case 'meta': {
        const metaName = attribs.name?.trim().toLowerCase();
        if (metaName === 'description' && result.description === undefined && attribs.content !== undefined) {
          result.description = collapseWhitespace(attribs.content);
        } else if (metaName === 'robots' && attribs.content !== undefined) {
          const value = collapseWhitespace(attribs.content);
          if (value !== '') robots.push(value);
        }
        break;
      }
      case 'br':
        text?.separate();
        heading?.collector.separate();
        break;
      case 'title':
        if (result.title === undefined && title === undefined && svgDepth === 0) {
          title = { node, collector: new TextCollector(MAX_HEADING_CHARS) };
        }
        break;
      default: {
        const level = HEADING_LEVELS[name];
        if (level !== undefined && heading === undefined && nonTextDepth === 0) {
          heading = { level, node, collector: new TextCollector(MAX_HEADING_CHARS) };
        }
      }
    }

    if (node.children === undefined || node.children.length === 0) {
      if (text !== undefined && !INLINE_ELEMENTS.has(name)) text.separate();
      if (title !== undefined && title.node === node) title = undefined;
      if (heading !== undefined && heading.node === node) heading = undefined;
      continue;
    }
    if (NON_TEXT_ELEMENTS.has(name)) nonTextDepth++;
    if (name === 'svg') svgDepth++;
    if (text !== undefined && !INLINE_ELEMENTS.has(name)) text.separate();
    stack.push(new Exit(node));
    pushChildren(node);
  }

  if (robots.length > 0) result.metaRobots = robots.join(', ');
  if (text !== undefined) result.text = text.text();
  return result;
}
