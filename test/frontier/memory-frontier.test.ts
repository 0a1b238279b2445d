import { test, describe } from 'node:test';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import assert from 'node:assert/strict';
import type { CrawlRequest } from '../../src/core/types.js';
import { MemoryFrontier, type FrontierJournal } from '../../src/frontier/memory-frontier.js';
import { frontierContract, req, T0 } from './frontier-contract.js';
import { tempDirs } from '../helpers/crawl-helpers.js';

frontierContract('MemoryFrontier', async (options) => ({ frontier: new MemoryFrontier(options), cleanup: async () => {} }));

/** A journal that keeps what it was given, to check what the frontier records. */
function memoryJournal(): FrontierJournal & { batches: CrawlRequest[][]; flushes: number } {
  const journal = {
    batches: [] as CrawlRequest[][],
    flushes: 0,
    record(requests: CrawlRequest[]) {
      journal.batches.push([...requests]);
    },
    async flush() {
      journal.flushes++;
    },
  };
  return journal;
}

const keys = (requests: CrawlRequest[]): string[] => requests.map((r) => r.key);
const policy = { delayMs: 0, parallelism: 10 };

describe('MemoryFrontier journal', () => {
  test('records every accepted request once, in order, and flushes through', async () => {
    const journal = memoryJournal();
    const f = new MemoryFrontier({ maxPages: 100, hostPolicy: policy, journal });
    await f.add([req('a.test', '1'), req('a.test', '2'), req('a.test', '1')]);
    await f.add([req('a.test', '2')]);
    await f.add([req('b.test', '1')]);
    assert.deepEqual(journal.batches.map(keys), [['http://a.test/1', 'http://a.test/2'], ['http://b.test/1']]);
    assert.equal(journal.flushes, 0);
    await f.flush();
    assert.equal(journal.flushes, 1);
  });

  test('retries and lease expiries are not journalled again', async () => {
    const journal = memoryJournal();
    const f = new MemoryFrontier({ maxPages: 100, hostPolicy: policy, leaseMs: 10, journal });
    await f.add([req('a.test', '1'), req('a.test', '2')]);
    const [l1, l2] = await f.lease(2, T0);
    await f.retry(l1!, T0);
    assert.equal((await f.lease(5, T0 + 10)).length, 2, 'the retry and the expired lease come back');
    assert.equal(l2!.expiresAt, T0 + 10);
    assert.equal(journal.batches.length, 1);
  });
});

describe('MemoryFrontier.restore', () => {
  const journalled = [
    req('a.test', '1'),
    req('a.test', '2', 1),
    req('b.test', '1'),
    req('a.test', '1'), // a journal may hold a key twice (e.g. written around a crash)
    req('c.test', '1', 2),
  ];

  test('rebuilds seen and queues, counts done pages, records nothing', async () => {
    const journal = memoryJournal();
    const done = new Set(['http://a.test/1', 'http://c.test/1']);
    const f = await MemoryFrontier.restore({ maxPages: 100, hostPolicy: policy, journal }, journalled, (k) => done.has(k), 2);
    assert.deepEqual(await f.stats(), { queued: 2, leased: 0, done: 2, fetched: 2, seen: 4, hosts: 2, hostsInBackoff: 0 });
    assert.equal(journal.batches.length, 0, 'restore does not re-record');
    assert.deepEqual(await f.add([req('a.test', '1'), req('c.test', '1'), req('d.test', '1')]), [
      { ok: false, reason: 'duplicate' },
      { ok: false, reason: 'duplicate' },
      { ok: true },
    ]);
    assert.deepEqual(journal.batches.map(keys), [['http://d.test/1']], 'new requests are recorded as usual');
    const leases = await f.lease(10, T0);
    assert.deepEqual(keys(leases.map((l) => l.request)).sort(), ['http://a.test/2', 'http://b.test/1', 'http://d.test/1']);
  });

  test('redirect claims are journalled and restored as seen, never queued; a seed\'s claim as a seed redirect', async () => {
    const journal = memoryJournal();
    const f = new MemoryFrontier({ maxPages: 100, hostPolicy: policy, journal });
    await f.add([req('a.test', ''), req('a.test', 'old', 1)]);
    await f.claimRedirect({ ...req('www.a.test', ''), redirectOf: 'http://a.test/' });
    await f.claimRedirect({ ...req('www.a.test', 'new', 1), redirectOf: 'http://a.test/old' });
    assert.deepEqual(journal.batches.map(keys), [['http://a.test/', 'http://a.test/old'], ['http://www.a.test/'], ['http://www.a.test/new']]);
    const again = await MemoryFrontier.restore({ maxPages: 100, hostPolicy: policy }, journal.batches.flat(), () => false, 0);
    assert.deepEqual([(await again.stats()).seen, (await again.stats()).queued], [4, 2], 'claims are seen, not queued (the store never holds their keys)');
    assert.deepEqual(await again.seedRedirects(), ['http://www.a.test/']);
    assert.deepEqual(await again.claimRedirect({ ...req('www.a.test', 'new', 1), redirectOf: 'http://a.test/old' }), { ok: true }, 'its claimer, fetched again after the resume');
    assert.deepEqual(await again.add([req('www.a.test', 'new', 2)]), [{ ok: false, reason: 'duplicate' }]);
  });

  test('done pages count toward maxPages', async () => {
    async function* stream(): AsyncIterable<CrawlRequest> {
      for (const r of journalled) yield r;
    }
    const f = await MemoryFrontier.restore({ maxPages: 3, hostPolicy: policy }, stream(), (k) => k === 'http://a.test/1', 2);
    const leases = await f.lease(10, T0);
    assert.equal(leases.length, 1, 'only 3 - 2 pages left in the budget');
    await f.complete(leases[0]!, 'ok');
    assert.equal(await f.isDone(), true);
    assert.equal((await f.stats()).queued, 2);
  });

  test('only the done pages that were fetched count toward maxPages', async () => {
    const f = await MemoryFrontier.restore({ maxPages: 3, hostPolicy: policy }, journalled, (k) => k === 'http://a.test/1' || k === 'http://c.test/1', 2, 1);
    const leases = await f.lease(10, T0);
    assert.equal(leases.length, 2, '3 - 1 fetched page left in the budget');
    assert.deepEqual(await f.stats().then((s) => [s.done, s.fetched]), [2, 1]);
  });
});

describe('MemoryFrontier at scale', () => {
  test('10,000 hosts: backed-off hosts never block the one ready host', async () => {
    const f = new MemoryFrontier({ maxPages: 1_000_000, hostPolicy: { delayMs: 1000, parallelism: 1 } });
    const requests: CrawlRequest[] = [];
    for (let h = 0; h < 10_000; h++) for (let p = 0; p < 3; p++) requests.push(req(`h${h}.test`, String(p)));
    await f.add(requests);
    for (let h = 1; h < 10_000; h++) await f.backoffHost(`h${h}.test`, T0 + 60_000);
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const leases = await f.lease(100, T0 + i * 1000);
      assert.equal(leases.length, 1);
      seen.push(leases[0]!.request.key);
      await f.complete(leases[0]!, 'ok', { nowMs: T0 + i * 1000 });
    }
    assert.deepEqual(seen, ['http://h0.test/0', 'http://h0.test/1', 'http://h0.test/2']);
    const all = await f.lease(100_000, T0 + 60_000);
    assert.equal(all.length, 9_999, 'one per host when the backoff ends');
    assert.equal(await f.nextReadyAt(T0 + 60_000), T0 + 60_000 + 120_000, 'every host is busy: the first lease expiry');
    await f.complete(all[500]!, 'ok', { nowMs: T0 + 60_000 });
    assert.equal(await f.nextReadyAt(T0 + 60_000), T0 + 61_000, 'a freed host may go after its delay');
  });
});

describe('MemoryFrontier per-host memory', () => {
  test('100,000 hosts crawled and done: no host state left behind', async () => {
    const f = new MemoryFrontier({ maxPages: 1_000_000, hostPolicy: { delayMs: 0, parallelism: 2 } });
    await f.add(Array.from({ length: 100_000 }, (_, h) => req(`h${h}.test`, '0')));
    assert.equal((await f.stats()).hosts, 100_000);
    let leased = 0;
    for (let round = 0; round < 100; round++) {
      const leases = await f.lease(1_000, T0);
      leased += leases.length;
      for (const lease of leases) await f.complete(lease, 'ok', { nowMs: T0 });
    }
    assert.equal(leased, 100_000);
    const stats = await f.stats();
    assert.deepEqual([stats.hosts, stats.queued, stats.done, stats.seen], [0, 0, 100_000, 100_000]);
    assert.equal(await f.isDone(), true);
  });

  test("an evicted host keeps its Crawl-delay, its spacing and its backoff", async () => {
    const f = new MemoryFrontier({ maxPages: 100, hostPolicy: { delayMs: 0, parallelism: 4 } });
    await f.add([req('slow.test', '1'), req('busy.test', '1')]);
    await f.setHostPolicy('slow.test', { delayMs: 1000 });
    const [a, b] = await f.lease(10, T0);
    await f.complete(a!, 'ok', { nowMs: T0 + 100 });
    await f.complete(b!, 'ok', { nowMs: T0 + 100 });
    assert.equal((await f.stats()).hosts, 0, 'both hosts idle, so evicted');
    await f.backoffHost('busy.test', T0 + 5000);
    await f.add([req('slow.test', '2'), req('slow.test', '3'), req('busy.test', '2')]);
    assert.deepEqual(await f.lease(10, T0 + 1099), [], 'the Crawl-delay from the previous end still holds, so does the backoff');
    const [next] = await f.lease(10, T0 + 1100);
    assert.equal(next?.request.key, 'http://slow.test/2');
    assert.deepEqual(await f.lease(10, T0 + 1100), [], 'one at a time for a host with a delay');
    await f.complete(next!, 'ok', { nowMs: T0 + 1200 });
    assert.equal(await f.nextReadyAt(T0 + 1200), T0 + 2200);
    assert.equal((await f.lease(10, T0 + 5000)).length, 2, 'slow.test/3 and busy.test/2');
  });
});

describe('MemoryFrontier over its memory budget', () => {
  const newDir = tempDirs('skein-spill-');

  test('requests past the memory budget wait on disk and all come back, once each, oldest first', async () => {
    const dir = await newDir();
    const f = new MemoryFrontier({ maxPages: 1_000_000, hostPolicy: { delayMs: 0, parallelism: 100 }, spill: { dir, budgetBytes: 100 * 700 } });
    const all = Array.from({ length: 5_000 }, (_, i) => req(`h${i % 50}.test`, String(i)));
    for (let i = 0; i < all.length; i += 250) await f.add(all.slice(i, i + 250));
    assert.equal((await f.stats()).queued, 5_000);
    const leased: string[] = [];
    let spilledBytes = 0;
    for (let rounds = 0; !(await f.isDone()); rounds++) {
      assert.ok(rounds < 10_000, 'drains in bounded rounds');
      const leases = await f.lease(1_000, T0);
      for (const lease of leases) {
        leased.push(lease.request.key);
        await f.complete(lease, 'ok', { nowMs: T0 });
      }
      if (leases.length === 0) {
        assert.ok((await f.nextReadyAt(T0)) !== undefined, 'something is on its way back');
        await delay(5);
      }
      spilledBytes = Math.max(spilledBytes, (await stat(join(dir, 'queue.tsv')).catch(() => ({ size: 0 }))).size);
    }
    assert.ok(spilledBytes > 4_800 * 25, `${spilledBytes} bytes spilled`);
    assert.equal(leased.length, 5_000);
    assert.equal(new Set(leased).size, 5_000, 'each request once');
    assert.deepEqual(leased.slice(-10), all.slice(-10).map((r) => r.key), 'the last added came back last');
    assert.equal((await f.stats()).queued, 0);
    await f.close();
    assert.equal(await stat(join(dir, 'queue.tsv')).catch(() => 'gone'), 'gone', 'the spill file is removed at close');
  });
});

describe('MemoryFrontier.restore with many hosts and a small budget', () => {
  const newDir = tempDirs('skein-restore-spill-');

  test('20,000 hosts journalled: the undone requests come back once each, through the spill file', async () => {
    const journalled = Array.from({ length: 40_000 }, (_, i) => req(`h${i % 20_000}.test`, String(i)));
    const done = new Set(journalled.filter((_, i) => i % 7 === 0).map((r) => r.key));
    const spill = { dir: await newDir(), budgetBytes: 2_000 * 700 };
    const f = await MemoryFrontier.restore({ maxPages: 1_000_000, hostPolicy: policy, spill }, journalled, (key) => done.has(key), done.size);
    assert.equal((await f.stats()).queued, journalled.length - done.size);
    const leased = new Set<string>();
    for (let rounds = 0; !(await f.isDone()); rounds++) {
      assert.ok(rounds < 20_000, 'drains in bounded rounds');
      const leases = await f.lease(5_000, T0);
      for (const lease of leases) {
        assert.ok(!leased.has(lease.request.key) && !done.has(lease.request.key), lease.request.key);
        leased.add(lease.request.key);
        await f.complete(lease, 'ok', { nowMs: T0 });
      }
      if (leases.length === 0) await delay(5);
    }
    assert.equal(leased.size, journalled.length - done.size);
    assert.equal((await f.stats()).hosts, 0, 'every host forgotten once done');
    await f.close();
  });
});

describe('MemoryFrontier crawl order across hosts', () => {
  /** Leases one request at a time at `nowMs` and completes it, returning `host/path` in lease order. */
  async function leaseOneByOne(f: MemoryFrontier, count: number, nowMs = T0): Promise<string[]> {
    const order: string[] = [];
    for (let i = 0; i < count; i++) {
      const [lease] = await f.lease(1, nowMs);
      if (!lease) break;
      order.push(`${lease.host}${new URL(lease.request.key).pathname}`);
      await f.complete(lease, 'ok', { nowMs });
    }
    return order;
  }

  test('a host met for the first time goes before more pages of hosts already crawling', async () => {
    const f = new MemoryFrontier({ maxPages: 100, hostPolicy: policy });
    await f.add(['1', '2', '3', '4', '5'].flatMap((p) => [req('a.test', p, 1), req('b.test', p, 1)]));
    assert.deepEqual(await leaseOneByOne(f, 2), ['a.test/1', 'b.test/1']);
    await f.add([req('new.test', '1', 7), req('new.test', '2', 7), req('new.test', '3', 7)]);
    // Its first request goes ahead of the others' next ones (even deeper); served as much, the three take turns.
    assert.deepEqual(await leaseOneByOne(f, 9), ['new.test/1', 'a.test/2', 'b.test/2', 'new.test/2', 'a.test/3', 'b.test/3', 'new.test/3', 'a.test/4', 'b.test/4']);
  });

  test('hosts served as much take turns (round-robin), and a backed-off host waits', async () => {
    const f = new MemoryFrontier({ maxPages: 100, hostPolicy: policy });
    await f.add(['1', '2', '3'].flatMap((p) => [req('a.test', p, 1), req('b.test', p, 1), req('c.test', p, 1)]));
    await f.backoffHost('c.test', T0 + 1_000);
    assert.deepEqual(await leaseOneByOne(f, 6), ['a.test/1', 'b.test/1', 'a.test/2', 'b.test/2', 'a.test/3', 'b.test/3']);
    assert.deepEqual(await leaseOneByOne(f, 6, T0 + 1_000), ['c.test/1', 'c.test/2', 'c.test/3']);
  });

  test('a ready host with a Crawl-delay goes before shallower requests of hosts without one', async () => {
    const f = new MemoryFrontier({ maxPages: 100, hostPolicy: policy });
    await f.add([req('slow.test', '1', 5), req('slow.test', '2', 5), req('fast.test', '1', 1), req('fast.test', '2', 1)]);
    await f.setHostPolicy('slow.test', { delayMs: 1_000 });
    assert.deepEqual(await leaseOneByOne(f, 3), ['slow.test/1', 'fast.test/1', 'fast.test/2']);
    assert.deepEqual(await leaseOneByOne(f, 1, T0 + 1_000), ['slow.test/2']);
  });
});
