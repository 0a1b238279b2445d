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
import { descendants, isElement, linkDensity, type ElementStats } from './content-dom.js';

const PARAGRAPH_LIKE = new Set(['p', 'pre', 'td', 'blockquote', 'dd', 'li']);
const MIN_PARAGRAPH_CHARS = 25;
const ANCESTOR_LEVELS = 5;

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
    const paragraph = PARAGRAPH_LIKE.has(element.name) || ((element.name === 'div' || element.name === 'section') && !own.hasBlock);
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
    if (score >= threshold || goodParagraph || heading) picked.push(sibling);
  }
  return picked;
}
