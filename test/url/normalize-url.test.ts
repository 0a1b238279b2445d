import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileParamGlobs, createUrlNormalizer, normalizeUrl, type NormalizeResult } from '../../src/url/normalize-url.js';

const BASE = 'https://example.com/dir/page.html?x=1';

interface Row {
  name: string;
  href: string;
  base?: string;
  expected: NormalizeResult;
}

const ok = (url: string): NormalizeResult => ({ ok: true, url });
const rejected = (reason: 'invalid-url' | 'scheme'): NormalizeResult => ({ ok: false, reason });

const rows: Row[] = [
  // resolution
  { name: 'relative path', href: 'other.html', base: BASE, expected: ok('https://example.com/dir/other.html') },
  { name: 'parent path', href: '../up', base: BASE, expected: ok('https://example.com/up') },
  { name: 'root-relative', href: '/root', base: BASE, expected: ok('https://example.com/root') },
  { name: 'protocol-relative takes the base scheme', href: '//cdn.example.com/x.js', base: BASE, expected: ok('https://cdn.example.com/x.js') },
  { name: 'protocol-relative on http base', href: '//cdn.example.com/x', base: 'http://example.com/', expected: ok('http://cdn.example.com/x') },
  { name: 'query-only replaces the query', href: '?b=2', base: BASE, expected: ok('https://example.com/dir/page.html?b=2') },
  { name: 'fragment-only is the page itself', href: '#top', base: BASE, expected: ok('https://example.com/dir/page.html?x=1') },
  { name: 'absolute ignores the base', href: 'http://other.org/a', base: BASE, expected: ok('http://other.org/a') },
  { name: 'relative without base', href: 'page.html', expected: rejected('invalid-url') },
  { name: 'garbage', href: 'http://exa mple.com/', expected: rejected('invalid-url') },
  { name: 'empty host', href: 'https://', expected: rejected('invalid-url') },
  { name: 'empty href resolves to the base page', href: '', base: BASE, expected: ok('https://example.com/dir/page.html?x=1') },
  // schemes
  { name: 'javascript:', href: 'javascript:void(0)', base: BASE, expected: rejected('scheme') },
  { name: 'JavaScript: with upper case and spaces', href: '  JavaScript:alert(1)', base: BASE, expected: rejected('scheme') },
  { name: 'javascript: split by a newline', href: 'java\nscript:alert(1)', base: BASE, expected: rejected('scheme') },
  { name: 'mailto:', href: 'mailto:someone@example.com', base: BASE, expected: rejected('scheme') },
  { name: 'data:', href: 'data:text/html,<p>hi</p>', base: BASE, expected: rejected('scheme') },
  { name: 'tel:', href: 'tel:+441234567', base: BASE, expected: rejected('scheme') },
  { name: 'ftp:', href: 'ftp://example.com/file', expected: rejected('scheme') },
  { name: 'relative against a non-http base', href: 'a.html', base: 'file:///tmp/x.html', expected: rejected('scheme') },
  { name: 'upper-case scheme is fine', href: 'HTTPS://example.com/a', expected: ok('https://example.com/a') },
  // whitespace
  { name: 'leading/trailing whitespace', href: ' \t\n https://example.com/a \n', expected: ok('https://example.com/a') },
  { name: 'tabs and newlines inside are removed', href: 'https://exam\tple.com/a\n/b', expected: ok('https://example.com/a/b') },
  { name: 'inner spaces are encoded', href: 'https://example.com/a b', expected: ok('https://example.com/a%20b') },
  // host and port
  { name: 'upper-case host', href: 'https://WWW.Example.COM/Path', expected: ok('https://www.example.com/Path') },
  { name: 'default :80 dropped', href: 'http://example.com:80/a', expected: ok('http://example.com/a') },
  { name: 'default :443 dropped', href: 'https://example.com:443/a', expected: ok('https://example.com/a') },
  { name: ':443 on http is kept', href: 'http://example.com:443/a', expected: ok('http://example.com:443/a') },
  { name: 'other port kept', href: 'https://example.com:8443/a', expected: ok('https://example.com:8443/a') },
  { name: 'IDN to punycode', href: 'https://Bücher.example/ü', expected: ok('https://xn--bcher-kva.example/%C3%BC') },
  { name: 'IPv6 with default port', href: 'http://[::1]:80/x', expected: ok('http://[::1]/x') },
  { name: 'userinfo kept', href: 'https://user:pw@example.com/', expected: ok('https://user:pw@example.com/') },
  // path
  { name: 'empty path becomes /', href: 'https://example.com', expected: ok('https://example.com/') },
  { name: 'empty path with query', href: 'https://example.com?a=1', expected: ok('https://example.com/?a=1') },
  { name: 'fragment dropped', href: 'https://example.com/a#section-2', expected: ok('https://example.com/a') },
  { name: 'dot segments removed', href: 'https://example.com/a/./b/../c/', expected: ok('https://example.com/a/c/') },
  { name: 'encoded dot segments removed', href: 'https://example.com/a/%2e%2E/b/%2e/c', expected: ok('https://example.com/b/c') },
  { name: 'trailing slash is significant', href: 'https://example.com/a/', expected: ok('https://example.com/a/') },
  // percent-encoding
  { name: '%7e decoded to ~', href: 'https://example.com/%7euser', expected: ok('https://example.com/~user') },
  { name: '%7E and ~ are the same', href: 'https://example.com/%7Euser', expected: ok('https://example.com/~user') },
  { name: 'unreserved letters decoded', href: 'https://example.com/%41%62%2D%5F%2e', expected: ok('https://example.com/Ab-_.') },
  { name: '%2f kept encoded, hex upper-cased', href: 'https://example.com/a%2fb', expected: ok('https://example.com/a%2Fb') },
  { name: 'reserved escapes upper-cased', href: 'https://example.com/a%3a%c3%a4', expected: ok('https://example.com/a%3A%C3%A4') },
  { name: 'query escapes normalised', href: 'https://example.com/?q=%7e%3d%26', expected: ok('https://example.com/?q=~%3D%26') },
  { name: 'broken escape left alone', href: 'https://example.com/%zz?x=%g1', expected: ok('https://example.com/%zz?x=%g1') },
  { name: 'plus and %20 are not conflated', href: 'https://example.com/?q=a+b%20c', expected: ok('https://example.com/?q=a+b%20c') },
  // query
  { name: 'utm_* stripped', href: 'https://example.com/?utm_source=x&id=7&utm_medium=y', expected: ok('https://example.com/?id=7') },
  { name: 'strip is case-insensitive', href: 'https://example.com/?UTM_Source=x&FBCLID=1&id=7', expected: ok('https://example.com/?id=7') },
  { name: 'strip matches the decoded name', href: 'https://example.com/?utm%5Fsource=x&id=7', expected: ok('https://example.com/?id=7') },
  { name: 'session ids stripped', href: 'https://example.com/a?jsessionid=abc&PHPSESSID=x', expected: ok('https://example.com/a') },
  { name: 'only stripped params: ? dropped', href: 'https://example.com/a?utm_source=x', expected: ok('https://example.com/a') },
  { name: 'empty query: ? dropped', href: 'https://example.com/a?', expected: ok('https://example.com/a') },
  { name: 'empty pieces dropped', href: 'https://example.com/a?&b=1&&a=2&', expected: ok('https://example.com/a?a=2&b=1') },
  { name: 'params sorted by name', href: 'https://example.com/?z=1&a=2&m=3', expected: ok('https://example.com/?a=2&m=3&z=1') },
  { name: 'sort is stable for repeated names', href: 'https://example.com/?b=1&a=3&b=0&a=1', expected: ok('https://example.com/?a=3&a=1&b=1&b=0') },
  { name: 'name without value', href: 'https://example.com/?flag&a=1', expected: ok('https://example.com/?a=1&flag') },
  { name: 'similar names are not stripped', href: 'https://example.com/?utmsource=1&sidebar=2', expected: ok('https://example.com/?sidebar=2&utmsource=1') },
];

describe('normalizeUrl (schema defaults)', () => {
  for (const row of rows) {
    test(row.name, () => {
      assert.deepEqual(normalizeUrl(row.href, row.base), row.expected);
    });
  }

  test('is idempotent on its own output', () => {
    for (const row of rows) {
      const first = normalizeUrl(row.href, row.base);
      if (!first.ok) continue;
      assert.deepEqual(normalizeUrl(first.url), first, row.name);
    }
  });
});

describe('createUrlNormalizer options', () => {
  test('sortParams: false keeps the order', () => {
    const normalize = createUrlNormalizer({ stripParams: [], sortParams: false });
    assert.deepEqual(normalize('https://example.com/?z=1&a=2&utm_source=x'), ok('https://example.com/?z=1&a=2&utm_source=x'));
  });

  test('custom strip globs with * anywhere', () => {
    const normalize = createUrlNormalizer({ stripParams: ['*_ref', 'ref*id', 'exact'], sortParams: true });
    assert.deepEqual(
      normalize('https://example.com/?a_ref=1&refXid=2&refid=3&exact=4&exactly=5&keep=6'),
      ok('https://example.com/?exactly=5&keep=6'),
    );
  });

  test('glob characters other than * are literal', () => {
    const normalize = createUrlNormalizer({ stripParams: ['a.b', 'c?'], sortParams: true });
    assert.deepEqual(normalize('https://example.com/?a.b=1&aXb=2&c?=3&cd=4'), ok('https://example.com/?aXb=2&cd=4'));
  });

  test('compileParamGlobs: no globs compile to nothing', () => {
    assert.equal(compileParamGlobs([]), undefined);
    assert.equal(compileParamGlobs(['']), undefined);
    assert.equal(compileParamGlobs(['utm_*'])?.test('UTM_CAMPAIGN'), true);
  });
});
