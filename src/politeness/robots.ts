/**
 * robots.txt parsing and matching (RFC 9309), as pure functions.
 *
 * Written here rather than using the `robots-parser` package because that package does not
 * normalise percent-encoding of unreserved characters (`/%7Ejoe` vs `/~joe`), does not always
 * allow `/robots.txt`, and has no parsing limit; the matcher is small.
 *
 * `RobotsRules` is plain data (structured-clone and JSON safe), so it can be cached or shipped
 * to another process.
 */

/** Only this many bytes of a robots.txt are parsed (RFC 9309 §2.5 minimum: 500 KiB). */
export const ROBOTS_MAX_BYTES = 512_000;

/** One Allow or Disallow line. */
export interface RobotsRule {
  allow: boolean;
  /** The pattern as written in the file (trimmed). */
  raw: string;
  /** The pattern with percent-encoding normalised; its length decides the most specific rule. */
  pattern: string;
  /** `pattern` without a trailing `$`, split at `*`. */
  parts: string[];
  /** The pattern ended with `$`: it must match up to the end of the path. */
  anchored: boolean;
}

/** A group: consecutive `User-agent` lines and the rules that follow them. */
export interface RobotsGroup {
  /** Lower-cased product tokens (`*` for the catch-all group). */
  agents: string[];
  rules: RobotsRule[];
  /** Non-standard `Crawl-delay`, in ms (seconds in the file, may be fractional). */
  crawlDelayMs?: number;
}

export interface RobotsRules {
  groups: RobotsGroup[];
  /** `Sitemap:` values in file order, deduplicated (anywhere in the file, outside groups too). */
  sitemaps: string[];
}

export interface RobotsDecision {
  allowed: boolean;
  /** Crawl-delay of the group(s) that applied, in ms. */
  crawlDelayMs?: number;
  /** The raw pattern of the rule that decided (absent when no rule matched). */
  matchedRule?: string;
}

type LineKey = 'user-agent' | 'allow' | 'disallow' | 'crawl-delay' | 'sitemap';

/** Accepted spellings of each key (lower case), including common typos that real files contain. */
const KEYS: Record<string, LineKey> = {
  'user-agent': 'user-agent',
  useragent: 'user-agent',
  'user agent': 'user-agent',
  allow: 'allow',
  disallow: 'disallow',
  dissallow: 'disallow',
  dissalow: 'disallow',
  disalow: 'disallow',
  diasllow: 'disallow',
  disallaw: 'disallow',
  'crawl-delay': 'crawl-delay',
  crawldelay: 'crawl-delay',
  sitemap: 'sitemap',
  'site-map': 'sitemap',
};

/**
 * The product token robots.txt groups are matched against: the leading run of letters, `-` and
 * `_` of a User-Agent string or a `User-agent:` value, lower-cased (RFC 9309 §2.2.1).
 * @example userAgentToken('skein/0.1 (+https://example.com)') === 'skein'
 */
export function userAgentToken(userAgent: string): string {
  const value = userAgent.trim();
  if (value.startsWith('*')) return '*';
  return (/^[A-Za-z_-]+/.exec(value)?.[0] ?? '').toLowerCase();
}

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/**
 * Normalises percent-encoding so that equivalent paths compare equal: escapes of unreserved
 * characters are decoded (`%7E` → `~`), other escapes are upper-cased (`%2f` → `%2F`), and
 * non-ASCII, control and space characters are UTF-8 percent-encoded. A `%` not followed by two
 * hex digits becomes `%25`. Everything else (including `*` and `$`) is kept as is.
 */
export function normalizeRobotsPath(path: string): string {
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const ch = path[i] as string;
    if (ch === '%') {
      const hex = path.slice(i + 1, i + 3);
      if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
        const decoded = String.fromCharCode(parseInt(hex, 16));
        out += UNRESERVED.test(decoded) ? decoded : `%${hex.toUpperCase()}`;
        i += 2;
      } else {
        out += '%25';
      }
      continue;
    }
    const code = ch.charCodeAt(0);
    if (code > 0x20 && code < 0x7f) {
      out += ch;
      continue;
    }
    // Keep surrogate pairs together so encodeURIComponent sees the whole code point.
    const cp = path.codePointAt(i) ?? code;
    const char = String.fromCodePoint(cp);
    if (char.length === 2) i++;
    out += (cp >= 0xd800 && cp <= 0xdfff) ? '%EF%BF%BD' : encodeURIComponent(char);
  }
  return out;
}

function compileRule(allow: boolean, raw: string): RobotsRule {
  // A pattern must start with "/" or "*"; "Disallow: private/" is read as "/private/".
  const withSlash = raw.startsWith('/') || raw.startsWith('*') ? raw : `/${raw}`;
  const pattern = normalizeRobotsPath(withSlash);
  const anchored = pattern.endsWith('$');
  const parts = (anchored ? pattern.slice(0, -1) : pattern).split('*');
  return { allow, raw, pattern, parts, anchored };
}

/** Splits a line into a known key and its value, or null for garbage and unknown keys. */
function splitLine(line: string): { key: LineKey; value: string } | null {
  const colon = line.indexOf(':');
  let rawKey: string;
  let value: string;
  if (colon >= 0) {
    rawKey = line.slice(0, colon);
    value = line.slice(colon + 1);
  } else {
    // Tolerate a missing colon: "Disallow /private".
    const m = /^(\S+)\s+(.*)$/.exec(line);
    if (!m) return null;
    rawKey = m[1] as string;
    value = m[2] as string;
  }
  const key = KEYS[rawKey.trim().toLowerCase().replace(/\s+/g, ' ')];
  return key ? { key, value: value.trim() } : null;
}

/** Cuts text to `ROBOTS_MAX_BYTES` UTF-8 bytes, dropping the last (possibly partial) line. */
function truncate(text: string): string {
  // A UTF-16 code unit is at most 3 UTF-8 bytes, so short texts need no byte count.
  if (text.length * 3 <= ROBOTS_MAX_BYTES || Buffer.byteLength(text, 'utf8') <= ROBOTS_MAX_BYTES) return text;
  const cut = Buffer.from(text, 'utf8').subarray(0, ROBOTS_MAX_BYTES).toString('utf8');
  const lastBreak = Math.max(cut.lastIndexOf('\n'), cut.lastIndexOf('\r'));
  return lastBreak >= 0 ? cut.slice(0, lastBreak) : '';
}

/**
 * Parses a robots.txt body. Never throws: unknown keys and garbage lines are ignored, rules
 * before the first `User-agent` line are ignored, and only the first 500 KiB are read.
 * Tolerates a BOM, CR/LF/CRLF line ends, `#` comments and a missing colon or space.
 */
export function parseRobots(text: string): RobotsRules {
  const groups: RobotsGroup[] = [];
  const sitemaps: string[] = [];
  let current: RobotsGroup | null = null;
  let inAgentLines = false;

  for (const rawLine of truncate(text.replace(/^\uFEFF/, '')).split(/\r\n|\r|\n/)) {
    const hash = rawLine.indexOf('#');
    const line = (hash >= 0 ? rawLine.slice(0, hash) : rawLine).trim();
    if (!line) continue;
    const parsed = splitLine(line);
    if (!parsed) continue;
    const { key, value } = parsed;

    if (key === 'sitemap') {
      if (value && !sitemaps.includes(value)) sitemaps.push(value);
      continue;
    }
    if (key === 'user-agent') {
      if (!inAgentLines || !current) {
        current = { agents: [], rules: [] };
        groups.push(current);
      }
      inAgentLines = true;
      const token = userAgentToken(value);
      if (token && !current.agents.includes(token)) current.agents.push(token);
      continue;
    }
    inAgentLines = false;
    if (!current) continue;
    if (key === 'crawl-delay') {
      const seconds = Number(value);
      if (value && Number.isFinite(seconds) && seconds >= 0) current.crawlDelayMs = Math.round(seconds * 1000);
      continue;
    }
    // An empty Disallow allows everything, an empty Allow says nothing: neither is a rule.
    if (value) current.rules.push(compileRule(key === 'allow', value));
  }
  return { groups, sitemaps };
}

/** Does `rule` match `path` (already normalised)? `*` matches any run, a final `$` anchors. */
export function ruleMatches(rule: RobotsRule, path: string): boolean {
  const { parts, anchored } = rule;
  const first = parts[0] as string;
  if (!path.startsWith(first)) return false;
  if (parts.length === 1) return anchored ? path.length === first.length : true;
  let pos = first.length;
  const last = parts.length - 1;
  // Leftmost placement of each middle part leaves the most room for the rest.
  for (let i = 1; i < last; i++) {
    const part = parts[i] as string;
    const at = path.indexOf(part, pos);
    if (at < 0) return false;
    pos = at + part.length;
  }
  const tail = parts[last] as string;
  if (anchored) return path.length - tail.length >= pos && path.endsWith(tail);
  return path.indexOf(tail, pos) >= 0;
}

/** The rules that apply to a product token: all groups naming it, merged; else all `*` groups. */
function groupsFor(rules: RobotsRules, token: string): RobotsGroup[] {
  const named = token && token !== '*' ? rules.groups.filter((g) => g.agents.includes(token)) : [];
  return named.length > 0 ? named : rules.groups.filter((g) => g.agents.includes('*'));
}

/** The path and query of `url` that robots rules are matched against, or null if it is no URL. */
function robotsPath(url: string): string | null {
  if (url.startsWith('/')) return url;
  try {
    const u = new URL(url);
    return u.pathname + u.search;
  } catch {
    return null;
  }
}

/**
 * Decides whether `url` may be fetched by the crawler with product token `agent`
 * (a full User-Agent string works too: its token is derived). The most specific matching rule
 * (most octets) wins; Allow wins a tie; no matching rule means allowed. `/robots.txt` is
 * always allowed. The Crawl-delay is the largest one among the groups that applied.
 * A string that is not a URL (nor a path starting with `/`) is not robots' business: allowed.
 */
export function robotsDecision(rules: RobotsRules, url: string, agent: string): RobotsDecision {
  const groups = groupsFor(rules, userAgentToken(agent));
  const delays = groups.map((g) => g.crawlDelayMs).filter((d): d is number => d !== undefined);
  const crawlDelayMs = delays.length > 0 ? Math.max(...delays) : undefined;
  const withDelay = (d: RobotsDecision): RobotsDecision => (crawlDelayMs === undefined ? d : { ...d, crawlDelayMs });

  const rawPath = robotsPath(url);
  if (rawPath === null) return withDelay({ allowed: true });
  const pathOnly = rawPath.split('?')[0];
  if (pathOnly === '/robots.txt') return withDelay({ allowed: true });

  const path = normalizeRobotsPath(rawPath);
  let best: RobotsRule | undefined;
  for (const group of groups) {
    for (const rule of group.rules) {
      if (!ruleMatches(rule, path)) continue;
      if (
        !best ||
        rule.pattern.length > best.pattern.length ||
        (rule.pattern.length === best.pattern.length && rule.allow && !best.allow)
      ) {
        best = rule;
      }
    }
  }
  if (!best) return withDelay({ allowed: true });
  return withDelay({ allowed: best.allow, matchedRule: best.raw });
}

/** The `Sitemap:` URLs of a parsed robots.txt, in file order. */
export function robotsSitemaps(rules: RobotsRules): string[] {
  return [...rules.sitemaps];
}
