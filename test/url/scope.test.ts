import { describe, test } from 'node:test';
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { scopeSchema } from '../../src/config/schema.js';
import { ConfigError } from '../../src/core/errors.js';
import { checkScope, createScopeRules, hasRepeatedSegment, registrableDomain, type ScopeConfig, type ScopeResult } from '../../src/url/scope.js';

function scope(overrides: Partial<ScopeConfig> = {}): ScopeConfig {
  return scopeSchema.parse(overrides);
}

const pass: ScopeResult = { ok: true };
const fail = (reason: Exclude<ScopeResult, { ok: true }>['reason']): ScopeResult => ({ ok: false, reason });

interface Row {
  url: string;
  depth?: number;
  expected: ScopeResult;
}

function table(name: string, seeds: string[], config: Partial<ScopeConfig>, rows: Row[]): void {
  describe(name, () => {
    const rules = createScopeRules(seeds, scope(config));
    for (const row of rows) {
      const depth = row.depth ?? 1;
      const verdict = row.expected.ok ? 'ok' : row.expected.reason;
      test(`${row.url} @${depth} → ${verdict}`, () => {
        assert.deepEqual(checkScope(row.url, depth, rules), row.expected);
      });
    }
  });
}

table('mode same-host (default)', ['https://www.example.com/start'], {}, [
  { url: 'https://www.example.com/a', expected: pass },
  { url: 'http://www.example.com/a', expected: pass },
  { url: 'https://www.example.com:8443/a', expected: pass },
  { url: 'https://example.com/a', expected: fail('offsite') },
  { url: 'https://blog.example.com/a', expected: fail('offsite') },
  { url: 'https://www.example.com.evil.org/a', expected: fail('offsite') },
  { url: 'https://user@www.example.com/a', expected: pass },
]);

table('mode same-domain', ['https://a.example.co.uk/', 'http://127.0.0.1:8080/', 'https://me.github.io/'], { mode: 'same-domain' }, [
  { url: 'https://b.example.co.uk/x', expected: pass },
  { url: 'https://example.co.uk/x', expected: pass },
  { url: 'https://deep.sub.example.co.uk/x', expected: pass },
  { url: 'http://a.example.co.uk/x', expected: pass },
  { url: 'https://other.co.uk/x', expected: fail('offsite') },
  { url: 'https://example.co.uk.evil.com/x', expected: fail('offsite') },
  { url: 'https://example.com/x', expected: fail('offsite') },
  { url: 'http://127.0.0.1:9999/x', expected: pass },
  { url: 'http://127.0.0.2/x', expected: fail('offsite') },
  // github.io is a (private) public suffix: other users' sites are other domains
  { url: 'https://me.github.io/blog', expected: pass },
  { url: 'https://you.github.io/blog', expected: fail('offsite') },
]);

table('mode same-origin', ['https://example.com/', 'http://example.com:8080/'], { mode: 'same-origin' }, [
  { url: 'https://example.com/a', expected: pass },
  { url: 'http://example.com/a', expected: fail('offsite') },
  { url: 'http://example.com:8080/a', expected: pass },
  { url: 'https://example.com:8443/a', expected: fail('offsite') },
  { url: 'https://www.example.com/a', expected: fail('offsite') },
]);

table('mode any', ['https://example.com/'], { mode: 'any' }, [
  { url: 'https://anything.org/x', expected: pass },
  { url: 'http://10.0.0.1:81/x', expected: pass },
]);

table('IDN seeds compare in punycode', ['https://bücher.example/'], {}, [
  { url: 'https://xn--bcher-kva.example/a', expected: pass },
  { url: 'https://buecher.example/a', expected: fail('offsite') },
]);

table('include and exclude', ['https://site.com/'], {
  include: ['https://site.com/blog/**', '/\\/docs\\/v\\d+\\//'],
  exclude: ['**/*.pdf', '/[?&]print=/'],
}, [
  { url: 'https://site.com/blog/post-1', expected: pass },
  { url: 'https://site.com/docs/v2/intro', expected: pass },
  { url: 'https://site.com/docs/latest/intro', expected: fail('excluded') },
  { url: 'https://site.com/shop/item', expected: fail('excluded') },
  { url: 'https://site.com/blog/paper.pdf', expected: fail('excluded') },
  { url: 'https://site.com/blog/post-1?print=1', expected: fail('excluded') },
  { url: 'https://other.com/blog/post-1', expected: fail('offsite') },
]);

table('exclude only', ['https://site.com/'], { exclude: ['https://site.com/private/**'] }, [
  { url: 'https://site.com/public', expected: pass },
  { url: 'https://site.com/private', expected: fail('excluded') },
  { url: 'https://site.com/private/a/b', expected: fail('excluded') },
]);

table('depth', ['https://site.com/'], { maxDepth: 2 }, [
  { url: 'https://site.com/', depth: 0, expected: pass },
  { url: 'https://site.com/a', depth: 2, expected: pass },
  { url: 'https://site.com/a', depth: 3, expected: fail('depth') },
  { url: 'https://other.com/a', depth: 3, expected: fail('depth') },
]);

table('url length', ['https://site.com/'], { maxUrlLength: 30 }, [
  { url: 'https://site.com/123456789012', expected: pass }, // 29 chars
  { url: 'https://site.com/1234567890123', expected: pass }, // 30 chars
  { url: 'https://site.com/12345678901234', expected: fail('url-too-long') }, // 31 chars
]);

table('trap: repeated segments (max 3)', ['https://site.com/'], {}, [
  { url: 'https://site.com/a/b/a/b/a/b', expected: pass },
  { url: 'https://site.com/a/b/a/b/a/b/a/b', expected: fail('trap-repeated-segment') },
  { url: 'https://site.com/cal/cal/cal/cal', expected: fail('trap-repeated-segment') },
  { url: 'https://site.com/x/y/z/w/v/u/t/s', expected: pass },
  { url: 'https://site.com/a?p=/a/a/a/a/a', expected: pass },
  { url: 'https://site.com/a//a//a//b//', expected: pass },
]);

table('trap: stricter maxRepeatedSegments', ['https://site.com/'], { maxRepeatedSegments: 1 }, [
  { url: 'https://site.com/a/b/c', expected: pass },
  { url: 'https://site.com/a/b/a', expected: fail('trap-repeated-segment') },
]);

table('scheme', ['https://site.com/'], { mode: 'any' }, [
  { url: 'ftp://site.com/a', expected: fail('scheme') },
  { url: 'mailto:a@site.com', expected: fail('scheme') },
]);

describe('checkScope order of reasons', () => {
  const rules = createScopeRules(['https://site.com/'], scope({ maxDepth: 1, maxUrlLength: 40, exclude: ['**/x/**'] }));
  test('url-too-long before anything else', () => {
    assert.deepEqual(checkScope('https://other.com/x/x/x/x/x/x/x/x/x/x/x/x', 5, rules), fail('url-too-long'));
  });
  test('depth before offsite', () => {
    assert.deepEqual(checkScope('https://other.com/', 5, rules), fail('depth'));
  });
  test('offsite before trap and exclude', () => {
    assert.deepEqual(checkScope('https://other.com/x/x/x/x', 1, rules), fail('offsite'));
  });
  test('trap before exclude', () => {
    assert.deepEqual(checkScope('https://site.com/x/x/x/x', 1, rules), fail('trap-repeated-segment'));
  });
});

describe('createScopeRules', () => {
  test('invalid include pattern is a ConfigError naming the pattern', () => {
    assert.throws(
      () => createScopeRules(['https://site.com/'], scope({ include: ['**/ok', '/(bad/'] })),
      (err: unknown) => err instanceof ConfigError && err.field === 'scope.include[1]' && err.message.includes('"/(bad/"'),
    );
  });
  test('non-http seed is a ConfigError', () => {
    assert.throws(
      () => createScopeRules(['https://site.com/', 'ftp://site.com/'], scope()),
      (err: unknown) => err instanceof ConfigError && err.field === 'seeds[1]',
    );
  });
  test('the inputs workers receive are structured-clone-able and rebuild the same rules', () => {
    const seeds = ['https://a.example.co.uk/'];
    const config = scope({ mode: 'same-domain', exclude: ['**/*.pdf', '/\\?print/'] });
    const [clonedSeeds, clonedConfig] = structuredClone([seeds, config] as const);
    const rules = createScopeRules(clonedSeeds, clonedConfig);
    assert.deepEqual(checkScope('https://b.example.co.uk/a', 1, rules), pass);
    assert.deepEqual(checkScope('https://b.example.co.uk/a.pdf', 1, rules), fail('excluded'));
    assert.deepEqual(checkScope('https://b.example.co.uk/a?print', 1, rules), fail('excluded'));
  });
});

describe('helpers', () => {
  test('registrableDomain', () => {
    assert.equal(registrableDomain('a.b.example.co.uk'), 'example.co.uk');
    assert.equal(registrableDomain('example.com'), 'example.com');
    assert.equal(registrableDomain('me.github.io'), 'me.github.io');
    assert.equal(registrableDomain('localhost'), 'localhost');
    assert.equal(registrableDomain('127.0.0.1'), '127.0.0.1');
  });
  test('hasRepeatedSegment', () => {
    assert.equal(hasRepeatedSegment('/a/a/a', 3), false);
    assert.equal(hasRepeatedSegment('/a/a/a/a', 3), true);
    assert.equal(hasRepeatedSegment('/', 3), false);
  });
});

describe('the public suffix list is loaded only for same-domain scope', () => {
  // In a fresh process, so no other test has loaded it already.
  const loadsTldts = (mode: string): boolean => {
    const scopeUrl = new URL('../../src/url/scope.js', import.meta.url).href;
    const script = `
      import { createRequire } from 'node:module';
      const { createScopeRules, checkScope } = await import(${JSON.stringify(scopeUrl)});
      const rules = createScopeRules(['https://www.example.co.uk/'], { mode: ${JSON.stringify(mode)}, include: [], exclude: [], maxDepth: 5, maxUrlLength: 2000, maxRepeatedSegments: 3 });
      checkScope('https://shop.example.co.uk/a', 1, rules);
      const cache = createRequire(import.meta.url).cache;
      console.log(Object.keys(cache).some((file) => file.includes('tldts')));`;
    return execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).trim() === 'true';
  };
  test('same-host: not loaded', () => assert.equal(loadsTldts('same-host'), false));
  test('same-domain: loaded', () => assert.equal(loadsTldts('same-domain'), true));
});
