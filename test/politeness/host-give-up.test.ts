/**
 * HostGiveUp keeps bounded per-host state for broad crawls: records of the
 * most recently met hosts only, every host given up remembered (as a
 * fingerprint), the reasons of the most recent ones word for word.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { FORGOTTEN_REASON, HostGiveUp } from '../../src/politeness/host-give-up.js';
import { HostLru } from '../../src/politeness/host-lru.js';

describe('HostGiveUp', () => {
  test('counts failures in a row, ended by a success, and gives up at maxFailures', () => {
    const hosts = new HostGiveUp(3);
    assert.equal(hosts.failed('a.test', 'ETIMEDOUT'), undefined);
    assert.equal(hosts.failed('a.test', 'ETIMEDOUT'), undefined);
    hosts.answered('a.test', true);
    assert.equal(hosts.failures('a.test'), 0);
    hosts.failed('a.test', 'x');
    hosts.failed('a.test', 'x');
    assert.equal(hosts.failed('a.test', '503'), '3 consecutive failures (last: 503)');
    assert.ok(hosts.giveUp('a.test', 'three strikes'));
    assert.equal(hosts.giveUp('a.test', 'again'), false, 'the first reason stays');
    assert.equal(hosts.reason('a.test'), 'three strikes');
    assert.equal(hosts.reason('b.test'), undefined);
  });

  test('50,000 hosts met: records of the most recent ones only; every host given up stays given up', () => {
    const hosts = new HostGiveUp(10, 1_000);
    for (let i = 0; i < 50_000; i++) {
      const host = `h${i}.test`;
      hosts.answered(host, false);
      hosts.firstWarning(host);
      if (i % 10 === 0) hosts.giveUp(host, `dead ${i}`);
    }
    assert.ok(hosts.size <= 1_000, `${hosts.size} records held`);
    assert.equal(hosts.reason('h49990.test'), 'dead 49990', 'a recent reason, word for word');
    assert.equal(hosts.reason('h10.test'), FORGOTTEN_REASON, 'an old one: still given up');
    for (let i = 0; i < 50_000; i += 10) assert.notEqual(hosts.reason(`h${i}.test`), undefined, `h${i}.test`);
    assert.equal(hosts.reason('h11.test'), undefined);
    assert.equal(hosts.hasAnswered('h49999.test'), true);
    assert.equal(hosts.hasAnswered('h1.test'), false, 'forgotten: met again, it starts afresh');
    assert.equal(hosts.firstWarning('h1.test'), true);
    assert.equal(hosts.firstWarning('h49999.test'), false);
  });
});

describe('HostLru', () => {
  test('keeps the most recently used hosts up to its bound', () => {
    const lru = new HostLru<number>(3);
    for (const [i, host] of ['a', 'b', 'c'].entries()) lru.set(host, i);
    assert.equal(lru.get('a'), 0, 'a is now the most recent');
    lru.set('d', 3);
    assert.deepEqual(['a', 'b', 'c', 'd'].map((h) => lru.has(h)), [true, false, true, true]);
    assert.equal(lru.size, 3);
  });
});
