import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { configChanges, mayWiden, scopeChanges } from '../../src/config/config-changes.js';
import { validateConfig } from '../../src/config/load-config.js';

describe('configChanges', () => {
  test('leaf by leaf, arrays compared by value', () => {
    const before = { a: 1, b: { c: [1, 2], d: 'x' }, e: true };
    const after = { a: 1, b: { c: [1, 2, 3], d: 'y' }, f: 2 };
    assert.deepEqual(configChanges(before, after), [
      { path: 'b.c', before: [1, 2], after: [1, 2, 3] },
      { path: 'b.d', before: 'x', after: 'y' },
      { path: 'f', before: undefined, after: 2 },
      { path: 'e', before: true, after: undefined },
    ]);
    assert.deepEqual(configChanges(before, structuredClone(before)), []);
  });

  test('scopeChanges: scope settings and seeds, not fetch or limits', () => {
    const before = validateConfig({ seeds: ['https://a.test/'] });
    const after = validateConfig({ seeds: ['https://a.test/', 'https://b.test/'], scope: { maxDepth: 4, maxPages: 5 }, fetch: { concurrency: 3 } });
    assert.deepEqual(scopeChanges(before, after).map((c) => c.path), ['scope.maxDepth', 'seeds']);
  });
});

describe('mayWiden', () => {
  const rows: Array<[string, unknown, unknown, boolean]> = [
    ['scope.maxDepth', 2, 4, true],
    ['scope.maxDepth', 4, 2, false],
    ['scope.maxUrlLength', 2048, 100, false],
    ['scope.exclude', ['**/a/**'], [], true],
    ['scope.exclude', ['**/a/**'], ['**/a/**', '**/b/**'], false],
    ['scope.exclude', ['**/a/**'], ['**/b/**'], true],
    ['scope.include', [], ['**/a/**'], false],
    ['scope.include', ['**/a/**'], [], true],
    ['scope.include', ['**/a/**', '**/b/**'], ['**/a/**'], false],
    ['scope.include', ['**/a/**'], ['**/b/**'], true],
    ['scope.mode', 'same-host', 'same-origin', true],
    ['seeds', ['https://a.test/'], ['https://a.test/', 'https://b.test/'], true],
  ];
  for (const [path, before, after, widens] of rows) {
    test(`${path} ${JSON.stringify(before)} → ${JSON.stringify(after)}: ${widens ? 'may widen' : 'only narrows'}`, () => {
      assert.equal(mayWiden({ path, before, after }), widens);
    });
  }
});
