/**
 * The one contract every `Frontier` passes (memory and Redis). Time is always
 * passed explicitly (`nowMs`), never slept on, so the suite is deterministic.
 */
import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { CrawlRequest, Lease } from '../../src/core/types.js';
import type { Frontier, FrontierOptions } from '../../src/frontier/frontier.js';

export type MakeFrontier = (options: FrontierOptions) => Promise<{ frontier: Frontier; cleanup(): Promise<void> }>;

/** A fixed clock far from the real one: anything keyed to Date.now() instead of nowMs shows up. */
export const T0 = 1_500_000_000_000;

/** A request for `http://<host>/<path>`. */
export function req(host: string, path: string, depth = 0, extra: Partial<CrawlRequest> = {}): CrawlRequest {
  const key = `http://${host}/${path}`;
  return { key, url: key, depth, source: depth === 0 ? 'seed' : 'link', ...extra };
}

const pathOf = (r: CrawlRequest): string => new URL(r.key).pathname.slice(1);
const paths = (leases: Lease[]): string[] => leases.map((l) => pathOf(l.request));
const hostsOf = (leases: Lease[]): string[] => leases.map((l) => l.host);

export function frontierContract(name: string, make: MakeFrontier): void {
  describe(`Frontier contract: ${name}`, () => {
    let cleanups: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const c of cleanups) await c();
      cleanups = [];
    });
    async function open(options: Partial<FrontierOptions> = {}): Promise<Frontier> {
      const made = await make({ maxPages: 1000, hostPolicy: { delayMs: 0, parallelism: 100 }, leaseMs: 60_000, ...options });
      cleanups.push(async () => {
        await made.frontier.close();
        await made.cleanup();
      });
      return made.frontier;
    }

    test('dedups by key over everything ever added', async () => {
      const f = await open();
      assert.deepEqual(await f.add([req('a.test', '1'), req('a.test', '2'), req('a.test', '1')]), [
        { ok: true },
        { ok: true },
        { ok: false, reason: 'duplicate' },
      ]);
      const leases = await f.lease(10, T0);
      assert.equal(leases.length, 2);
      for (const l of leases) await f.complete(l, 'ok');
      assert.deepEqual(await f.add([req('a.test', '2', 3), req('a.test', '3')]), [{ ok: false, reason: 'duplicate' }, { ok: true }]);
      assert.equal((await f.stats()).seen, 3);
    });

    test('hands out a host in BFS order: depth, then priority, then insertion', async () => {
      const f = await open({ hostPolicy: { delayMs: 0, parallelism: 1 } });
      await f.add([
        req('a.test', 'd2', 2),
        req('a.test', 'd1-first', 1),
        req('a.test', 'd0', 0),
        req('a.test', 'd1-p-1', 1, { priority: -1 }),
        req('a.test', 'd1-second', 1),
        req('a.test', 'd1-p5', 1, { priority: 5 }),
      ]);
      await f.add([req('a.test', 'd0-late', 0)]);
      const order: string[] = [];
      for (let i = 0; i < 7; i++) {
        const [lease] = await f.lease(5, T0 + i);
        assert.ok(lease, `lease ${i}`);
        order.push(...paths([lease]));
        await f.complete(lease, 'ok');
      }
      assert.deepEqual(order, ['d0', 'd0-late', 'd1-p-1', 'd1-first', 'd1-second', 'd1-p5', 'd2']);
    });

    test('keeps at most `parallelism` requests in flight per host', async () => {
      const f = await open({ hostPolicy: { delayMs: 0, parallelism: 2 } });
      await f.add(['1', '2', '3', '4', '5'].map((p) => req('a.test', p)));
      const first = await f.lease(10, T0);
      assert.deepEqual(paths(first), ['1', '2']);
      assert.deepEqual(await f.lease(10, T0 + 1), []);
      await f.complete(first[0]!, 'ok');
      assert.deepEqual(paths(await f.lease(10, T0 + 2)), ['3']);
      await f.setHostPolicy('a.test', { parallelism: 4 });
      assert.deepEqual(paths(await f.lease(10, T0 + 3)), ['4', '5']);
    });

    test('spaces request starts to a host by delayMs and reports when it is ready', async () => {
      const f = await open({ hostPolicy: { delayMs: 1000, parallelism: 10 } });
      await f.add(['1', '2', '3'].map((p) => req('a.test', p)));
      assert.equal(await f.nextReadyAt(T0), T0);
      const [one] = await f.lease(10, T0);
      assert.deepEqual(paths([one!]), ['1']);
      await f.complete(one!, 'ok', { nowMs: T0 + 10 });
      assert.equal(await f.nextReadyAt(T0 + 10), T0 + 1010, 'the delay also runs from the end of the previous request');
      assert.deepEqual(await f.lease(10, T0 + 1009), []);
      const [two] = await f.lease(10, T0 + 1010);
      assert.deepEqual(paths([two!]), ['2']);
      await f.complete(two!, 'ok', { nowMs: T0 + 1010 });
      await f.setHostPolicy('a.test', { delayMs: 5000 });
      assert.deepEqual(await f.lease(10, T0 + 2009), [], 'the spacing already set still holds');
      const [three] = await f.lease(10, T0 + 2010);
      assert.deepEqual(paths([three!]), ['3']);
      await f.complete(three!, 'ok', { nowMs: T0 + 2010 });
      await f.add([req('a.test', '4')]);
      assert.equal(await f.nextReadyAt(T0 + 2011), T0 + 2010 + 5000, 'the new delay spaces the next start');
    });

    test('a host with a delay gets one request at a time, the next one the delay after the previous ended', async () => {
      const f = await open({ hostPolicy: { delayMs: 1000, parallelism: 10 } });
      await f.add(['1', '2', '3'].map((p) => req('a.test', p)));
      const first = await f.lease(10, T0);
      assert.deepEqual(paths(first), ['1'], 'parallelism 10, but one in flight');
      assert.deepEqual(await f.lease(10, T0 + 5000), [], 'a slow request holds the host past its delay');
      await f.retry(first[0]!, T0, T0 + 5000);
      assert.deepEqual(await f.lease(10, T0 + 5999), []);
      assert.equal((await f.lease(10, T0 + 6000)).length, 1, 'a retry also ends a request');
      await f.setHostPolicy('a.test', { delayMs: 0 });
      await f.add([req('a.test', '4')]);
      assert.equal((await f.lease(10, T0 + 7000)).length, 3, 'without a delay, parallelism applies again');
    });

    test('a backed-off host waits while other hosts go on (no head-of-line blocking)', async () => {
      const f = await open();
      await f.add([...['1', '2', '3'].map((p) => req('slow.test', p)), req('b.test', '1'), req('c.test', '1')]);
      await f.backoffHost('slow.test', T0 + 5000);
      const leases = await f.lease(10, T0);
      assert.deepEqual(hostsOf(leases).sort(), ['b.test', 'c.test']);
      assert.equal(await f.nextReadyAt(T0), T0 + 5000);
      await f.backoffHost('slow.test', T0 + 100); // an earlier time never shortens the backoff
      assert.deepEqual(await f.lease(10, T0 + 4999), []);
      assert.deepEqual(paths(await f.lease(10, T0 + 5000)), ['1', '2', '3']);
    });

    test('hosts take turns (round-robin) among the ready ones', async () => {
      const f = await open();
      const hosts = ['a.test', 'b.test', 'c.test'];
      await f.add(hosts.flatMap((h) => ['1', '2', '3'].map((p) => req(h, p))));
      const first = await f.lease(3, T0);
      assert.deepEqual(hostsOf(first).sort(), hosts);
      const next = await f.lease(4, T0);
      assert.deepEqual(hostsOf(next).slice(0, 3).sort(), hosts);
      assert.deepEqual(hostsOf(await f.lease(10, T0)).sort(), ['a.test', 'b.test', 'c.test'].filter((h) => h !== next[3]!.host));
    });

    test('maxPages is never exceeded, even by many concurrent lease calls', async () => {
      const f = await open({ maxPages: 10 });
      await f.add(['a', 'b', 'c', 'd', 'e'].flatMap((h) => ['1', '2', '3', '4', '5', '6'].map((p) => req(`${h}.test`, p))));
      const batches = await Promise.all(Array.from({ length: 50 }, (_, i) => f.lease(1 + (i % 3), T0)));
      const leases = batches.flat();
      assert.equal(leases.length, 10);
      assert.equal(new Set(leases.map((l) => l.request.key)).size, 10, 'no request handed out twice');
      assert.equal(new Set(leases.map((l) => l.leaseId)).size, 10, 'lease ids are unique');
      await f.retry(leases[0]!, T0);
      const again = await f.lease(10, T0 + 1);
      assert.equal(again.length, 1, 'a retried request frees its budget place');
      for (const l of [...leases.slice(1), ...again]) await f.complete(l, 'ok');
      assert.deepEqual(await f.lease(10, T0 + 2), []);
      assert.equal(await f.nextReadyAt(T0 + 2), undefined, 'nothing can be leased any more');
      const s = await f.stats();
      assert.deepEqual([s.done, s.fetched, s.leased, s.queued], [10, 10, 0, 20]);
      assert.equal(await f.isDone(), true, 'budget spent and nothing leased');
    });

    test('maxPages counts pages fetched: a request completed as not fetched gives its place back', async () => {
      const f = await open({ maxPages: 3 });
      await f.add(['1', '2', '3', '4', '5', '6', '7'].map((p) => req('a.test', p)));
      const first = await f.lease(10, T0);
      assert.equal(first.length, 3);
      await f.complete(first[0]!, 'skipped', { fetched: false }); // robots.txt disallowed it
      await f.complete(first[1]!, 'failed', { fetched: false }); // its host was given up
      await f.complete(first[2]!, 'ok');
      assert.deepEqual(await f.stats().then((s) => [s.done, s.fetched]), [3, 1]);
      assert.equal(await f.isDone(), false, 'two pages of the budget are left');
      assert.equal(await f.nextReadyAt(T0 + 1), T0 + 1);
      const second = await f.lease(10, T0 + 1);
      assert.equal(second.length, 2, 'the budget is 3 fetched pages, not 3 finished requests');
      await f.complete(second[0]!, 'failed'); // a failed fetch was fetched
      await f.complete(second[1]!, 'skipped', { fetched: true }); // e.g. a PDF: fetched, not parsed
      assert.deepEqual(await f.lease(10, T0 + 2), []);
      assert.equal(await f.nextReadyAt(T0 + 2), undefined);
      const s = await f.stats();
      assert.deepEqual([s.done, s.fetched, s.queued], [5, 3, 2]);
      assert.equal(await f.isDone(), true, '3 pages fetched, nothing leased');
    });

    test('a retried request waits for its not-before time without blocking its host', async () => {
      const f = await open({ hostPolicy: { delayMs: 0, parallelism: 1 } });
      await f.add([req('a.test', '1'), req('a.test', '2')]);
      const [first] = await f.lease(1, T0);
      assert.equal(first!.request.attempt ?? 0, 0);
      await f.retry(first!, T0 + 5000);
      const [second] = await f.lease(5, T0 + 1);
      assert.deepEqual(paths([second!]), ['2']);
      await f.complete(second!, 'ok');
      assert.deepEqual(await f.lease(5, T0 + 2), []);
      assert.equal(await f.nextReadyAt(T0 + 2), T0 + 5000);
      assert.equal((await f.stats()).queued, 1, 'a waiting retry counts as queued');
      const [again] = await f.lease(5, T0 + 5000);
      assert.equal(again!.request.key, first!.request.key);
      assert.equal(again!.request.attempt, 1);
      assert.notEqual(again!.leaseId, first!.leaseId);
      await f.retry(again!, T0 + 6000);
      const [third] = await f.lease(5, T0 + 6000);
      assert.equal(third!.request.attempt, 2);
    });

    test('an expired lease comes back; a late complete or retry of it is ignored', async () => {
      const f = await open({ leaseMs: 100, hostPolicy: { delayMs: 0, parallelism: 1 } });
      await f.add([req('a.test', '1'), req('b.test', '1')]);
      const first = await f.lease(5, T0);
      assert.equal(first.length, 2);
      const old = first.find((l) => l.host === 'a.test')!;
      assert.equal(old.expiresAt, T0 + 100);
      await f.complete(first.find((l) => l.host === 'b.test')!, 'ok');
      await f.add([req('a.test', '2')]);
      assert.deepEqual(await f.lease(5, T0 + 99), [], 'host slot still taken');
      assert.equal(await f.nextReadyAt(T0 + 50), T0 + 100, 'the lease expiry is when something may come back');
      const relet = await f.lease(5, T0 + 100);
      assert.equal(relet.length, 1, 'the slot freed by the expiry is taken once');
      await f.complete(old, 'ok');
      await f.retry(old, T0);
      let s = await f.stats();
      assert.deepEqual([s.done, s.leased, s.queued], [1, 1, 1], 'late complete/retry changed nothing');
      assert.deepEqual(await f.lease(5, T0 + 101), [], 'the slot is still held by the new lease');
      await f.complete(relet[0]!, 'ok');
      await f.complete(relet[0]!, 'ok');
      s = await f.stats();
      assert.deepEqual([s.done, s.leased, s.queued], [2, 0, 1], 'a double complete counts once');
      const [last] = await f.lease(5, T0 + 102);
      assert.deepEqual(paths([relet[0]!, last!]).sort(), ['1', '2'], 'the expired request was handed out again');
      assert.notEqual(last!.leaseId, old.leaseId);
    });

    test('drainHost removes and returns only that host’s queued requests', async () => {
      const f = await open({ hostPolicy: { delayMs: 0, parallelism: 1 } });
      await f.add([...['1', '2', '3', '4'].map((p) => req('gone.test', p)), req('b.test', '1')]);
      const first = await f.lease(10, T0);
      assert.deepEqual(hostsOf(first).sort(), ['b.test', 'gone.test']);
      const l1 = first.find((l) => l.host === 'gone.test');
      const l2 = first.find((l) => l.host === 'b.test');
      await f.retry(l1!, T0 + 10_000);
      const [l3] = await f.lease(10, T0 + 1);
      assert.deepEqual(paths([l3!]), ['2']);
      const drained = await f.drainHost('gone.test');
      assert.deepEqual(drained.map(pathOf).sort(), ['1', '3', '4'], 'queued and waiting retries, not the leased one');
      assert.deepEqual(await f.drainHost('unknown.test'), []);
      const s = await f.stats();
      assert.deepEqual([s.queued, s.leased, s.seen], [0, 2, 5]);
      assert.deepEqual(await f.add([req('gone.test', '1')]), [{ ok: false, reason: 'duplicate' }], 'drained keys stay seen');
      await f.complete(l2!, 'ok');
      await f.complete(l3!, 'skipped');
      assert.equal(await f.isDone(), true);
    });

    test('isDone: nothing queued and nothing leased', async () => {
      const f = await open({ leaseMs: 1000 });
      assert.equal(await f.isDone(), true, 'an empty frontier is done');
      await f.add([req('a.test', '1')]);
      assert.equal(await f.isDone(), false);
      const [l] = await f.lease(1, T0);
      assert.equal(await f.isDone(), false, 'a live lease is not done');
      await f.retry(l!, T0 + 10);
      assert.equal(await f.isDone(), false, 'a waiting retry is not done');
      const [again] = await f.lease(1, T0 + 10);
      await f.complete(again!, 'failed');
      assert.equal(await f.isDone(), true);
    });

    test('stats stay consistent: seen = queued + leased + done (+ drained)', async () => {
      const f = await open({ hostPolicy: { delayMs: 0, parallelism: 2 } });
      await f.add([...['1', '2', '3'].map((p) => req('a.test', p)), ...['1', '2'].map((p) => req('b.test:8080', p))]);
      await f.backoffHost('b.test:8080', Date.now() + 60_000);
      const leases = await f.lease(10, T0);
      assert.deepEqual(hostsOf(leases), ['a.test', 'a.test']);
      await f.complete(leases[0]!, 'ok');
      const s = await f.stats();
      assert.deepEqual(s, { queued: 3, leased: 1, done: 1, fetched: 1, seen: 5, hosts: 2, hostsInBackoff: 1 });
    });

    test('claimRedirect marks a redirect target seen without queueing it; only its claimer may claim it again', async () => {
      const f = await open();
      await f.add([req('a.test', 'old'), req('a.test', 'queued')]);
      const claim = (path: string, owner: string, source: 'link' | 'seed' = 'link') => f.claimRedirect({ ...req('a.test', path, 1, { source }), redirectOf: `http://a.test/${owner}` });
      assert.deepEqual(await claim('new', 'old'), { ok: true });
      assert.deepEqual(await claim('new', 'old'), { ok: true }, 'the same request again (a retry, or its lease handed out again)');
      assert.deepEqual(await claim('new', 'other'), { ok: false, reason: 'duplicate' }, 'another redirect to it');
      assert.deepEqual(await claim('queued', 'old'), { ok: false, reason: 'duplicate' }, 'a URL already queued');
      assert.deepEqual(await f.add([req('a.test', 'new', 2)]), [{ ok: false, reason: 'duplicate' }], 'a later link to it');
      const s = await f.stats();
      assert.deepEqual([s.seen, s.queued], [3, 2], 'seen, never queued');
      assert.deepEqual(paths(await f.lease(10, T0)).sort(), ['old', 'queued']);
      assert.deepEqual(await f.seedRedirects(), [], 'only seeds widen the scope');
    });

    test('a seed\'s redirect target is kept as a seed redirect, once, in claim order', async () => {
      const f = await open();
      await f.add([req('a.test', ''), req('b.test', '')]);
      const seedClaim = (host: string, owner: string) => f.claimRedirect({ ...req(host, ''), redirectOf: `http://${owner}/` });
      assert.deepEqual(await seedClaim('www.a.test', 'a.test'), { ok: true });
      assert.deepEqual(await seedClaim('www.b.test', 'b.test'), { ok: true });
      assert.deepEqual(await seedClaim('www.a.test', 'a.test'), { ok: true });
      assert.deepEqual(await seedClaim('www.a.test', 'b.test'), { ok: false, reason: 'duplicate' });
      assert.deepEqual(await f.seedRedirects(), ['http://www.a.test/', 'http://www.b.test/']);
    });

    test('bookHost: a request without a lease waits for the spacing and the backoff, and spaces what follows', async () => {
      const f = await open({ hostPolicy: { delayMs: 1000, parallelism: 10 } });
      assert.equal(await f.bookHost('a.test', T0), T0, 'a new host: at once');
      assert.equal(await f.bookHost('a.test', T0 + 10), T0 + 1000, 'the next one waits for the spacing');
      await f.add([req('a.test', '1')]);
      assert.deepEqual(await f.lease(10, T0 + 1999), [], 'a lease waits behind both');
      assert.equal(await f.nextReadyAt(T0 + 20), T0 + 2000);
      const [lease] = await f.lease(10, T0 + 2000);
      assert.ok(lease);
      await f.backoffHost('a.test', T0 + 10_000);
      assert.equal(await f.bookHost('a.test', T0 + 2001), T0 + 10_000, 'a backed-off host waits');
      assert.equal(await f.bookHost('b.test', T0 + 2001), T0 + 2001, 'other hosts do not');
    });

    test('bookHost with sentNow: spacing counts from when a leased request is sent', async () => {
      const f = await open({ hostPolicy: { delayMs: 1000, parallelism: 10 } });
      await f.add([req('a.test', '1'), req('a.test', '2')]);
      const [first] = await f.lease(10, T0);
      assert.equal(await f.bookHost('a.test', T0 + 300, true), T0 + 300, 'sent late: goes at once');
      await f.complete(first!, 'ok', { nowMs: T0 + 300 });
      assert.deepEqual(await f.lease(10, T0 + 1000), [], 'the next start is a delay after the send, not after the lease');
      assert.deepEqual(paths(await f.lease(10, T0 + 1300)), ['2']);
    });

    test('nextReadyAt is undefined when there is nothing to wait for', async () => {
      const f = await open();
      assert.equal(await f.nextReadyAt(T0), undefined);
      await f.add([req('a.test', '1')]);
      assert.equal(await f.nextReadyAt(T0), T0);
      const [l] = await f.lease(1, T0);
      await f.complete(l!, 'ok');
      assert.equal(await f.nextReadyAt(T0), undefined);
      await f.flush();
    });

    test('releaseHost frees the host (its delay counting from the release) while the lease stays live until complete', async () => {
      const f = await open({ maxPages: 100, hostPolicy: { delayMs: 1000, parallelism: 4 } });
      await f.add(['1', '2', '3'].map((p) => req('a.test', p)));
      const [one] = await f.lease(10, T0);
      await f.releaseHost!(one!, { nowMs: T0 + 100 });
      assert.equal(await f.nextReadyAt(T0 + 100), T0 + 1100, 'the delay runs from the response, not from the page stored');
      const [two] = await f.lease(10, T0 + 1100);
      assert.deepEqual(paths([two!]), ['2']);
      assert.equal((await f.stats()).leased, 2, 'the first page is still being parsed: its lease is live');
      await f.complete(one!, 'ok', { nowMs: T0 + 5000 });
      assert.deepEqual(await f.lease(10, T0 + 5000), [], 'completing a released request frees nothing more: request 2 holds the host');
      await f.complete(two!, 'ok', { nowMs: T0 + 5000 });
      assert.deepEqual(paths(await f.lease(10, T0 + 6000)), ['3']);
    });

    test('releaseHost: parallelism counts requests whose responses have not arrived; a place is freed once', async () => {
      const f = await open({ maxPages: 100, hostPolicy: { delayMs: 0, parallelism: 2 } });
      await f.add(['1', '2', '3', '4', '5'].map((p) => req('a.test', p)));
      const first = await f.lease(10, T0);
      assert.equal(first.length, 2);
      await f.releaseHost!(first[0]!, { nowMs: T0 });
      await f.releaseHost!(first[0]!, { nowMs: T0 }); // twice: once only
      assert.deepEqual(paths(await f.lease(10, T0)), ['3']);
      await f.complete(first[0]!, 'ok', { nowMs: T0 });
      assert.deepEqual(await f.lease(10, T0), [], 'two in flight: 2 and 3');
      await f.retry(first[1]!, T0, T0);
      assert.deepEqual(paths(await f.lease(10, T0)), ['4'], 'a retry of an unreleased request frees its place');
    });

    test('releaseHost: a released lease that expires comes back once; a released request retried frees no second place', async () => {
      const f = await open({ maxPages: 100, hostPolicy: { delayMs: 0, parallelism: 1 }, leaseMs: 1000 });
      await f.add(['1', '2', '3'].map((p) => req('a.test', p)));
      const [one] = await f.lease(10, T0);
      await f.releaseHost!(one!, { nowMs: T0 + 10 });
      const [two] = await f.lease(10, T0 + 10);
      assert.deepEqual(paths([two!]), ['2']);
      assert.deepEqual(paths(await f.lease(10, T0 + 1000)), [], 'request 1 is back in the queue, but request 2 holds the one place');
      assert.equal((await f.stats()).queued, 2);
      await f.releaseHost!(two!, { nowMs: T0 + 1000 });
      await f.retry(two!, T0 + 1000, T0 + 1000);
      assert.equal((await f.lease(10, T0 + 1000)).length, 1, 'one place: the released retry freed no second one');
      await f.complete(one!, 'ok', { nowMs: T0 + 1000 }); // the old lease: ignored
      assert.equal((await f.stats()).done, 0);
    });
  });
}
