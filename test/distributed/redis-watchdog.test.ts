import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { FrontierUnavailableError } from '../../src/core/errors.js';
import { RedisWatchdog } from '../../src/distributed/redis-watchdog.js';
import { waitFor } from '../helpers/wait-for.js';

/** A watchdog on a fake server whose probe answers with `answer()`; records its verdict. */
function watch(answer: () => Promise<void>, timeoutMs = 150) {
  let probes = 0;
  let verdict: FrontierUnavailableError | undefined;
  const startedAt = Date.now();
  const watchdog = new RedisWatchdog({
    probe: () => {
      probes++;
      return answer();
    },
    timeoutMs,
    intervalMs: 10,
    label: 'Redis at redis://h:6379',
    onDead: (error) => {
      assert.equal(verdict, undefined, 'onDead is called once');
      verdict = error;
    },
  });
  watchdog.start();
  return { watchdog, probes: () => probes, verdict: () => verdict, startedAt };
}

describe('RedisWatchdog', () => {
  test('a server that answers: probes keep going, no verdict', async () => {
    const w = watch(async () => {});
    await waitFor('10 probes', () => w.probes() >= 10, 5_000);
    assert.ok(Date.now() - w.startedAt >= 90);
    assert.equal(w.verdict(), undefined);
    w.watchdog.stop();
  });

  test('a hung server (probes never answered): dead after the timeout, naming the hang', async () => {
    const w = watch(() => new Promise<never>(() => {}));
    await waitFor('the verdict', () => w.verdict() !== undefined, 5_000);
    assert.ok(Date.now() - w.startedAt >= 150, 'not before the timeout');
    assert.equal(w.verdict()!.code, 'ERR_FRONTIER_LOST');
    assert.match(w.verdict()!.message, /^Redis at redis:\/\/h:6379 unreachable for [\d.]+ s \(limit 150 ms, --redis-timeout\); gave up\..*Last error: connected, but no reply \(the server is hung, paused or overloaded\)$/);
    assert.equal(w.probes(), 1, 'one probe waits for its reply; no pile-up');
  });

  test('a refused connection: dead after the timeout with the last error', async () => {
    const w = watch(async () => {
      throw new FrontierUnavailableError('ERR_FRONTIER_UNAVAILABLE', 'connect ECONNREFUSED 127.0.0.1:6379', { retryable: true });
    });
    await waitFor('the verdict', () => w.verdict() !== undefined, 5_000);
    assert.ok(w.probes() > 3);
    assert.match(w.verdict()!.message, /Last error: connect ECONNREFUSED/);
  });

  test('a server that answers again in time: no verdict', async () => {
    let up = false;
    const w = watch(async () => {
      if (!up) throw new Error('connect ECONNREFUSED');
    }, 400);
    await waitFor('a few refused probes', () => w.probes() >= 3, 5_000);
    up = true;
    const answeredAt = w.probes();
    await waitFor('probes after the server is back', () => w.probes() >= answeredAt + 45, 5_000);
    assert.equal(w.verdict(), undefined);
    w.watchdog.stop();
  });

  test('the crawl state is gone (a non-retryable error): dead at once, with that error', async () => {
    const gone = new FrontierUnavailableError('ERR_FRONTIER_STATE_LOST', 'the crawl is gone', { retryable: false });
    const w = watch(async () => {
      throw gone;
    }, 60_000);
    await waitFor('the verdict', () => w.verdict() !== undefined, 5_000);
    assert.equal(w.verdict(), gone);
  });
});
