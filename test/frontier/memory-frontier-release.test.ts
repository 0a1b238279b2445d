/**
 * MemoryFrontier's host release of a host it forgot (the rest of releaseHost
 * is in the frontier contract, for every frontier) and the order of ready
 * hosts (a host with a delay goes before hosts without one).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFrontier } from '../../src/frontier/memory-frontier.js';
import { req, T0 } from './frontier-contract.js';

const paths = (leases: { request: { key: string } }[]): string[] => leases.map((l) => new URL(l.request.key).pathname.slice(1));

describe('MemoryFrontier.releaseHost', () => {
  test('a released host forgotten and met again keeps its new state when the old page completes', async () => {
    const f = new MemoryFrontier({ maxPages: 100, hostPolicy: { delayMs: 0, parallelism: 1 } });
    await f.add([req('a.test', '1')]);
    const [one] = await f.lease(10, T0);
    await f.releaseHost(one!, { nowMs: T0 });
    assert.equal((await f.stats()).hosts, 0, 'nothing queued or in flight: forgotten');
    await f.add([req('a.test', '2'), req('a.test', '3')]);
    const [two] = await f.lease(10, T0);
    await f.complete(one!, 'ok', { nowMs: T0 });
    assert.deepEqual(await f.lease(10, T0), [], 'request 2 still holds the host');
    await f.retry(two!, T0, T0);
    assert.equal((await f.lease(10, T0)).length, 1);
  });
});

describe('MemoryFrontier host order', () => {
  test('a ready host with a delay goes before ready hosts without one; those keep their turns', async () => {
    const f = new MemoryFrontier({ maxPages: 1000, hostPolicy: { delayMs: 0, parallelism: 1 } });
    const plain = Array.from({ length: 50 }, (_, i) => `h${i}.test`);
    await f.add(plain.flatMap((h) => ['1', '2'].map((p) => req(h, p))));
    await f.add(['1', '2', '3'].map((p) => req('spaced.test', p)));
    await f.setHostPolicy('spaced.test', { delayMs: 500 });
    const first = await f.lease(1, T0);
    assert.equal(first[0]!.host, 'spaced.test', 'first, although added last');
    const rest = await f.lease(100, T0);
    assert.deepEqual(rest.map((l) => l.host), plain, 'then the others, in turn');
    await f.complete(first[0]!, 'ok', { nowMs: T0 + 10 });
    for (const lease of rest) await f.complete(lease, 'ok', { nowMs: T0 + 10 });
    assert.equal((await f.lease(1, T0 + 509))[0]!.host, 'h0.test', 'before its delay, the spaced host waits');
    assert.equal((await f.lease(1, T0 + 510))[0]!.host, 'spaced.test', 'once ready, it goes before the 49 waiting hosts');
  });
});

describe('MemoryFrontier redirect claims', () => {
  test('a claim is kept while its request may claim again, and forgotten once the request is done', async () => {
    const f = new MemoryFrontier({ maxPages: 100, hostPolicy: { delayMs: 0, parallelism: 4 } });
    await f.add([req('a.test', 'old')]);
    const claim = () => f.claimRedirect({ ...req('a.test', 'new', 1, { source: 'link' }), redirectOf: 'http://a.test/old' });
    assert.deepEqual(await claim(), { ok: true });
    const [lease] = await f.lease(1, T0);
    await f.retry(lease!, T0, T0);
    assert.deepEqual(await claim(), { ok: true }, 'its retry claims the same target');
    const [again] = await f.lease(1, T0);
    await f.complete(again!, 'ok', { nowMs: T0 });
    assert.deepEqual(await claim(), { ok: false, reason: 'duplicate' }, 'done: the claim is forgotten, the target stays seen');
    assert.equal((await f.stats()).seen, 2);
  });

  test('a restore keeps the claims of requests not done only', async () => {
    const journal = [req('a.test', 'old'), { ...req('a.test', 'new', 1, { source: 'link' }), redirectOf: 'http://a.test/old' }];
    const claim = { ...req('a.test', 'new', 1, { source: 'link' as const }), redirectOf: 'http://a.test/old' };
    const options = { maxPages: 100, hostPolicy: { delayMs: 0, parallelism: 4 } };
    const undone = await MemoryFrontier.restore(options, journal, () => false, 0);
    assert.deepEqual(await undone.claimRedirect(claim), { ok: true }, 'the old request comes back and may follow its redirect again');
    const done = await MemoryFrontier.restore(options, journal, (key) => key === 'http://a.test/old', 1);
    assert.deepEqual(await done.claimRedirect(claim), { ok: false, reason: 'duplicate' });
  });
});
