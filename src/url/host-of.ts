/**
 * The host (and port) of a normalised URL key, read from the string where it
 * can be: the frontier asks this for every request it queues. Pure.
 */

/** A host name and port as written in a normalised key: lower-case letters, digits, `.-:[]`. */
const PLAIN_HOST = /^[a-z0-9.\-:[\]]+$/;

/**
 * `new URL(key).host`, read from the string when the key is a normalised URL (`scheme://host/…`
 * with a plain host: a tenth of the cost of parsing it), parsed otherwise.
 */
export function hostOf(key: string): string {
  const start = key.indexOf('://') + 3;
  if (start > 2) {
    const end = authorityEnd(key, start);
    const host = key.slice(start, end);
    if (end < key.length && PLAIN_HOST.test(host) && !/:(80|443)?$/.test(host)) return host;
  }
  return new URL(key).host;
}

/** Where the authority that starts at `start` in `url` ends: the first `/`, `?` or `#` after it, or the end. */
export function authorityEnd(url: string, start: number): number {
  let end = start;
  while (end < url.length) {
    const c = url.charCodeAt(end);
    if (c === 47 /* / */ || c === 63 /* ? */ || c === 35 /* # */) break;
    end++;
  }
  return end;
}
