/**
 * Readability's paragraph scoring, for pages without `<main>` or `<article>`:
 * every paragraph-like block of 25+ characters scores 1 + its commas + one
 * point per 100 characters (at most 3); its parent gets the score, its
 * grandparent half, higher ancestors a third of it divided by their level.
 * Containers start from a tag weight and a class/id weight, and the final
 * score is scaled by (1 − link density). The best container is the content,
 * with the sibling blocks that score close to it (a split article body).
 */
import type { Element, ParentNode } from 'domhandler';
import { CONTENT_HINT, hasBoilerplateName } from './content-boilerplate.js';
import { BLOCK_ELEMENTS, descendants, isElement, isInside, linkDensity, type ElementStats } from './content-dom.js';

const PARAGRAPH_LIKE = new Set(['p', 'pre', 'td', 'blockquote', 'dd', 'li']);
const MIN_PARAGRAPH_CHARS = 25;
const ANCESTOR_LEVELS = 5;
/** Containers scoring at least this share of the best are its alternatives. */
const ALTERNATIVE_SHARE = 0.75;

const TAG_WEIGHT: Readonly<Record<string, number>> = {
  div: 5, section: 5, article: 8, main: 8,
  pre: 3, td: 3, blockquote: 3,
  address: -3, ol: -3, ul: -3, dl: -3, dd: -3, dt: -3, li: -3, form: -3,
  h1: -5, h2: -5, h3: -5, h4: -5, h5: -5, h6: -5, th: -5,
};

function initialScore(element: Element): number {
  let score = TAG_WEIGHT[element.name] ?? 0;
  const names = `${element.attribs.class ?? ''} ${element.attribs.id ?? ''}`;
  if (CONTENT_HINT.test(names)) score += 25;
  if (hasBoilerplateName(element)) score -= 25;
  return score;
}

/** Inline text (a `<span>`, `<font>`) sitting beside blocks in a container: a paragraph without a `<p>`. */
function isLooseText(element: Element, stats: ElementStats): boolean {
  if (BLOCK_ELEMENTS.has(element.name) || element.name === 'a') return false;
  const parent = element.parent;
  return parent !== null && isElement(parent) && BLOCK_ELEMENTS.has(parent.name) && (stats.get(parent)?.hasBlock ?? false);
}

/** A small block that is an image (a post thumbnail, a lead figure): at most a few elements, one of them an `<img>`. */
function isLeadImage(element: Element, skipped: (e: Element) => boolean): boolean {
  let seen = 0;
  for (const e of descendants(element, skipped)) {
    if (e.name === 'img') return true;
    if (++seen > 5) return false;
  }
  return element.name === 'img';
}

/**
 * Readability's "alternative candidates": when several other containers score
 * nearly as well as the best one (repeated blocks: posts, updates, cards),
 * the content is their closest ancestor that holds at least two of them.
 */
function sharedContainer(top: Element, topScore: number, scores: ReadonlyMap<Element, number>, stats: ElementStats): Element | undefined {
  const own = stats.get(top);
  if (own === undefined) return undefined;
  const related = (e: Element): boolean => {
    const other = stats.get(e);
    return other === undefined || e === top || isInside(other, own) || isInside(own, other);
  };
  const close = [...scores].filter(([e, score]) => score >= ALTERNATIVE_SHARE * topScore && !related(e)).map(([e]) => e);
  if (close.length < 2) return undefined;
  for (let p = top.parent; p !== null && isElement(p) && p.name !== 'body' && p.name !== 'html'; p = p.parent) {
    const outer = stats.get(p);
    if (outer === undefined) return undefined;
    const inside = close.filter((e) => {
      const inner = stats.get(e);
      return inner !== undefined && isInside(inner, outer);
    });
    if (inside.length >= 2) return p;
  }
  return undefined;
}

/**
 * The best container and its qualifying siblings, in document order; undefined
 * when no block of text scores at all.
 */
export function scoreCandidates(body: ParentNode, skipped: (e: Element) => boolean, stats: ElementStats): Element[] | undefined {
  const scores = new Map<Element, number>();
  const add = (element: Element, points: number): void => {
    scores.set(element, (scores.get(element) ?? initialScore(element)) + points);
  };
  for (const element of descendants(body, skipped)) {
    const own = stats.get(element);
    if (own === undefined || own.text < MIN_PARAGRAPH_CHARS) continue;
    const paragraph = PARAGRAPH_LIKE.has(element.name) || ((element.name === 'div' || element.name === 'section') && !own.hasBlock) || isLooseText(element, stats);
    if (!paragraph) continue;
    const points = 1 + own.commas + Math.min(3, Math.floor(own.text / 100));
    let level = 0;
    for (let p = element.parent; p !== null && isElement(p) && level < ANCESTOR_LEVELS; p = p.parent, level++) {
      add(p, level === 0 ? points : level === 1 ? points / 2 : points / (level * 3));
    }
  }
  let top: Element | undefined;
  let topScore = -Infinity;
  for (const [element, score] of scores) {
    const final = score * (1 - linkDensity(stats.get(element)));
    scores.set(element, final);
    if (final > topScore && element.name !== 'body' && element.name !== 'html') {
      top = element;
      topScore = final;
    }
  }
  if (top === undefined || topScore <= 0) return undefined;
  top = sharedContainer(top, topScore, scores, stats) ?? top;
  topScore = Math.max(topScore, scores.get(top) ?? 0);
  const parent = top.parent;
  if (parent === null) return [top];
  const threshold = Math.max(10, topScore * 0.2);
  const picked: Element[] = [];
  for (const sibling of parent.children) {
    if (!isElement(sibling) || skipped(sibling)) continue;
    if (sibling === top) {
      picked.push(sibling);
      continue;
    }
    const own = stats.get(sibling);
    const density = linkDensity(own);
    const score = scores.get(sibling) ?? 0;
    const text = own?.text ?? 0;
    const goodParagraph = sibling.name === 'p' && ((text > 80 && density < 0.25) || (text > 0 && density === 0));
    const heading = /^h[1-6]$/.test(sibling.name) && text > 0 && density < 0.5;
    if (score >= threshold || goodParagraph || heading || (text < 10 && isLeadImage(sibling, skipped))) picked.push(sibling);
  }
  return picked;
}
