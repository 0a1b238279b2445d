import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/core/errors.js';
import { compileUrlPattern, compileUrlPatterns, isRegexPattern } from '../../src/url/url-patterns.js';

const rows: { pattern: string; url: string; matches: boolean }[] = [
  // globs: ** spans segments (and the query), * stays inside one segment
  { pattern: 'https://site.com/blog/**', url: 'https://site.com/blog/2024/05/post', matches: true },
  { pattern: 'https://site.com/blog/**', url: 'https://site.com/blog', matches: true },
  { pattern: 'https://site.com/blog/**', url: 'https://site.com/blog/', matches: true },
  { pattern: 'https://site.com/blog/**', url: 'https://site.com/blog/a?page=2&x=a/b', matches: true },
  { pattern: 'https://site.com/blog/**', url: 'https://site.com/blogger', matches: false },
  { pattern: 'https://site.com/blog/**', url: 'http://site.com/blog/a', matches: false },
  { pattern: 'https://site.com/*', url: 'https://site.com/a', matches: true },
  { pattern: 'https://site.com/*', url: 'https://site.com/a/b', matches: false },
  { pattern: 'https://site.com/*', url: 'https://site.com/', matches: false },
  { pattern: '**/*.pdf', url: 'https://site.com/docs/a.pdf', matches: true },
  { pattern: '**/*.pdf', url: 'https://other.org/a.pdf', matches: true },
  { pattern: '**/*.pdf', url: 'https://site.com/a.pdf.html', matches: false },
  { pattern: '**/*.pdf', url: 'https://site.com/a.pdf?dl=1', matches: false },
  { pattern: '**/*.pdf{,?*}', url: 'https://site.com/a.pdf?dl=1', matches: true },
  { pattern: '**/.hidden/**', url: 'https://site.com/.hidden/x', matches: true },
  { pattern: 'https://*.site.com/**', url: 'https://a.site.com/x', matches: true },
  { pattern: 'https://*.site.com/**', url: 'https://site.com/x', matches: false },
  { pattern: '**/tag/**', url: 'https://site.com/tag/a', matches: true },
  { pattern: '**/tag/**', url: 'https://site.com/tags/a', matches: false },
  { pattern: '**/search?q=*', url: 'https://site.com/search?q=shoes', matches: true },
  { pattern: 'https://site.com/{a,b}/**', url: 'https://site.com/b/1', matches: true },
  { pattern: 'https://site.com/{a,b}/**', url: 'https://site.com/c/1', matches: false },
  { pattern: '**/p/\\(1\\)', url: 'https://site.com/p/(1)', matches: true },
  { pattern: 'https://site.com/Blog/**', url: 'https://site.com/blog/x', matches: false },
  // any glob that can match a URL is kept: a wildcard scheme, braces, the bare globstar
  { pattern: '*://site.com/**', url: 'http://site.com/a', matches: true },
  { pattern: 'http*://site.com/**', url: 'https://site.com/a', matches: true },
  { pattern: '{http,https}://site.com/**', url: 'https://site.com/a', matches: true },
  { pattern: '**', url: 'https://site.com/a?b=c', matches: true },
  // regexes: searched (unanchored), flags honoured
  { pattern: '/\\/p\\/\\d+$/', url: 'https://site.com/p/123', matches: true },
  { pattern: '/\\/p\\/\\d+$/', url: 'https://site.com/p/123/edit', matches: false },
  { pattern: '/[?&]sort=/', url: 'https://site.com/list?page=2&sort=asc', matches: true },
  { pattern: '/LOGIN/i', url: 'https://site.com/user/login', matches: true },
  { pattern: '/LOGIN/', url: 'https://site.com/user/login', matches: false },
  { pattern: '/^https:\\/\\/site\\.com\\//', url: 'https://site.com.evil.org/', matches: false },
];

describe('compileUrlPattern', () => {
  for (const row of rows) {
    test(`${row.pattern} ${row.matches ? 'matches' : 'does not match'} ${row.url}`, () => {
      assert.equal(compileUrlPattern(row.pattern).test(row.url), row.matches);
    });
  }

  test('g and y flags are dropped so repeated tests agree', () => {
    const re = compileUrlPattern('/a/gy');
    assert.equal(re.flags, '');
    assert.equal(re.test('https://a.com/'), true);
    assert.equal(re.test('https://a.com/'), true);
  });

  test('regex literal detection', () => {
    assert.equal(isRegexPattern('/x/'), true);
    assert.equal(isRegexPattern('/x/im'), true);
    assert.equal(isRegexPattern('**/x/**'), false);
    assert.equal(isRegexPattern('https://a/'), false);
  });

  const invalid: { pattern: string; message: RegExp }[] = [
    { pattern: '/(unclosed/', message: /scope\.exclude\[1\]: invalid regular expression "\/\(unclosed\/"/ },
    { pattern: '/a/ii', message: /scope\.exclude\[1\]: invalid regular expression "\/a\/ii"/ },
    { pattern: '/blog/**', message: /scope\.exclude\[1\]: glob "\/blog\/\*\*" can never match.*write "\*\*\/blog\/\*\*"/ },
    { pattern: '*.pdf', message: /scope\.exclude\[1\]: glob "\*\.pdf" can never match: globs match the whole URL.*write "\*\*\/\*\.pdf"/ },
    { pattern: 'blog/**', message: /glob "blog\/\*\*" can never match.*write "\*\*\/blog\/\*\*"/ },
    { pattern: 'www.site.com/**', message: /can never match.*write "\*\*\/www\.site\.com\/\*\*"/ },
    { pattern: '', message: /scope\.exclude\[1\]: empty URL pattern/ },
  ];
  for (const row of invalid) {
    test(`invalid pattern ${JSON.stringify(row.pattern)} throws a ConfigError naming it`, () => {
      assert.throws(
        () => compileUrlPatterns(['**/ok/**', row.pattern], 'scope.exclude'),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError);
          assert.equal(err.code, 'ERR_CONFIG');
          assert.equal(err.field, 'scope.exclude[1]');
          assert.match(err.message, row.message);
          return true;
        },
      );
    });
  }
});

describe('compileUrlPatterns', () => {
  test('matches when any pattern matches', () => {
    const match = compileUrlPatterns(['**/*.pdf', '/\\/admin\\//'], 'scope.exclude');
    assert.equal(match('https://a.com/x.pdf'), true);
    assert.equal(match('https://a.com/admin/users'), true);
    assert.equal(match('https://a.com/public/users'), false);
  });

  test('an empty list matches nothing', () => {
    assert.equal(compileUrlPatterns([])('https://a.com/'), false);
  });
});
