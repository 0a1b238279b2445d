/**
 * Walking and measuring a domhandler tree (the one htmlparser2 builds, and
 * cheerio wraps) without recursion: a page of 50,000 nested `<div>`s is a
 * deep tree, and the call stack is not.
 *
 * `measure` computes, for every element outside the `skip` set, the length of
 * its visible text, the part of it inside links, its comma count and whether
 * it holds block-level elements: what link density, scoring and the Markdown
 * writer's inline/block decision need.
 */
import type { AnyNode, Element, ParentNode } from 'domhandler';

/** domhandler node types that are elements (`<script>`/`<style>` have their own). */
export function isElement(node: AnyNode): node is Element {
  return node.type === 'tag' || node.type === 'script' || node.type === 'style';
}

/** Elements that start a block of their own in rendered text and Markdown. */
export const BLOCK_ELEMENTS: ReadonlySet<string> = new Set([
  'address', 'article', 'aside', 'blockquote', 'body', 'center', 'dd', 'details', 'dialog', 'dir', 'div', 'dl', 'dt',
  'fieldset', 'figcaption', 'figure', 'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hgroup',
  'hr', 'html', 'li', 'main', 'menu', 'nav', 'ol', 'p', 'pre', 'section', 'summary', 'table', 'tbody', 'td',
  'tfoot', 'th', 'thead', 'tr', 'ul', 'caption', 'search',
]);

export interface NodeStats {
  /** Characters of visible text (each text node trimmed). */
  text: number;
  /** Of which inside `<a>`. */
  link: number;
  commas: number;
  /** Holds a block-level element somewhere below. */
  hasBlock: boolean;
  /** Position in document order (pre-order). */
  order: number;
  /** Order of the last element in its subtree: `e` is inside `x` when x.order < e.order <= x.end. */
  end: number;
  /** FLAG_* bits. */
  flags: number;
}

/** An `<h1>` at or below the element. */
export const FLAG_H1 = 1;
/** An `<h2>` at or below the element. */
export const FLAG_H2 = 2;
/** An `<h2>`–`<h6>` at or below the element. */
export const FLAG_HEADING = 64;
/** A `<nav>` below the element. */
export const FLAG_NAV = 4;
/** A `<main>`, `<article>` or `[role=main]` below the element. */
export const FLAG_HAS_LANDMARK = 8;
/** The element is inside a `<main>`, `<article>` or `[role=main]`. */
export const FLAG_IN_LANDMARK = 16;
/** The element is inside an `<article>`. */
export const FLAG_IN_ARTICLE = 32;

const SUBHEADINGS = new Set(['h3', 'h4', 'h5', 'h6']);

export const isLandmark = (e: Element): boolean => e.name === 'main' || e.name === 'article' || e.attribs.role === 'main';

/** Flags an element passes up to its parent. */
function upwardFlags(element: Element, flags: number): number {
  let up = flags & (FLAG_H1 | FLAG_H2 | FLAG_HEADING | FLAG_NAV | FLAG_HAS_LANDMARK);
  if (element.name === 'nav') up |= FLAG_NAV;
  if (isLandmark(element)) up |= FLAG_HAS_LANDMARK;
  return up;
}

/** Flags an element inherits from its parent. */
function downwardFlags(parent: Element | undefined, parentStats: NodeStats | undefined): number {
  if (parent === undefined || parentStats === undefined) return 0;
  let down = parentStats.flags & (FLAG_IN_LANDMARK | FLAG_IN_ARTICLE);
  if (isLandmark(parent)) down |= FLAG_IN_LANDMARK;
  if (parent.name === 'article') down |= FLAG_IN_ARTICLE;
  return down;
}

/** True when `inner` is below `outer` (both measured). */
export function isInside(inner: NodeStats, outer: NodeStats): boolean {
  return inner.order > outer.order && inner.order <= outer.end;
}

export type ElementStats = Map<Element, NodeStats>;

/** Ratio of link text to all text (0 for an element without text). */
export function linkDensity(stats: NodeStats | undefined): number {
  return stats === undefined || stats.text === 0 ? 0 : stats.link / stats.text;
}

/** Elements below `root` in document order, pre-order, not descending into skipped ones (which are not yielded). */
export function* descendants(root: ParentNode, skip: (element: Element) => boolean): Generator<Element> {
  const stack: AnyNode[] = [];
  for (let i = root.children.length - 1; i >= 0; i--) stack.push(root.children[i]!);
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (!isElement(node) || skip(node)) continue;
    yield node;
    if (skip(node)) continue; // the consumer may have just skipped it
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
  }
}

const isSpace = (c: number): boolean => c === 32 || c === 10 || c === 9 || c === 13 || c === 12;

/** The visible-text length of a text node, roughly: without leading and trailing whitespace. */
function textLength(data: string): number {
  const n = data.length;
  if (n === 0) return 0;
  return isSpace(data.charCodeAt(0)) || isSpace(data.charCodeAt(n - 1)) ? data.trim().length : n;
}

function countCommas(data: string): number {
  let n = 0;
  for (let i = data.indexOf(','); i !== -1; i = data.indexOf(',', i + 1)) n++;
  return n;
}

/**
 * Measures every element below `root` (and `root` itself when it is an
 * element) that `skip` does not exclude; skipped subtrees count as nothing.
 */
export function measure(root: ParentNode, skip: (element: Element) => boolean): ElementStats {
  const stats: ElementStats = new Map();
  let order = 0;
  // Post-order with an explicit stack: [node, exiting].
  const stack: Array<[ParentNode, boolean]> = [[root, false]];
  const linkDepth: Element[] = [];
  while (stack.length > 0) {
    const [node, exiting] = stack.pop()!;
    const element = isElement(node) ? node : undefined;
    if (!exiting) {
      if (element !== undefined) {
        const parent = element.parent !== null && isElement(element.parent) ? element.parent : undefined;
        const flags = downwardFlags(parent, parent === undefined ? undefined : stats.get(parent)) | (element.name === 'h1' ? FLAG_H1 : element.name === 'h2' ? FLAG_H2 | FLAG_HEADING : SUBHEADINGS.has(element.name) ? FLAG_HEADING : 0);
        stats.set(element, { text: 0, link: 0, commas: 0, hasBlock: false, order: order++, end: 0, flags });
        if (element.name === 'a') linkDepth.push(element);
      }
      stack.push([node, true]);
      for (let i = node.children.length - 1; i >= 0; i--) {
        const child = node.children[i]!;
        if (isElement(child)) {
          if (!skip(child)) stack.push([child, false]);
        } else if (child.type === 'text' && element !== undefined) {
          const own = stats.get(element)!;
          own.text += textLength(child.data);
          own.commas += countCommas(child.data);
          if (linkDepth.length > 0) own.link += textLength(child.data);
        }
      }
      continue;
    }
    if (element === undefined) continue;
    if (element.name === 'a') linkDepth.pop();
    const own = stats.get(element)!;
    own.end = order - 1;
    const parent = element.parent;
    const parentStats = parent !== null && isElement(parent) ? stats.get(parent) : undefined;
    if (parentStats !== undefined) {
      parentStats.flags |= upwardFlags(element, own.flags);
      parentStats.text += own.text;
      parentStats.link += own.link;
      parentStats.commas += own.commas;
      if (own.hasBlock || BLOCK_ELEMENTS.has(element.name)) parentStats.hasBlock = true;
    }
  }
  return stats;
}

/** The `<body>` element, else the document itself (fragments, pages without a body tag). */
export function findBody(document: ParentNode): ParentNode {
  for (const element of descendants(document, () => false)) {
    if (element.name === 'body') return element;
  }
  return document;
}
