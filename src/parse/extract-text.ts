/**
 * Visible-text accumulation: whitespace collapsed as it arrives, bounded by a
 * character budget so a 10 MB page never builds a 10 MB string it will cut.
 */

/**
 * Elements whose content is never visible text. `head` is not listed: its
 * end tag and `<body>` are optional, and htmlparser2 (unlike a browser) does
 * not move body content out of an unclosed `<head>`; its text-bearing
 * children (`title`, `script`, `style`) are listed instead.
 */
export const NON_TEXT_ELEMENTS: ReadonlySet<string> = new Set([
  'title',
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'math',
  'iframe',
  'object',
  'canvas',
]);

/**
 * Inline (phrasing) elements: text on either side joins without a space
 * (`<b>Hel</b>lo` → "Hello"). Every other element boundary separates words
 * (`<p>a</p><p>b</p>` → "a b").
 */
export const INLINE_ELEMENTS: ReadonlySet<string> = new Set([
  'a',
  'abbr',
  'b',
  'bdi',
  'bdo',
  'cite',
  'code',
  'data',
  'del',
  'dfn',
  'em',
  'font',
  'i',
  'ins',
  'kbd',
  'label',
  'mark',
  'q',
  's',
  'samp',
  'small',
  'span',
  'strike',
  'strong',
  'sub',
  'sup',
  'time',
  'tt',
  'u',
  'var',
]);

/**
 * Whitespace that collapsing changes: runs of two or more, or one character
 * other than a plain space. Single spaces (most of them) are not matched, which
 * makes the replace about twice as fast as with `/\s+/g` on typical text.
 */
const WHITESPACE_RUN = /\s{2,}|[^\S ]/g;

/** Collapses runs of whitespace to one space and trims. */
export function collapseWhitespace(s: string): string {
  return s.replace(WHITESPACE_RUN, ' ').trim();
}

/** Cuts `s` to at most `maxChars` UTF-16 units without splitting a surrogate pair. */
export function truncateChars(s: string, maxChars: number): string {
  if (s.length <= maxChars) return s;
  let end = maxChars;
  const last = s.charCodeAt(end - 1);
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end -= 1;
  return s.slice(0, end);
}

/**
 * Accumulates text pieces with collapsed whitespace. `separate()` marks a
 * word boundary (block element edge, `<br>`); `full` turns true once the
 * budget is reached and later pieces are ignored.
 */
export class TextCollector {
  private readonly parts: string[] = [];
  private length = 0;
  private endsWithSpace = true;
  private pendingSpace = false;
  full = false;

  constructor(private readonly maxChars: number) {
    if (maxChars <= 0) this.full = true;
  }

  append(raw: string): void {
    if (this.full) return;
    let piece = raw.replace(WHITESPACE_RUN, ' ');
    if (piece === '' || piece === ' ') {
      if (piece === ' ') this.pendingSpace = true;
      return;
    }
    if (piece.charCodeAt(0) === 32) {
      this.pendingSpace = true;
      piece = piece.slice(1);
    }
    if (this.pendingSpace && !this.endsWithSpace) {
      this.parts.push(' ');
      this.length += 1;
    }
    this.pendingSpace = false;
    this.parts.push(piece);
    this.length += piece.length;
    this.endsWithSpace = piece.charCodeAt(piece.length - 1) === 32;
    if (this.length >= this.maxChars) this.full = true;
  }

  /** A word boundary: the next piece starts after a space. */
  separate(): void {
    this.pendingSpace = true;
  }

  /** The collected text, trimmed and cut to the budget. */
  text(): string {
    return truncateChars(this.parts.join('').trim(), this.maxChars);
  }
}
