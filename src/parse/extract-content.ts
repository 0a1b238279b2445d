/**
 * `extract.content` for one page: main-content detection
 * (find-main-content.ts) then Markdown and plain text of what it found
 * (markdown-writer.ts). Runs in the parser worker on the domhandler tree
 * htmlparser2 builds (the same tree cheerio wraps, so a page with field
 * rules is parsed once). Pure.
 */
import { cheerioNow } from './cheerio-loader.js';
import type { Document, Element } from 'domhandler';
import type { CompiledContentRules } from './compile-extract-rules.js';
import { findMainContent } from './find-main-content.js';
import { MarkdownWriter } from './markdown-writer.js';
import { HTML_PARSER_OPTIONS } from './html-parser-options.js';

export interface PageContent {
  /** GitHub-flavoured Markdown of the content. */
  markdown: string;
  /** The same content as plain text (blocks on their own lines), when `text` is on. */
  text?: string;
  /** How the content was found: `main`, `article`, `scored`, `include`, `full`, or `fallback` (detection failed). */
  source: string;
  warnings: string[];
}

function select(document: Document, selectors: readonly string[]): Element[] {
  if (selectors.length === 0) return [];
  const $ = cheerioNow().load(document, { xml: HTML_PARSER_OPTIONS }, false);
  return $(selectors.join(', ')).toArray().filter((node): node is Element => node.type === 'tag' || node.type === 'script' || node.type === 'style');
}

/**
 * Cuts text longer than `maxChars` at the last blank line before it (else at
 * `maxChars`); a code fence left open by the cut is closed.
 */
function cut(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const boundary = text.lastIndexOf('\n\n', maxChars);
  const kept = text.slice(0, boundary > maxChars / 2 ? boundary : maxChars);
  let open: string | undefined;
  for (const line of kept.split('\n')) {
    const fence = /^(`{3,})/.exec(line)?.[1];
    if (fence === undefined) continue;
    if (open === undefined) open = fence;
    else if (line.trim() === open || (line.startsWith(open) && line.trim().length >= open.length && /^`+$/.test(line.trim()))) open = undefined;
  }
  return open === undefined ? kept : `${kept}\n${open}`;
}

/**
 * The content of a parsed page.
 * @param baseUrl the page's `<base href>` when valid, else its URL: links and images are made absolute against it
 * @example
 * const content = extractContent(parseDocument(html), rules, 'https://docs.example.com/guide/');
 * // content.markdown → "# Guide\n\nInstall it with:\n\n```sh\nnpm i x\n```"
 */
export function extractContent(document: Document, rules: CompiledContentRules, baseUrl: string, page: { url: string; title?: string } = { url: baseUrl }): PageContent {
  const found = findMainContent(document, {
    ...(page.title !== undefined ? { title: page.title } : {}),
    mode: rules.mode,
    minChars: rules.minChars,
    include: select(document, rules.include),
    exclude: new Set(select(document, rules.exclude)),
  });
  const warnings = found.warning === undefined ? [] : [found.warning];
  const options = { baseUrl, pageUrl: page.url, skipped: found.skipped, stats: found.stats };
  let markdown = new MarkdownWriter(options).render(found.roots);
  let text = rules.text ? new MarkdownWriter({ ...options, plain: true }).render(found.roots) : undefined;
  if (markdown.length > rules.maxChars) {
    warnings.push(`content cut to extract.content.maxChars (${rules.maxChars} of ${markdown.length} characters of Markdown)`);
    markdown = cut(markdown, rules.maxChars);
    if (text !== undefined) text = cut(text, rules.maxChars);
  }
  return { markdown, ...(text !== undefined ? { text } : {}), source: found.source, warnings };
}
