/**
 * Renders content subtrees (domhandler) as GitHub-flavoured Markdown, or as
 * plain text with the same block structure (`plain`): headings at their
 * levels, paragraphs, nested lists (ordered with their start, task-list
 * checkboxes), block quotes, fenced code blocks verbatim with the language
 * from the classes, GFM tables (markdown-table.ts), links and images made
 * absolute (no `data:` blobs), emphasis, strike-through and code spans.
 * Entities arrive decoded from htmlparser2; text is escaped so it stays
 * literal. Skipped elements (boilerplate) are left out with their subtrees.
 *
 * Nesting deeper than MAX_DEPTH is flattened to plain text (iteratively), so
 * a page of 50,000 nested `<div>`s cannot overflow the stack.
 */
import type { AnyNode, Element, ParentNode } from 'domhandler';
import { BLOCK_ELEMENTS, isElement, type ElementStats } from './content-dom.js';
import { absoluteUrl, codeFence, codeLanguage, codeSpan, collapseSpaces, escapeLineStarts, escapeText, imageUrl } from './markdown-syntax.js';
import { gfmTable, isLayoutTable, tableGrid, tableParts } from './markdown-table.js';

export interface MarkdownWriterOptions {
  /** Base for relative links and images (the `<base href>` or the page URL). */
  baseUrl: string;
  /** The page's own URL: links in headings that point to it (or to a fragment of it) are anchors, not links. */
  pageUrl?: string;
  /** Elements left out with their subtrees. */
  skipped: (element: Element) => boolean;
  /** Measures of the page (for "holds block elements"); elements missing from it count as inline. */
  stats: ElementStats;
  /** Plain text instead of Markdown. @default false */
  plain?: boolean;
}

const MAX_DEPTH = 120;
const HEADING_LEVEL: Readonly<Record<string, number>> = { h1: 1, h2: 2, h3: 3, h4: 4, h5: 5, h6: 6 };
const LINE_NUMBER_CLASS = /(?:^|\s)(?:linenos?|line-?numbers?|gutter|lineno|lnt?)(?:$|\s)/i;
/** A layout-table cell that is a code block's line-number gutter: only a `<pre>` of digits. */
const GUTTER_TEXT = /^[\d\s]+$/;
/** Marks a `<br>` inside inline text until the paragraph is finished. */
const BREAK = '\u0000';
const BREAKS = /\u0000/g;
/** Text of a heading's permalink anchor. */
const ANCHOR_SYMBOL = /^\s*(?:[#¶§🔗]|&para;)?\s*$/u;

export class MarkdownWriter {
  private readonly plain: boolean;
  /** Rendering a heading: its anchor links (`#section`, `¶`) are not links. */
  private inHeading = false;

  constructor(private readonly options: MarkdownWriterOptions) {
    this.plain = options.plain ?? false;
  }

  /** The Markdown (or text) of the roots, blocks separated by blank lines. */
  render(roots: readonly ParentNode[]): string {
    const blocks: string[] = [];
    for (const root of roots) {
      if (isElement(root)) this.element(root, blocks, 0);
      else this.children(root.children, blocks, 0);
    }
    return blocks.join('\n\n');
  }

  private isBlock(element: Element): boolean {
    return BLOCK_ELEMENTS.has(element.name) || (this.options.stats.get(element)?.hasBlock ?? false);
  }

  /** Renders a run of sibling nodes: inline runs become paragraphs, blocks their own entries. */
  private children(nodes: readonly AnyNode[], blocks: string[], depth: number): void {
    let inline: string[] = [];
    const flush = (): void => {
      const paragraph = this.paragraph(inline.join(''));
      if (paragraph !== '') blocks.push(paragraph);
      inline = [];
    };
    for (const node of nodes) {
      if (node.type === 'text') inline.push(this.text(node.data));
      else if (isElement(node) && !this.options.skipped(node)) {
        if (this.isBlock(node)) {
          flush();
          this.element(node, blocks, depth + 1);
        } else inline.push(this.inline(node, depth + 1));
      }
    }
    flush();
  }

  private element(element: Element, blocks: string[], depth: number): void {
    if (depth > MAX_DEPTH) {
      const text = collapseSpaces(flatText(element, this.options.skipped)).trim();
      if (text !== '') blocks.push(this.plain ? text : escapeText(text));
      return;
    }
    const level = HEADING_LEVEL[element.name];
    if (level !== undefined) {
      this.inHeading = true;
      const inline = this.inlineChildren(element, depth);
      this.inHeading = false;
      const text = inline.replace(BREAKS, ' ').replace(/ +/g, ' ').trim();
      if (text !== '') blocks.push(this.plain ? text : `${'#'.repeat(level)} ${text}`);
      return;
    }
    switch (element.name) {
      case 'pre':
        blocks.push(this.codeBlock(element));
        return;
      case 'ul':
      case 'ol':
        this.list(element, blocks, depth);
        return;
      case 'blockquote': {
        const inner: string[] = [];
        this.children(element.children, inner, depth);
        const text = inner.join('\n\n');
        if (text !== '') blocks.push(this.plain ? text : text.split('\n').map((line) => (line === '' ? '>' : `> ${line}`)).join('\n'));
        return;
      }
      case 'table':
        this.table(element, blocks, depth);
        return;
      case 'hr':
        if (!this.plain) blocks.push('---');
        return;
      case 'dt':
      case 'summary': {
        const text = this.paragraph(this.inlineChildren(element, depth));
        if (text !== '') blocks.push(this.plain ? text : `**${text}**`);
        return;
      }
      default:
        this.children(element.children, blocks, depth);
    }
  }

  private list(list: Element, blocks: string[], depth: number): void {
    const ordered = list.name === 'ol';
    let number = Number.parseInt(list.attribs.start ?? '1', 10);
    if (!Number.isFinite(number)) number = 1;
    const items: string[] = [];
    for (const item of list.children) {
      if (!isElement(item) || this.options.skipped(item)) continue;
      const inner: string[] = [];
      let children: readonly AnyNode[] = item.children;
      let marker = this.plain ? '' : ordered ? `${number++}.` : '-';
      const box = item.children.find((c): c is Element => isElement(c) && c.name === 'input' && c.attribs.type === 'checkbox');
      if (box !== undefined && !this.plain) marker += box.attribs.checked !== undefined ? ' [x]' : ' [ ]';
      if (item.name !== 'li') children = [item];
      this.children(children, inner, depth);
      if (inner.length === 0) continue;
      let body = inner[0]!;
      for (const block of inner.slice(1)) body += /^(?:[-*+]|\d+\.) /.test(block) ? `\n${block}` : `\n\n${block}`;
      const indent = ' '.repeat(marker === '' ? 0 : marker.split(' ')[0]!.length + 1);
      const lines = body.split('\n').map((line, i) => (i === 0 || line === '' ? line : indent + line));
      items.push(marker === '' ? lines.join('\n') : `${marker} ${lines.join('\n')}`);
    }
    if (items.length > 0) blocks.push(items.join('\n'));
  }

  private table(table: Element, blocks: string[], depth: number): void {
    const parts = tableParts(table);
    if (isLayoutTable(table, parts)) {
      for (const row of parts.rows) {
        for (const cell of row.children) {
          if (!isElement(cell) || this.options.skipped(cell) || LINE_NUMBER_CLASS.test(cell.attribs.class ?? '')) continue;
          if (GUTTER_TEXT.test(flatText(cell, this.options.skipped)) && cell.children.some((c) => isElement(c) && c.name === 'pre')) continue;
          this.children(cell.children, blocks, depth);
        }
      }
      return;
    }
    if (parts.caption !== undefined) {
      const caption = this.paragraph(this.inlineChildren(parts.caption, depth));
      if (caption !== '') blocks.push(caption);
    }
    const grid = tableGrid(parts.rows, (cell) => {
      if (this.options.skipped(cell)) return '';
      const inner: string[] = [];
      this.children(cell.children, inner, depth);
      return inner.join(' ').replace(/\n+/g, this.plain ? ' ' : '<br>').trim();
    });
    if (grid.length === 0) return;
    if (this.plain) blocks.push(grid.map((row) => row.join('\t').trim()).filter((row) => row !== '').join('\n'));
    else blocks.push(gfmTable(grid, parts.header));
  }

  private codeBlock(pre: Element): string {
    let code = preText(pre, this.options.skipped).replace(/^\r?\n/, '').replace(/\s+$/, '');
    code = code.replace(/\r\n?/g, '\n');
    return this.plain ? code : codeFence(code, codeLanguage(pre));
  }

  private text(data: string): string {
    const collapsed = collapseSpaces(data);
    return this.plain ? collapsed : escapeText(collapsed);
  }

  private inlineChildren(element: Element, depth: number): string {
    let out = '';
    for (const child of element.children) {
      if (child.type === 'text') out += this.text(child.data);
      else if (isElement(child) && !this.options.skipped(child)) out += this.inline(child, depth + 1);
    }
    return out;
  }

  /** One inline element as Markdown (or text). Block elements met here are flattened to their inline content. */
  private inline(element: Element, depth: number): string {
    if (depth > MAX_DEPTH) return this.text(flatText(element, this.options.skipped));
    switch (element.name) {
      case 'br':
        return BREAK;
      case 'img': {
        if (this.plain) return '';
        const src = imageUrl(element, this.options.baseUrl);
        if (src === undefined) return '';
        const alt = collapseSpaces(element.attribs.alt ?? '').trim().replace(/[[\]\\]/g, '\\$&');
        return `![${alt}](${src})`;
      }
      case 'code':
      case 'kbd':
      case 'samp':
      case 'tt': {
        const code = flatText(element, this.options.skipped);
        return this.plain ? collapseSpaces(code) : codeSpan(code);
      }
      case 'a':
        return this.link(element, depth);
      case 'input':
        return '';
    }
    const inner = this.inlineChildren(element, depth);
    if (this.plain) return inner;
    switch (element.name) {
      case 'strong':
      case 'b':
        return wrap(inner, '**');
      case 'em':
      case 'i':
        return wrap(inner, '*');
      case 'del':
      case 's':
      case 'strike':
        return wrap(inner, '~~');
      default:
        return inner;
    }
  }

  private link(element: Element, depth: number): string {
    const inner = this.inlineChildren(element, depth);
    if (this.plain) return inner;
    const href = absoluteUrl(element.attribs.href, this.options.baseUrl);
    if (this.inHeading && (href === undefined || this.isOwnPage(href))) return ANCHOR_SYMBOL.test(inner) ? '' : inner;
    const text = inner.replace(BREAKS, ' ').trim();
    if (href === undefined || text === '') return inner;
    const lead = /^\s/.test(inner) ? ' ' : '';
    const trail = /\s$/.test(inner) ? ' ' : '';
    return `${lead}[${text}](${href})${trail}`;
  }

  private isOwnPage(href: string): boolean {
    const page = this.options.pageUrl ?? this.options.baseUrl;
    const hash = href.indexOf('#');
    const bare = hash === -1 ? href : href.slice(0, hash);
    return bare === page || bare === page.split('#')[0];
  }

  /** Finishes inline text as a paragraph: spaces collapsed and trimmed per line, `<br>` as a hard break. */
  private paragraph(inline: string): string {
    const lines = inline
      .split(BREAK)
      .map((line) => (line.includes('  ') ? line.replace(/ {2,}/g, ' ') : line).trim())
      .filter((line, i, all) => line !== '' || (i > 0 && i < all.length - 1 && all[i - 1] !== ''));
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    if (lines.length === 0) return '';
    // Lines end with a hard break; an empty line (`<br><br>`) separates paragraphs.
    let out = '';
    lines.forEach((line, i) => {
      if (line === '') return;
      const text = this.plain ? line : escapeLineStarts(line);
      if (i === 0) out = text;
      else out += lines[i - 1] === '' ? `\n\n${text}` : `${this.plain ? '\n' : '  \n'}${text}`;
    });
    return out;
  }
}

/** Wraps inline Markdown in a delimiter, keeping the surrounding spaces outside it. */
function wrap(inner: string, delimiter: string): string {
  const text = inner.trim();
  if (text === '' || text === BREAK) return inner;
  const lead = /^\s/.test(inner) ? ' ' : '';
  const trail = /\s$/.test(inner) ? ' ' : '';
  return `${lead}${delimiter}${text}${delimiter}${trail}`;
}

/** The text below an element, iteratively, skipping skipped elements; `<br>` is a newline. */
function flatText(root: Element, skipped: (e: Element) => boolean, skipClass?: RegExp): string {
  let out = '';
  const stack: AnyNode[] = [...root.children].reverse();
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'text') out += node.data;
    else if (isElement(node) && !skipped(node) && !(skipClass?.test(node.attribs.class ?? '') ?? false)) {
      if (node.name === 'br') out += '\n';
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
    }
  }
  return out;
}

/** A `<pre>` block's text verbatim, without line-number gutters. */
function preText(pre: Element, skipped: (e: Element) => boolean): string {
  return flatText(pre, skipped, LINE_NUMBER_CLASS);
}
