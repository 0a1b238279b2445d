import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { configChanges, scopeChanges } from '../../src/config/config-changes.js';
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
