/**
 * Page-level metadata rules: robots directives from `<meta name="robots">`
 * and the `X-Robots-Tag` header, and small attribute helpers.
 */

export interface RobotsDirectives {
  noindex: boolean;
  nofollow: boolean;
}

/**
 * Directive names that carry a value after a colon. Any other `name:` prefix
 * in an X-Robots-Tag is a user-agent token scoping the directives after it.
 */
const VALUED_DIRECTIVES: ReadonlySet<string> = new Set([
  'unavailable_after',
  'max-snippet',
  'max-image-preview',
  'max-video-preview',
]);

function applyDirective(directive: string, into: RobotsDirectives): void {
  switch (directive) {
    case 'noindex':
      into.noindex = true;
      break;
    case 'nofollow':
      into.nofollow = true;
      break;
    case 'none':
      into.noindex = true;
      into.nofollow = true;
      break;
    default:
      break;
  }
}

/**
 * Reads the directives of a `<meta name="robots" content>` value
 * (comma- or space-separated, case-insensitive).
 *
 * @example parseMetaRobots('NOINDEX, follow') // { noindex: true, nofollow: false }
 */
export function parseMetaRobots(content: string | undefined): RobotsDirectives {
  const result: RobotsDirectives = { noindex: false, nofollow: false };
  if (!content) return result;
  for (const token of content.toLowerCase().split(/[\s,]+/)) applyDirective(token, result);
  return result;
}

/**
 * Reads an `X-Robots-Tag` header (several headers arrive joined with ", ").
 * Directives scoped to a named user agent (`googlebot: noindex`) apply to
 * that crawler only and are ignored; unscoped ones and `*:` apply.
 *
 * @example parseXRobotsTag('googlebot: noindex, otherbot: nofollow') // both false
 * @example parseXRobotsTag('noindex, nofollow') // both true
 */
export function parseXRobotsTag(header: string | undefined): RobotsDirectives {
  const result: RobotsDirectives = { noindex: false, nofollow: false };
  if (!header) return result;
  let scope: string | undefined;
  for (const raw of header.toLowerCase().split(',')) {
    let token = raw.trim();
    const colon = token.indexOf(':');
    if (colon !== -1) {
      const name = token.slice(0, colon).trim();
      if (!VALUED_DIRECTIVES.has(name)) {
        scope = name;
        token = token.slice(colon + 1).trim();
      }
    }
    if (scope !== undefined && scope !== '*') continue;
    for (const directive of token.split(/\s+/)) applyDirective(directive, result);
  }
  return result;
}

/** Union of two directive sets. */
export function mergeRobotsDirectives(a: RobotsDirectives, b: RobotsDirectives): RobotsDirectives {
  return { noindex: a.noindex || b.noindex, nofollow: a.nofollow || b.nofollow };
}

/** Whether a space-separated token list (`rel`) contains `token` (ASCII case-insensitive). */
export function hasToken(list: string | undefined, token: string): boolean {
  if (!list) return false;
  const lower = list.toLowerCase();
  if (!lower.includes(token)) return false;
  return lower.split(/[\t\n\f\r ]+/).includes(token);
}
