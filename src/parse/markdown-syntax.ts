/**
 * The small, pure pieces of Markdown syntax the writer needs: escaping
 * text, code spans and fences, absolute link and image URLs (no `data:`
 * blobs), and the language of a code block from its classes.
 */
import type { Element } from 'domhandler';

/** Collapses whitespace runs (HTML rendering rules) to one space; no trim. */
export function collapseSpaces(text: string): string {
  return NEEDS_COLLAPSE.test(text) ? text.replace(/[ \t\n\r\f]+/g, ' ') : text;
}

const LINE_START_MARKER = /^(?:#|>|[+-](?:\s|$)|\d{1,9}[.)](?:\s|$)|=+\s*$)/;
const NEEDS_COLLAPSE = /[\t\n\r\f]| {2}/;
const NEEDS_ESCAPE = /[\\`*[\]_<&]/;

/**
 * Escapes text so it stays literal in Markdown: `\ * ` [ ]`, `_` at a word
 * edge (`snake_case` stays as it is), `<` before a tag-like character and
 * `&` before an entity-like word. Line-start markers are escaped per line
 * by `escapeLineStarts`.
 */
export function escapeText(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text
    .replace(/[\\`*[\]]/g, '\\$&')
    .replace(/(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, '\\_')
    .replace(/<(?=[A-Za-z/!?])/g, '\\<')
    .replace(/&(?=#?[A-Za-z0-9]+;)/g, '\\&');
}

/** Escapes what would start a heading, quote, list item or setext underline at the start of a line. */
export function escapeLineStarts(line: string): string {
  if (!LINE_START_MARKER.test(line)) return line;
  return line
    .replace(/^(#{1,6})(?=\s|$)/, '\\$1')
    .replace(/^([>+-])(?=\s|$)|^>/, (m) => `\\${m}`)
    .replace(/^(\d{1,9})([.)])(?=\s|$)/, '$1\\$2')
    .replace(/^(=+|-+)\s*$/, '\\$1');
}

/** A code span whose fence is longer than any backtick run inside. */
export function codeSpan(code: string): string {
  const text = collapseSpaces(code);
  if (text.trim() === '') return '';
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A fenced code block; the fence outgrows any backtick run inside. */
export function codeFence(code: string, language: string): string {
  const longest = Math.max(0, ...(code.match(/`{3,}/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${language}\n${code}\n${fence}`;
}

const LINK_SCHEMES = new Set(['http:', 'https:', 'mailto:', 'tel:', 'ftp:']);

/** A link or image target made absolute against `baseUrl`, or undefined (empty, `javascript:`, `data:`, invalid). */
export function absoluteUrl(raw: string | undefined, baseUrl: string): string | undefined {
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  if (trimmed === '') return undefined;
  let url: URL;
  try {
    url = new URL(trimmed, baseUrl);
  } catch {
    return undefined;
  }
  if (!LINK_SCHEMES.has(url.protocol)) return undefined;
  return linkDestination(url.href);
}

/** A URL as a Markdown link destination: `(`, `)` and whitespace (which would end it) percent-encoded. */
export function linkDestination(url: string): string {
  return url.replace(/[()\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** The first URL of a `srcset` ("a.jpg 1x, b.jpg 2x"). */
function firstSrcset(srcset: string | undefined): string | undefined {
  const first = srcset?.trim().split(/\s*,\s*/)[0]?.split(/\s+/)[0];
  return first === '' ? undefined : first;
}

/**
 * The image URL of an `<img>`: `src` unless it is a `data:` placeholder, else
 * the lazy-loading attributes and `srcset`. Never a `data:` URL.
 */
export function imageUrl(img: Element, baseUrl: string): string | undefined {
  const { attribs } = img;
  const candidates = [attribs.src, attribs['data-src'], attribs['data-lazy-src'], attribs['data-original'], firstSrcset(attribs.srcset), firstSrcset(attribs['data-srcset'])];
  for (const candidate of candidates) {
    const url = absoluteUrl(candidate, baseUrl);
    if (url !== undefined) return url;
  }
  return undefined;
}

const LANGUAGE_PATTERNS = [
  /(?:^|\s)(?:language|lang)-([\w#+.-]+)/i,
  /(?:^|\s)highlight-(?:source-)?([\w#+.-]+)/i,
  /(?:^|\s)brush:\s*([\w#+.-]+)/i,
  /(?:^|\s)sourceCode\s+([\w#+.-]+)/,
];
const NOT_LANGUAGES = new Set(['notranslate', 'default', 'none', 'text', 'plain', 'plaintext', 'nohighlight', 'hljs', 'highlight', 'sourcecode', 'code', 'source']);

function languageIn(element: Element): string | undefined {
  const data = element.attribs['data-lang'] ?? element.attribs['data-language'];
  if (data !== undefined && /^[\w#+.-]{1,30}$/.test(data) && !NOT_LANGUAGES.has(data.toLowerCase())) return data.toLowerCase();
  const classes = element.attribs.class;
  if (classes === undefined) return undefined;
  for (const pattern of LANGUAGE_PATTERNS) {
    const match = pattern.exec(classes);
    const language = match?.[1]?.toLowerCase();
    if (language !== undefined && !NOT_LANGUAGES.has(language)) return language;
  }
  return undefined;
}

/**
 * The language of a `<pre>` block from its classes or `data-lang`: on the
 * `<code>` inside, the `<pre>`, or the two wrappers above it (GitHub's
 * `highlight-source-js`, Sphinx's `highlight-python`). "" when unknown.
 */
export function codeLanguage(pre: Element): string {
  const code = pre.children.find((c): c is Element => c.type === 'tag' && c.name === 'code');
  const candidates: Element[] = [...(code !== undefined ? [code] : []), pre];
  for (let p = pre.parent, i = 0; p !== null && i < 2 && p.type === 'tag'; p = p.parent, i++) candidates.push(p);
  for (const element of candidates) {
    const language = languageIn(element);
    if (language !== undefined) return language;
  }
  return '';
}
