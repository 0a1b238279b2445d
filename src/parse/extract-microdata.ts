/**
 * Simple microdata (WHATWG HTML §5): top-level `itemscope` elements become
 * objects `{ "@type", "@id", <itemprop>: value }`; a property that occurs
 * more than once becomes a list; a property on an element with `itemscope`
 * is a nested item. Not supported: `itemref` (ignored). Pure.
 */
import type { CheerioAPI } from 'cheerio/slim';
import type { AnyNode } from 'domhandler';
import { nodeText } from './extract-fields.js';
import { resolveUrl } from './extract-post-process.js';

/** Nested items deeper than this are left out (a guard against pathological pages). */
export const MAX_MICRODATA_DEPTH = 16;

interface ElementNode {
  type: string;
  name?: string;
  attribs?: Record<string, string>;
  children?: ElementNode[];
}

const SRC_ELEMENTS = new Set(['audio', 'embed', 'iframe', 'img', 'source', 'track', 'video']);
const HREF_ELEMENTS = new Set(['a', 'area', 'link']);

function isElement(node: ElementNode): boolean {
  return node.type === 'tag' || node.type === 'script' || node.type === 'style';
}

function urlValue(value: string | undefined, baseUrl: string): string {
  return value === undefined ? '' : (resolveUrl(value, baseUrl) ?? '');
}

/** The value of a property element that is not itself an item. */
function propertyValue(el: ElementNode, baseUrl: string): string {
  const attribs = el.attribs ?? {};
  const name = el.name ?? '';
  if (name === 'meta') return attribs.content ?? '';
  if (SRC_ELEMENTS.has(name)) return urlValue(attribs.src, baseUrl);
  if (HREF_ELEMENTS.has(name)) return urlValue(attribs.href, baseUrl);
  if (name === 'object') return urlValue(attribs.data, baseUrl);
  if (name === 'data' || name === 'meter') return attribs.value ?? '';
  if (name === 'time' && attribs.datetime !== undefined) return attribs.datetime;
  return nodeText(el as unknown as AnyNode);
}

function addProperty(item: Record<string, unknown>, name: string, value: unknown): void {
  if (!Object.hasOwn(item, name)) item[name] = value;
  else if (Array.isArray(item[name])) (item[name] as unknown[]).push(value);
  else item[name] = [item[name], value];
}

function readItem(scope: ElementNode, baseUrl: string, depth: number): Record<string, unknown> {
  const attribs = scope.attribs ?? {};
  const item: Record<string, unknown> = {};
  if (attribs.itemtype !== undefined && attribs.itemtype.trim() !== '') item['@type'] = attribs.itemtype.trim();
  if (attribs.itemid !== undefined && attribs.itemid.trim() !== '') item['@id'] = urlValue(attribs.itemid, baseUrl);

  const stack: ElementNode[] = [...(scope.children ?? [])].reverse();
  while (stack.length > 0) {
    const el = stack.pop()!;
    if (!isElement(el)) continue;
    const props = el.attribs?.itemprop?.trim();
    const isScope = el.attribs?.itemscope !== undefined;
    if (props !== undefined && props !== '') {
      if (isScope && depth >= MAX_MICRODATA_DEPTH) continue;
      const value = isScope ? readItem(el, baseUrl, depth + 1) : propertyValue(el, baseUrl);
      for (const name of props.split(/\s+/)) if (name !== '__proto__') addProperty(item, name, value);
    }
    // An element with itemscope owns the properties below it.
    if (isScope) continue;
    const children = el.children ?? [];
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return item;
}

/** Every top-level microdata item of the page, in document order. */
export function extractMicrodata($: CheerioAPI, baseUrl: string): Record<string, unknown>[] {
  return $('[itemscope]:not([itemprop])')
    .toArray()
    .map((el) => readItem(el as unknown as ElementNode, baseUrl, 0));
}
