/**
 * User URL patterns (`scope.include`, `scope.exclude`), compiled once.
 *
 * Two syntaxes, both matched against the whole normalised URL
 * (`https://host/path?query`, see normalize-url.ts):
 *
 * - **RegExp**, written `/source/flags` (e.g. `/\/p\/\d+$/i`). It is searched,
 *   not anchored: add `^`/`$` yourself. The stateful flags `g` and `y` are
 *   ignored so that matching has no memory between URLs.
 * - **Glob** (picomatch), anything else. `/` is the separator, so in a URL:
 *   - `*` matches one or more characters inside a single path segment
 *     (never `/`): `https://site/*` matches `https://site/a` but not
 *     `https://site/` nor `https://site/a/b`; `https://*.site/**` matches any
 *     subdomain of `site` but not `site` itself;
 *   - `**` matches any number of whole segments, including the query:
 *     `https://site/blog/**` matches `https://site/blog`, `.../blog/` and
 *     `.../blog/2024/x?page=2`; `**` then `/*.pdf` (written as one glob) matches a `.pdf` path on any host
 *     (with no query string: add `{,?*}` to allow one);
 *   - `?` matches one character other than `/`, so it also matches a literal
 *     `?` in a URL; `[...]`, `{a,b}`, `(...)` and a leading `!` are glob syntax,
 *     escape them with `\` to match them literally;
 *   - matching is case-sensitive (normalised scheme and host are lower-case);
 *     segments starting with `.` are matched like any other;
 *   - a glob that can never match a full URL is rejected with a hint, never
 *     silently kept: one starting with `/` (`/blog/**`), one without a `/`
 *     (`*.pdf`: write `**` then `/*.pdf`), and one whose first segment cannot match
 *     the scheme (`blog/**`: write `**` then `/blog/**`).
 */
import picomatch from 'picomatch';
import { ConfigError } from '../core/errors.js';

/** Tests one normalised URL. */
export type UrlMatcher = (url: string) => boolean;

/** `/source/flags` with only RegExp flag letters after the last slash. */
const REGEX_LITERAL = /^\/(.+)\/([dgimsuvy]*)$/s;

const GLOB_OPTIONS: picomatch.PicomatchOptions = { dot: true };

/** True when the pattern is written as a RegExp literal (`/.../flags`). */
export function isRegexPattern(pattern: string): boolean {
  return REGEX_LITERAL.test(pattern);
}

/**
 * Compiles one pattern into a RegExp (globs via picomatch's `makeRe`, which
 * is cheaper per call than picomatch's matcher function).
 * @param field dotted config path used in error messages, e.g. `scope.exclude[2]`
 * @throws ConfigError when the RegExp or glob is invalid
 */
export function compileUrlPattern(pattern: string, field = 'pattern'): RegExp {
  if (pattern.length === 0) throw new ConfigError(field, 'empty URL pattern');
  const literal = REGEX_LITERAL.exec(pattern);
  if (literal !== null) {
    const flags = literal[2]!.replace(/[gy]/g, '');
    try {
      return new RegExp(literal[1]!, flags);
    } catch (cause) {
      const detail = cause instanceof Error ? cause.message : String(cause);
      throw new ConfigError(field, `invalid regular expression ${JSON.stringify(pattern)}: ${detail}`, { cause });
    }
  }
  const never = neverMatchesAUrl(pattern);
  if (never !== undefined) throw new ConfigError(field, never);
  try {
    return picomatch.makeRe(pattern, GLOB_OPTIONS);
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new ConfigError(field, `invalid glob ${JSON.stringify(pattern)}: ${detail}`, { cause });
  }
}

/**
 * Why a glob can never match a whole URL (`https://host/path?query`), with
 * the pattern the user most likely meant; undefined when it can match.
 */
function neverMatchesAUrl(glob: string): string | undefined {
  const hint = (meant: string) =>
    `glob ${JSON.stringify(glob)} can never match: globs match the whole URL (https://host/path), so write ${JSON.stringify(meant)} (or a RegExp as /source/flags)`;
  if (glob.startsWith('/')) return hint(`**${glob}`);
  const slash = glob.indexOf('/');
  // One segment: a URL always has slashes, so only "**" (everything) can match.
  if (slash === -1) return glob === '**' ? undefined : hint(`**/${glob}`);
  // The first segment must be able to match the scheme ("https:"); braces, groups and
  // classes may hold a "/" of their own, so those are left to picomatch.
  const first = glob.slice(0, slash);
  if (/[{([]/.test(first) || first.includes('**')) return undefined;
  if (picomatch.isMatch('https:', first, GLOB_OPTIONS) || picomatch.isMatch('http:', first, GLOB_OPTIONS)) return undefined;
  return hint(`**/${glob}`);
}

/**
 * Compiles a list of patterns into one matcher that is true when any pattern
 * matches. An empty list matches nothing.
 * @param field dotted config path of the list, e.g. `scope.include`
 * @throws ConfigError naming the first invalid pattern (`scope.include[1]: ...`)
 */
export function compileUrlPatterns(patterns: readonly string[], field = 'patterns'): UrlMatcher {
  const compiled = patterns.map((p, i) => compileUrlPattern(p, `${field}[${i}]`));
  if (compiled.length === 0) return () => false;
  if (compiled.length === 1) {
    const only = compiled[0]!;
    return (url) => only.test(url);
  }
  return (url) => {
    for (const re of compiled) if (re.test(url)) return true;
    return false;
  };
}
