import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { FrontierError, FrontierUnavailableError } from '../../src/core/errors.js';
import { CrawlEventBus } from '../../src/core/events.js';
import type { Lease } from '../../src/core/types.js';
import type { Frontier } from '../../src/frontier/frontier.js';
import { RetryingFrontier } from '../../src/distributed/retrying-frontier.js';

const lease: Lease = { leaseId: 'n:1', host: 'a.test', expiresAt: 0, request: { key: 'http://a.test/', url: 'http://a.test/', depth: 0, source: 'seed' } };

/** A frontier whose calls fail with `error` while `down()` is true; a fake clock that sleeps advance. */
function setup(down: () => boolean, error: Error = new FrontierUnavailableError('ERR_FRONTIER_UNAVAILABLE', 'Redis frontier: connect ECONNREFUSED', { retryable: true })) {
  let nowMs = 0;
  const calls: string[] = [];
  const fail = async <T>(name: string, value: T): Promise<T> => {
    calls.push(name);
    if (down()) throw error;
    return value;
  };
  const inner = {
    add: (r: unknown[]) => fail('add', r.map(() => ({ ok: true as const }))),
    lease: (_max: number, at?: number) => fail(`lease@${at}`, [lease]),
    complete: () => fail('complete', undefined),
    retry: () => fail('retry', undefined),
    setHostPolicy: () => fail('setHostPolicy', undefined),
    backoffHost: () => fail('backoffHost', undefined),
    drainHost: () => fail('drainHost', [lease.request]),
    claimRedirect: () => fail('claimRedirect', { ok: false as const, reason: 'duplicate' as const }),
    seedRedirects: () => fail('seedRedirects', ['http://www.a.test/']),
    bookHost: (_host: string, at: number) => fail('bookHost', at + 100),
    nextReadyAt: () => fail('nextReadyAt', 5),
    stats: () => fail('stats', { queued: 0, leased: 0, done: 0, fetched: 0, seen: 0, hosts: 0, hostsInBackoff: 0 }),
    isDone: () => fail('isDone', true),
    flush: () => fail('flush', undefined),
    close: () => fail('close', undefined),
  } satisfies Frontier;
  const events = new CrawlEventBus();
  const logs: string[] = [];
  events.on('log', ({ message }) => logs.push(message));
  const frontier = new RetryingFrontier(inner, {
    timeoutMs: 1_000,
    minDelayMs: 100,
    maxDelayMs: 400,
    events,
    label: 'Redis at redis://***@h:6379',
    now: () => nowMs,
    sleep: async (ms) => {
      nowMs += ms;
    },
  });
  return { frontier, calls, logs, now: () => nowMs };
}

describe('RetryingFrontier', () => {
  test('passes calls through while the frontier answers', async () => {
    const { frontier, calls, logs } = setup(() => false);
    assert.deepEqual(await frontier.lease(3, 42), [lease]);
    assert.equal(await frontier.isDone(), true);
    assert.deepEqual(calls, ['lease@42', 'isDone']);
    assert.equal(frontier.paused, false);
    assert.deepEqual(logs, []);
  });

  test('an outage shorter than the timeout: the call waits with backoff, then succeeds; paused and resumed are logged', async () => {
    let failures = 3;
    const { frontier, calls, logs, now } = setup(() => failures-- > 0);
    assert.deepEqual(await frontier.lease(1, 7), [lease]);
    assert.equal(now(), 100 + 200 + 400, 'backoff doubles up to maxDelayMs');
    assert.deepEqual(calls, ['lease@7', 'lease@100', 'lease@300', 'lease@700'], 'a retried lease uses the time it is retried at');
    assert.equal(logs.length, 2);
    assert.match(logs[0]!, /^Redis at redis:\/\/\*\*\*@h:6379 unreachable \(Redis frontier: connect ECONNREFUSED\); paused, retrying for up to 1000 ms$/);
    assert.match(logs[1]!, /reachable again after 700 ms; resuming/);
    assert.equal(frontier.paused, false);
  });

  test('an outage past the timeout: loop calls throw ERR_FRONTIER_LOST, page calls end quietly, flush is never held', async () => {
    const { frontier, now } = setup(() => true);
    await assert.rejects(frontier.lease(1), (e: unknown) => {
      assert.ok(e instanceof FrontierUnavailableError);
      assert.equal(e.code, 'ERR_FRONTIER_LOST');
      assert.match(e.message, /unreachable for 1 s \(limit 1000 ms, --redis-timeout\); gave up\. Pages already stored locally are kept/);
      return true;
    });
    assert.equal(now(), 1_000, 'gave up at the timeout, not later');
    await assert.rejects(frontier.isDone(), /gave up/);
    await frontier.complete(lease, 'ok');
    await frontier.retry(lease, 5);
    assert.deepEqual(await frontier.add([lease.request]), [{ ok: false, reason: 'duplicate' }]);
    assert.deepEqual(await frontier.drainHost('a.test'), []);
    assert.deepEqual(await frontier.claimRedirect({ ...lease.request, redirectOf: 'http://a.test/0' }), { ok: true }, 'the page in flight goes on');
    assert.deepEqual(await frontier.seedRedirects(), []);
    assert.equal(await frontier.bookHost('a.test', 1_234), 1_234, 'an auxiliary request goes at once');
    assert.equal(now(), 1_000, 'after giving up nothing waits any more');
    await assert.rejects(frontier.flush(), FrontierUnavailableError, 'flush goes straight through, never retried');
  });

  test('a hung server: the outage counts from when the first failing call was sent, not from its timeout', async () => {
    let nowMs = 0;
    const timedOut = async () => {
      nowMs += 400; // each call waits for its command timeout
      throw new FrontierUnavailableError('ERR_FRONTIER_UNAVAILABLE', 'Redis frontier: Command timed out', { retryable: true });
    };
    const frontier = new RetryingFrontier({ isDone: timedOut } as unknown as Frontier, {
      timeoutMs: 1_000,
      minDelayMs: 100,
      now: () => nowMs,
      sleep: async (ms) => void (nowMs += ms),
    });
    await assert.rejects(frontier.isDone(), /unreachable for 1\.4 s \(limit 1000 ms/);
    assert.equal(nowMs, 1_400, 'sent at 0, 500 and 1000; gave up when the third timed out');
  });

  test('giveUp releases every call at once, even one waiting for its reply', async () => {
    const gaveUp: string[] = [];
    const never = () => new Promise<never>(() => {});
    const frontier = new RetryingFrontier({ lease: never, complete: never, add: never } as unknown as Frontier, { onGiveUp: (e) => gaveUp.push(e.code) });
    const leasing = frontier.lease(1);
    const completing = frontier.complete(lease, 'ok');
    const adding = frontier.add([lease.request]);
    const error = new FrontierUnavailableError('ERR_FRONTIER_LOST', 'no reply');
    frontier.giveUp(error);
    frontier.giveUp(new FrontierUnavailableError('ERR_FRONTIER_LOST', 'a second verdict'));
    await assert.rejects(leasing, (e) => e === error);
    await completing;
    assert.deepEqual(await adding, [{ ok: false, reason: 'duplicate' }]);
    assert.equal(frontier.gaveUp, error, 'the first verdict is kept');
    assert.deepEqual(gaveUp, ['ERR_FRONTIER_LOST'], 'onGiveUp is called once');
  });

  test('a non-retryable outage (the crawl state is gone) gives up at the first failure', async () => {
    const gone = new FrontierUnavailableError('ERR_FRONTIER_STATE_LOST', 'the crawl is gone', { retryable: false });
    const { frontier, calls, now } = setup(() => true, gone);
    await assert.rejects(frontier.lease(1, 3), (e) => e === gone);
    assert.deepEqual(calls, ['lease@3']);
    assert.equal(now(), 0, 'no waiting');
    assert.equal(frontier.gaveUp, gone);
  });

  test('a script error (not an outage) is not retried', async () => {
    const { frontier, calls } = setup(() => true, new FrontierError('ERR_FRONTIER_SCRIPT', 'bad script'));
    await assert.rejects(frontier.stats(), /bad script/);
    assert.deepEqual(calls, ['stats']);
  });
});
