import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FingerprintSet, urlFingerprint } from '../../src/frontier/fingerprint-set.js';

describe('urlFingerprint', () => {
  test('is XXH64 (seed 0) of the UTF-8 bytes', () => {
    assert.equal(urlFingerprint(''), 0xef46db3751d8e999n);
    assert.equal(urlFingerprint('a'), 0xd24ec4f1a98c6e5bn);
    assert.notEqual(urlFingerprint('http://a.test/é'), urlFingerprint('http://a.test/e'));
  });
});

describe('FingerprintSet', () => {
  test('add is true once per URL, has and size follow', () => {
    const set = new FingerprintSet();
    assert.equal(set.add('http://a.test/'), true);
    assert.equal(set.add('http://a.test/'), false);
    assert.equal(set.add('http://a.test/x'), true);
    assert.equal(set.has('http://a.test/x'), true);
    assert.equal(set.has('http://a.test/y'), false);
    assert.equal(set.size, 2);
  });

  test('200,000 URLs through several growths: all kept, no stranger taken as seen, ~8-23 bytes a URL', () => {
    const set = new FingerprintSet(16);
    const n = 200_000;
    for (let i = 0; i < n; i++) assert.equal(set.add(`http://h${i % 997}.test/p/${i}`), true);
    assert.equal(set.size, n);
    for (let i = 0; i < n; i++) if (!set.has(`http://h${i % 997}.test/p/${i}`)) assert.fail(`lost ${i}`);
    let strangers = 0;
    for (let i = n; i < 2 * n; i++) if (set.has(`http://h${i % 997}.test/p/${i}`)) strangers++;
    assert.equal(strangers, 0);
    const perUrl = set.bytes / n;
    assert.ok(perUrl >= 8 && perUrl <= 23, `${perUrl.toFixed(1)} bytes a URL`);
  });
});
