/**
 * One streaming pass over a page's HTML that gathers everything the built-in
 * extractors need: metadata, headings, visible text and raw links.
 *
 * It listens to htmlparser2's `Parser`, the tokenizer and tree rules cheerio
 * itself runs in htmlparser2 mode (`load()` feeds the very same events to a
 * DOM builder), so it sees the same elements, implied end tags and decoded
 * text as a walk over cheerio's tree would, without building the tree: about
 * a third of the cost per page. cheerio's DOM is built only when field rules
 * or a custom extractor need it (parse-page.ts).
 *
 * No recursion anywhere: a page of 50,000 unclosed `<div>`s is just 50,000
 * open events and, at the end, 50,000 close events.
 */
import type { Document } from 'domhandler';
import { DomHandler, Parser, type Handler } from 'htmlparser2';
import type { RawLink } from './extract-links.js';
import { hasToken } from './extract-metadata.js';
import { HTML_PARSER_OPTIONS } from './html-parser-options.js';
import { INLINE_ELEMENTS, NON_TEXT_ELEMENTS, TextCollector, collapseWhitespace } from './extract-text.js';

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

/** Characters of a link's text kept (its visible text, or the `alt` of images inside it). */
export const MAX_LINK_TEXT_CHARS = 100;

/** An element whose text is being collected (the title, the current h1–h3, or the open link). */
interface OpenCollector {
  /** Number of open elements, this one included, when it opened: it ends when that depth closes. */
  depth: number;
  collector: TextCollector;
}

/** The scan's state machine: one method per parser event. */
class DocumentScanner {
  readonly result: ScannedDocument = { headings: { h1: [], h2: [], h3: [] }, links: [] };
  private readonly text: TextCollector | undefined;
  private readonly robots: string[] = [];
  private depth = 0;
  private nonTextDepth = 0;
  private svgDepth = 0;
  private heading: (OpenCollector & { level: 'h1' | 'h2' | 'h3' }) | undefined;
  /** `hasText`: text arrived inside it (an empty `<title></title>` leaves the title unset). */
  private title: (OpenCollector & { hasText: boolean }) | undefined;
  /** The open `<a href>`/`<area href>` whose text is being collected. */
  private link: (OpenCollector & { raw: RawLink }) | undefined;

  constructor(options: ScanOptions) {
    this.text = options.maxTextChars > 0 ? new TextCollector(options.maxTextChars) : undefined;
  }

  onopentag(name: string, attribs: Record<string, string>): void {
    this.depth++;
    const result = this.result;
    switch (name) {
      case 'a':
      case 'area':
        if (attribs.href !== undefined) {
          this.closeLink();
          const raw: RawLink = { href: attribs.href, nofollow: hasToken(attribs.rel, 'nofollow') };
          result.links.push(raw);
          this.link = { depth: this.depth, collector: new TextCollector(MAX_LINK_TEXT_CHARS), raw };
          if (name === 'area' && attribs.alt !== undefined) this.link.collector.append(attribs.alt);
        }
        break;
      case 'img':
        if (this.link !== undefined && attribs.alt !== undefined) {
          this.link.collector.separate();
          this.link.collector.append(attribs.alt);
        }
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
          if (value !== '') this.robots.push(value);
        }
        break;
      }
      case 'br':
        this.text?.separate();
        this.heading?.collector.separate();
        break;
      case 'title':
        if (result.title === undefined && this.title === undefined && this.svgDepth === 0) {
          this.title = { depth: this.depth, collector: new TextCollector(MAX_HEADING_CHARS), hasText: false };
        }
        break;
      default: {
        const level = HEADING_LEVELS[name];
        if (level !== undefined && this.heading === undefined && this.nonTextDepth === 0) {
          this.heading = { level, depth: this.depth, collector: new TextCollector(MAX_HEADING_CHARS) };
        }
      }
    }
    if (NON_TEXT_ELEMENTS.has(name)) this.nonTextDepth++;
    if (name === 'svg') this.svgDepth++;
    if (this.text !== undefined && !INLINE_ELEMENTS.has(name)) this.text.separate();
  }

  onclosetag(name: string): void {
    if (NON_TEXT_ELEMENTS.has(name)) this.nonTextDepth--;
    if (name === 'svg') this.svgDepth--;
    const heading = this.heading;
    if (heading !== undefined && heading.depth === this.depth) {
      const value = heading.collector.text();
      if (value !== '') this.result.headings[heading.level].push(value);
      this.heading = undefined;
    }
    const title = this.title;
    if (title !== undefined && title.depth === this.depth) {
      if (title.hasText) this.result.title = title.collector.text();
      this.title = undefined;
    }
    if (this.link !== undefined && this.link.depth === this.depth) this.closeLink();
    if (this.text !== undefined && !INLINE_ELEMENTS.has(name)) this.text.separate();
    this.depth--;
  }

  /** Ends the open link: its collected text becomes the link's `text` (when not empty). */
  private closeLink(): void {
    const link = this.link;
    if (link === undefined) return;
    const text = link.collector.text();
    if (text !== '') link.raw.text = text;
    this.link = undefined;
  }

  ontext(data: string): void {
    if (this.title !== undefined) {
      this.title.hasText = true;
      this.title.collector.append(data);
    }
    if (this.nonTextDepth === 0) {
      this.text?.append(data);
      this.heading?.collector.append(data);
      this.link?.collector.append(data);
    }
  }

  /** `<!doctype>`, `<?xml …?>`: not text, but a word boundary like any other non-inline node. */
  onprocessinginstruction(): void {
    this.text?.separate();
  }

  finish(): ScannedDocument {
    this.closeLink();
    if (this.robots.length > 0) this.result.metaRobots = this.robots.join(', ');
    if (this.text !== undefined) this.result.text = this.text.text();
    return this.result;
  }
}

export function scanDocument(html: string, options: ScanOptions): ScannedDocument {
  const scanner = new DocumentScanner(options);
  const parser = new Parser(scanner, HTML_PARSER_OPTIONS);
  parser.end(html);
  return scanner.finish();
}

/** Parser events to the scanner and to a DOM builder at once: one tokenizer pass for both. */
function teeHandler(scanner: DocumentScanner, dom: DomHandler): Partial<Handler> {
  return {
    onparserinit: (parser) => dom.onparserinit(parser),
    onreset: () => dom.onreset(),
    onend: () => dom.onend(),
    onerror: (error) => dom.onerror(error),
    onopentag: (name, attribs) => {
      scanner.onopentag(name, attribs);
      dom.onopentag(name, attribs);
    },
    onclosetag: (name) => {
      scanner.onclosetag(name);
      dom.onclosetag();
    },
    ontext: (data) => {
      scanner.ontext(data);
      dom.ontext(data);
    },
    oncomment: (data) => dom.oncomment(data),
    oncommentend: () => dom.oncommentend(),
    oncdatastart: () => dom.oncdatastart(),
    oncdataend: () => dom.oncdataend(),
    onprocessinginstruction: (name, data) => {
      scanner.onprocessinginstruction();
      dom.onprocessinginstruction(name, data);
    },
  };
}

/**
 * `scanDocument` plus the page's DOM (domhandler, the tree cheerio wraps and
 * `parseDocument` builds) from the same tokenizer pass: for pages that need a
 * tree (field rules, extractors, `extract.content`).
 */
export function scanDocumentWithDom(html: string, options: ScanOptions): { scanned: ScannedDocument; document: Document } {
  const scanner = new DocumentScanner(options);
  const dom = new DomHandler(undefined, HTML_PARSER_OPTIONS);
  const parser = new Parser(teeHandler(scanner, dom), HTML_PARSER_OPTIONS);
  parser.end(html);
  return { scanned: scanner.finish(), document: dom.root };
}
