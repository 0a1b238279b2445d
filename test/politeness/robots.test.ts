import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseRobots, robotsDecision, robotsSitemaps, userAgentToken, normalizeRobotsPath, ROBOTS_MAX_BYTES } from '../../src/politeness/robots.js';

interface Row {
  name: string;
  robots: string;
  url: string;
  /** Full User-Agent or product token. @default 'skein' */
  agent?: string;
  allowed: boolean;
  matchedRule?: string;
  crawlDelayMs?: number;
}

const E = 'https://example.com';

const rows: Row[] = [
  // group selection
  { name: 'no robots rules: allowed', robots: '', url: `${E}/x`, allowed: true },
  { name: '* group applies when no specific group', robots: 'User-agent: *\nDisallow: /private', url: `${E}/private/a`, allowed: false, matchedRule: '/private' },
  { name: 'specific group beats *', robots: 'User-agent: *\nDisallow: /\n\nUser-agent: skein\nDisallow: /secret', url: `${E}/page`, allowed: true },
  { name: 'specific group rules apply', robots: 'User-agent: *\nDisallow: /\n\nUser-agent: skein\nDisallow: /secret', url: `${E}/secret/x`, allowed: false, matchedRule: '/secret' },
  { name: 'specific group with empty Disallow allows all despite *', robots: 'User-agent: *\nDisallow: /\n\nUser-agent: skein\nDisallow:', url: `${E}/anything`, allowed: true },
  { name: 'other agent group ignored', robots: 'User-agent: googlebot\nDisallow: /', url: `${E}/x`, allowed: true },
  { name: 'other agent group ignored, * applies', robots: 'User-agent: googlebot\nDisallow: /\nUser-agent: *\nDisallow: /b', url: `${E}/a`, allowed: true },
  { name: 'user-agent match is case-insensitive (file)', robots: 'User-agent: SKEIN\nDisallow: /x', url: `${E}/x`, allowed: false },
  { name: 'user-agent match is case-insensitive (crawler)', robots: 'User-agent: skein\nDisallow: /x', url: `${E}/x`, agent: 'Skein', allowed: false },
  { name: 'product token derived from full UA', robots: 'User-agent: skein\nDisallow: /x', url: `${E}/x`, agent: 'skein/0.1 (+https://github.com/skein-crawler/skein)', allowed: false },
  { name: 'version in User-agent line ignored', robots: 'User-agent: skein/2.0\nDisallow: /x', url: `${E}/x`, allowed: false },
  { name: 'token is not a prefix match (skeiner)', robots: 'User-agent: skeiner\nDisallow: /x', url: `${E}/x`, allowed: true },
  { name: 'consecutive user-agent lines share a group (first)', robots: 'User-agent: a\nUser-agent: skein\nDisallow: /x', url: `${E}/x`, allowed: false },
  { name: 'consecutive user-agent lines share a group (other)', robots: 'User-agent: skein\nUser-agent: b\nDisallow: /x', url: `${E}/x`, agent: 'b', allowed: false },
  { name: 'user-agent after rules starts a new group', robots: 'User-agent: skein\nDisallow: /x\nUser-agent: other\nDisallow: /y', url: `${E}/y`, allowed: true },
  { name: 'two groups for the same agent are merged (first)', robots: 'User-agent: skein\nDisallow: /a\n\nUser-agent: other\nDisallow: /\n\nUser-agent: skein\nDisallow: /b', url: `${E}/a`, allowed: false },
  { name: 'two groups for the same agent are merged (second)', robots: 'User-agent: skein\nDisallow: /a\n\nUser-agent: other\nDisallow: /\n\nUser-agent: skein\nDisallow: /b', url: `${E}/b`, allowed: false },
  { name: 'two * groups are merged', robots: 'User-agent: *\nDisallow: /a\nUser-agent: x\nAllow: /\nUser-agent: *\nDisallow: /b', url: `${E}/b`, allowed: false },
  { name: 'rules before any user-agent are ignored', robots: 'Disallow: /\nUser-agent: *\nDisallow: /z', url: `${E}/a`, allowed: true },
  // longest match, ties
  { name: 'longest match wins: allow more specific', robots: 'User-agent: *\nDisallow: /folder\nAllow: /folder/page', url: `${E}/folder/page.html`, allowed: true, matchedRule: '/folder/page' },
  { name: 'longest match wins: disallow more specific', robots: 'User-agent: *\nAllow: /folder\nDisallow: /folder/secret', url: `${E}/folder/secret`, allowed: false, matchedRule: '/folder/secret' },
  { name: 'order in file does not matter', robots: 'User-agent: *\nAllow: /folder/page\nDisallow: /folder', url: `${E}/folder/page`, allowed: true },
  { name: 'Allow wins a tie', robots: 'User-agent: *\nDisallow: /page\nAllow: /page', url: `${E}/page`, allowed: true, matchedRule: '/page' },
  { name: 'Allow wins a tie of equal-length wildcards', robots: 'User-agent: *\nDisallow: /*.x\nAllow: /a*x', url: `${E}/a.x`, allowed: true },
  { name: 'Disallow: / blocks everything', robots: 'User-agent: *\nDisallow: /', url: `${E}/`, allowed: false, matchedRule: '/' },
  { name: 'rules are case-sensitive on the path', robots: 'User-agent: *\nDisallow: /Private', url: `${E}/private`, allowed: true },
  { name: 'query string is part of the match', robots: 'User-agent: *\nDisallow: /search?q=', url: `${E}/search?q=x`, allowed: false },
  // wildcards
  { name: '* matches any run', robots: 'User-agent: *\nDisallow: /*/private', url: `${E}/a/b/private/c`, allowed: false },
  { name: '* matches empty', robots: 'User-agent: *\nDisallow: /a*b', url: `${E}/ab`, allowed: false },
  { name: '* without match', robots: 'User-agent: *\nDisallow: /a*b', url: `${E}/ac`, allowed: true },
  { name: '$ anchors the end', robots: 'User-agent: *\nDisallow: /*.php$', url: `${E}/index.php`, allowed: false, matchedRule: '/*.php$' },
  { name: '$ anchored: longer path not matched', robots: 'User-agent: *\nDisallow: /*.php$', url: `${E}/index.php?x=1`, allowed: true },
  { name: '$ anchored exact path', robots: 'User-agent: *\nDisallow: /$', url: `${E}/`, allowed: false },
  { name: '$ anchored exact path, other page allowed', robots: 'User-agent: *\nDisallow: /$', url: `${E}/page`, allowed: true },
  { name: '$ in the middle is literal', robots: 'User-agent: *\nDisallow: /a$b', url: `${E}/a$b/c`, allowed: false },
  { name: '$ anchored tail may not overlap the prefix', robots: 'User-agent: *\nDisallow: /a*ab$', url: `${E}/ab`, allowed: true },
  { name: 'multiple * and $', robots: 'User-agent: *\nDisallow: /*a*b$', url: `${E}/xxaxxaxb`, allowed: false },
  { name: 'pattern without leading slash read as path', robots: 'User-agent: *\nDisallow: private/', url: `${E}/private/x`, allowed: false },
  // percent-encoding
  { name: '%2f and %2F are equivalent', robots: 'User-agent: *\nDisallow: /a%2fb', url: `${E}/a%2Fb`, allowed: false },
  { name: 'encoded unreserved equals literal (%7E vs ~)', robots: 'User-agent: *\nDisallow: /~joe', url: `${E}/%7Ejoe/x`, allowed: false },
  { name: 'literal unreserved equals encoded in pattern', robots: 'User-agent: *\nDisallow: /%7ejoe', url: `${E}/~joe`, allowed: false },
  { name: 'non-ASCII pattern matches encoded URL', robots: 'User-agent: *\nDisallow: /café', url: `${E}/caf%C3%A9/menu`, allowed: false },
  { name: 'encoded pattern matches non-ASCII URL', robots: 'User-agent: *\nDisallow: /caf%c3%a9', url: `${E}/café`, allowed: false },
  { name: '%2F is not a path separator /', robots: 'User-agent: *\nDisallow: /a/b', url: `${E}/a%2Fb`, allowed: true },
  // empty disallow, robots.txt
  { name: 'empty Disallow allows all', robots: 'User-agent: *\nDisallow:', url: `${E}/x`, allowed: true },
  { name: '/robots.txt always allowed', robots: 'User-agent: *\nDisallow: /', url: `${E}/robots.txt`, allowed: true },
  { name: '/robots.txt with query always allowed', robots: 'User-agent: *\nDisallow: /', url: `${E}/robots.txt?x=1`, allowed: true },
  // crawl-delay
  { name: 'crawl-delay of the matched group', robots: 'User-agent: *\nCrawl-delay: 2\nUser-agent: skein\nCrawl-delay: 5\nDisallow: /x', url: `${E}/a`, allowed: true, crawlDelayMs: 5000 },
  { name: 'fractional crawl-delay', robots: 'User-agent: *\nCrawl-delay: 0.5', url: `${E}/a`, allowed: true, crawlDelayMs: 500 },
  { name: 'crawl-delay of another group not applied', robots: 'User-agent: other\nCrawl-delay: 9\nUser-agent: *\nDisallow: /x', url: `${E}/a`, allowed: true },
  { name: 'invalid crawl-delay ignored', robots: 'User-agent: *\nCrawl-delay: soon\nDisallow: /x', url: `${E}/a`, allowed: true },
  { name: 'crawl-delay reported on disallowed URL too', robots: 'User-agent: *\nCrawl-delay: 1\nDisallow: /x', url: `${E}/x`, allowed: false, crawlDelayMs: 1000 },
  // robustness
  { name: 'BOM tolerated', robots: '\uFEFFUser-agent: *\nDisallow: /x', url: `${E}/x`, allowed: false },
  { name: 'CRLF line ends', robots: 'User-agent: *\r\nDisallow: /x\r\n', url: `${E}/x`, allowed: false },
  { name: 'CR-only line ends', robots: 'User-agent: *\rDisallow: /x\r', url: `${E}/x`, allowed: false },
  { name: 'comments stripped', robots: '# hello\nUser-agent: * # all\nDisallow: /x # no x\n', url: `${E}/x`, allowed: false, matchedRule: '/x' },
  { name: 'garbage lines ignored', robots: '<html><body>oops\nUser-agent: *\n%%%\nfoo bar baz: qux\nDisallow: /x', url: `${E}/x`, allowed: false },
  { name: 'no space after colon', robots: 'user-agent:*\ndisallow:/x', url: `${E}/x`, allowed: false },
  { name: 'missing colon tolerated', robots: 'User-agent *\nDisallow /x', url: `${E}/x`, allowed: false },
  { name: 'keys are case-insensitive', robots: 'USER-AGENT: *\nDISALLOW: /x', url: `${E}/x`, allowed: false },
  { name: 'Sitemap line does not break a group', robots: 'User-agent: *\nSitemap: https://example.com/s.xml\nDisallow: /x', url: `${E}/x`, allowed: false },
  { name: 'common typo disalow accepted', robots: 'User-agent: *\nDisalow: /x', url: `${E}/x`, allowed: false },
  { name: 'HTML page as robots.txt: allowed', robots: '<!doctype html><html><head><title>Not found</title></head></html>', url: `${E}/x`, allowed: true },
];

describe('robotsDecision conformance table', () => {
  for (const row of rows) {
    test(row.name, () => {
      const decision = robotsDecision(parseRobots(row.robots), row.url, row.agent ?? 'skein');
      assert.equal(decision.allowed, row.allowed, 'allowed');
      if (row.matchedRule !== undefined) assert.equal(decision.matchedRule, row.matchedRule, 'matchedRule');
      assert.equal(decision.crawlDelayMs, row.crawlDelayMs, 'crawlDelayMs');
    });
  }
  test('the table is large enough', () => assert.ok(rows.length >= 40, `${rows.length} rows`));
});

describe('500 KiB parsing limit', () => {
  test('a rule after 500 KiB is ignored', () => {
    const padding = `# ${'x'.repeat(ROBOTS_MAX_BYTES)}\n`;
    const rules = parseRobots(`User-agent: *\nDisallow: /before\n${padding}Disallow: /after\n`);
    assert.equal(robotsDecision(rules, `${E}/before`, 'skein').allowed, false);
    assert.equal(robotsDecision(rules, `${E}/after`, 'skein').allowed, true);
  });

  test('a line cut by the limit is dropped, not read truncated', () => {
    const head = 'User-agent: *\n';
    const filler = `#${'x'.repeat(ROBOTS_MAX_BYTES - head.length - 'Allow: /p'.length - 2)}\n`;
    // "Allow: /public-only" is cut at "Allow: /p" by the limit; it must not become "Allow: /p".
    const rules = parseRobots(`${head}${filler}Allow: /public-only\nDisallow: /\n`);
    assert.equal(robotsDecision(rules, `${E}/private`, 'skein').allowed, true, 'no rules after the limit');
    assert.equal(rules.groups[0]?.rules.length, 0);
  });

  test('rules before the limit in a file with multi-byte characters are kept', () => {
    const rules = parseRobots(`User-agent: *\nDisallow: /é\n# ${'é'.repeat(300_000)}\nDisallow: /late\n`);
    assert.equal(robotsDecision(rules, `${E}/%C3%A9`, 'skein').allowed, false);
    assert.equal(robotsDecision(rules, `${E}/late`, 'skein').allowed, true);
  });
});

describe('sitemaps and helpers', () => {
  test('Sitemap lines anywhere in the file, in order, deduplicated', () => {
    const rules = parseRobots(
      'Sitemap: https://example.com/a.xml\nUser-agent: *\nDisallow: /x\nsitemap:https://example.com/b.xml.gz\n# Sitemap: https://example.com/c.xml\nSITEMAP: https://example.com/a.xml\n',
    );
    assert.deepEqual(robotsSitemaps(rules), ['https://example.com/a.xml', 'https://example.com/b.xml.gz']);
  });

  test('userAgentToken takes the product name', () => {
    assert.equal(userAgentToken('skein/0.1 (+https://github.com/skein-crawler/skein)'), 'skein');
    assert.equal(userAgentToken('Mozilla/5.0 (compatible; Googlebot/2.1)'), 'mozilla');
    assert.equal(userAgentToken('my_crawler-X 1.0'), 'my_crawler-x');
    assert.equal(userAgentToken(' * '), '*');
  });

  test('normalizeRobotsPath', () => {
    assert.equal(normalizeRobotsPath('/a%2fb%7e%41'), '/a%2Fb~A');
    assert.equal(normalizeRobotsPath('/é x'), '/%C3%A9%20x');
    assert.equal(normalizeRobotsPath('/100%'), '/100%25');
    assert.equal(normalizeRobotsPath('/😀'), '/%F0%9F%98%80');
  });

  test('parsed rules are plain data (survive structuredClone and JSON)', () => {
    const rules = parseRobots('User-agent: *\nDisallow: /*.php$\nCrawl-delay: 1\nSitemap: https://example.com/s.xml');
    const viaJson = JSON.parse(JSON.stringify(rules)) as typeof rules;
    assert.deepEqual(structuredClone(rules), rules);
    assert.equal(robotsDecision(viaJson, `${E}/a.php`, 'skein').allowed, false);
  });
});
