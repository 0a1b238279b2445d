/**
 * A page URL as a safe relative file path for the Markdown export. Pure.
 *
 * `https://docs.example.com/guide/install?v=2` → `docs.example.com/guide/install_q-1a2b3c4d.md`
 *
 * - the host (and port, as `host_8080`) is the first folder, so several
 *   hosts never mix;
 * - each path segment is percent-decoded, then every character that is not
 *   a letter, digit, `.`, `_` or `-` becomes `_`; a segment cannot start
 *   with a dot (no `..`, no hidden files), is never empty, and is cut to 80
 *   characters (with a hash of the whole segment when cut);
 * - a path ending in `/` becomes `…/index.md`; a folder segment ending in
 *   `.md` gets a `_` so it can never clash with a page file;
 * - a query string adds `_q-<hash>` (its hash), so `?page=1` and `?page=2`
 *   are different files.
 *
 * Two URLs can still map to one name (`/a b` and `/a_b`, or `/A` and `/a` on
 * a case-insensitive disk): the writer creates files exclusively and gives
 * the later one a `-<hash of its URL>` suffix.
 */
import { createHash } from 'node:crypto';

const MAX_SEGMENT_CHARS = 80;

/** 8 hex characters of the SHA-1 of `text`: a short, stable disambiguator. */
export function shortHash(text: string): string {
  return createHash('sha1').update(text).digest('hex').slice(0, 8);
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** One path segment as a safe file or folder name. */
export function safeSegment(raw: string): string {
  let name = decode(raw).normalize('NFC').replace(/[^\p{L}\p{N}._-]+/gu, '_');
  name = name.replace(/^\.+/, (dots) => '_'.repeat(dots.length));
  if (name === '') name = '_';
  if (name.length > MAX_SEGMENT_CHARS) name = `${name.slice(0, MAX_SEGMENT_CHARS - 9)}-${shortHash(raw)}`;
  return name;
}

/**
 * The relative path (with `/` separators) of a page's Markdown file.
 * @param suffix added before `.md` to resolve a clash (e.g. `-1a2b3c4d`)
 */
export function markdownFileName(pageUrl: string, suffix = ''): string {
  const url = new URL(pageUrl);
  const host = safeSegment(url.port === '' ? url.hostname : `${url.hostname}_${url.port}`);
  const segments = url.pathname.split('/').slice(1);
  if (segments.length === 0 || segments[segments.length - 1] === '') segments[segments.length === 0 ? 0 : segments.length - 1] = 'index';
  const folders = segments.slice(0, -1).map((segment) => {
    const name = safeSegment(segment);
    return name.toLowerCase().endsWith('.md') ? `${name}_` : name;
  });
  let file = safeSegment(segments[segments.length - 1]!);
  if (file.toLowerCase().endsWith('.md')) file = file.slice(0, -3);
  if (url.search !== '') file += `_q-${shortHash(url.search)}`;
  return [host, ...folders, `${file}${suffix}.md`].join('/');
}
