import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ParseError, WorkerCrashedError } from '../../src/core/errors.js';
import { createParsePool } from '../../src/parse/parse-pool.js';
import { parseFailureReason } from '../../src/parse/parse-failure-reason.js';
import type { ParsePool, ParserMode } from '../../src/parse/parse-types.js';
import { htmlInput, testRules } from '../helpers/parse-rules.js';
import { TEST_EXTRACTOR, extractorLog, isAlive } from '../helpers/parse-pool-helpers.js';
import { waitFor } from '../helpers/wait-for.js';

const TASK_TIMEOUT_MS = 1_000;

function pool(mode: ParserMode, extra: { workers?: number; workerHeapMb?: number; taskTimeoutMs?: number; recycleAfterTasks?: number; recycleAboveRssMb?: number } = {}): ParsePool {
  const { workers = 2, workerHeapMb = 256, taskTimeoutMs = TASK_TIMEOUT_MS, ...recycle } = extra;
  return createParsePool({ mode, workers, rules: testRules({ extract: { module: TEST_EXTRACTOR } }), taskTimeoutMs, workerHeapMb, maxQueue: 8, ...recycle });
}

function page(path: string, log?: string) {
  return htmlInput('<h1>t</h1><a href="/next">n</a>', { url: `https://example.com${path}${log ? `?log=${encodeURIComponent(log)}` : ''}` });
}

describe('process mode: a crashing worker', () => {
  test('the page is retried once on a fresh worker, then rejected; other pages parse; the pool keeps its size', async () => {
    const parser = pool('process');
    const log = extractorLog();
    try {
      const crash = parser.parse(page('/crash', log.file));
      const others = Array.from({ length: 6 }, (_, i) => parser.parse(page(`/ok/${i}`)));
      await assert.rejects(crash, (error: unknown) => {
        assert.ok(error instanceof WorkerCrashedError, String(error));
        assert.equal(error.code, 'ERR_WORKER_CRASHED');
        assert.equal(error.retryable, false);
        assert.equal(parseFailureReason(error), 'worker-crashed');
        return true;
      });
      const calls = log.entries();
      assert.equal(calls.length, 2, 'exactly one retry');
      assert.notEqual(calls[0]!.pid, calls[1]!.pid, 'the retry ran on another worker');
      for (const other of await Promise.all(others)) assert.equal(other.fields?.h1Count, 1);
      const stats = parser.stats();
      assert.equal(stats.crashes, 2);
      assert.equal(stats.workers, 2);
      await waitFor('crashed workers to be gone', () => calls.every((call) => !isAlive(call.pid)), 2_000);
      const after = await Promise.all([parser.parse(page('/after/1')), parser.parse(page('/after/2'))]);
      for (const p of after) {
        const pid = (p.fields?.worker as { pid: number }).pid;
        assert.ok(!calls.some((call) => call.pid === pid));
      }
    } finally {
      log.dispose();
      await parser.close();
    }
  });
});

describe('process mode: a hanging worker', () => {
  test('is killed at taskTimeoutMs, retried once, then rejected with ERR_PARSE_TIMEOUT', async () => {
    const parser = pool('process');
    const log = extractorLog();
    try {
      const hang = parser.parse(page('/hang', log.file));
      const others = Array.from({ length: 4 }, (_, i) => parser.parse(page(`/ok/${i}`)));
      await assert.rejects(hang, (error: unknown) => {
        assert.ok(error instanceof ParseError, String(error));
        assert.equal(error.code, 'ERR_PARSE_TIMEOUT');
        assert.equal(parseFailureReason(error), 'parse-timeout');
        return true;
      });
      const rejectedAt = Date.now();
      const calls = log.entries();
      assert.equal(calls.length, 2, 'exactly one retry');
      assert.notEqual(calls[0]!.pid, calls[1]!.pid);
      // The retry started only after the first attempt's full timeout, and was
      // given up within 2 × taskTimeoutMs of starting (the kill is immediate).
      assert.ok(calls[1]!.at - calls[0]!.at >= TASK_TIMEOUT_MS - 50);
      const secondRunMs = rejectedAt - calls[1]!.at;
      assert.ok(secondRunMs >= TASK_TIMEOUT_MS - 50 && secondRunMs < 2 * TASK_TIMEOUT_MS, `second attempt lasted ${secondRunMs} ms`);
      await waitFor('hung workers to be killed', () => calls.every((call) => !isAlive(call.pid)), TASK_TIMEOUT_MS);
      for (const other of await Promise.all(others)) assert.equal(other.fields?.h1Count, 1);
      assert.equal(parser.stats().timeouts, 2);
      assert.equal(parser.stats().workers, 2);
    } finally {
      log.dispose();
      await parser.close();
    }
  });
});

describe('process mode: a worker that runs out of memory', () => {
  test('is a crash: retried once, then worker-crashed', async () => {
    const parser = pool('process', { workers: 1, workerHeapMb: 48, taskTimeoutMs: 20_000 });
    try {
      await assert.rejects(parser.parse(page('/bloat')), WorkerCrashedError);
      assert.equal(parser.stats().crashes, 2);
      assert.equal((await parser.parse(page('/fine'))).fields?.h1Count, 1);
    } finally {
      await parser.close();
    }
  });
});

describe('thread mode heals too', () => {
  test('crash and hang pages fail after one retry; the pool keeps working', async () => {
    const parser = pool('thread');
    const log = extractorLog();
    try {
      const crash = parser.parse(page('/crash', log.file));
      const hang = parser.parse(page('/hang', log.file));
      await assert.rejects(crash, WorkerCrashedError);
      await assert.rejects(hang, { code: 'ERR_PARSE_TIMEOUT' });
      const calls = log.entries();
      assert.equal(calls.filter((c) => c.path === '/crash').length, 2);
      assert.equal(calls.filter((c) => c.path === '/hang').length, 2);
      assert.equal((await parser.parse(page('/fine'))).fields?.h1Count, 1);
      assert.deepEqual([parser.stats().workers, parser.stats().crashes, parser.stats().timeouts], [2, 2, 2]);
    } finally {
      log.dispose();
      await parser.close();
    }
  });
});

describe('process mode: a batch that crashes or hangs', () => {
  for (const [kind, expected] of [['crash', 'ERR_WORKER_CRASHED'], ['hang', 'ERR_PARSE_TIMEOUT']] as const) {
    test(`${kind} in the middle of a batch: every page runs again alone; only the bad one fails, after two solo runs`, async () => {
      const parser = pool('process', { workers: 1 });
      const log = extractorLog();
      try {
        await parser.parse(page('/warm-up')); // the pool batches only once it has a parse time
        // /ok/0 goes at once, alone; the rest queue behind it and leave as one batch of four.
        const paths = ['/ok/0', '/ok/1', `/${kind}`, '/ok/3', '/ok/4'];
        const settled = await Promise.allSettled(paths.map((path) => parser.parse(page(path, log.file))));
        assert.deepEqual(settled.map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as { code: string }).code)), ['ok', 'ok', expected, 'ok', 'ok']);
        const runs = (path: string) => log.entries().filter((entry) => entry.path === path).length;
        // In the batch (the page before the bad one ran, the ones after it did not), then alone.
        assert.deepEqual(paths.map(runs), [1, 2, 3, 1, 1]);
        const stats = parser.stats();
        assert.equal(kind === 'crash' ? stats.crashes : stats.timeouts, 3);
        assert.equal(stats.batches, 1 + 1 + 1 + 4 + 1); // warm-up, /ok/0, the batch, four solo runs, one retry
        assert.equal(stats.workers, 1);
      } finally {
        log.dispose();
        await parser.close();
      }
    });
  }

  test('slow pages are not batched past a quarter of the timeout, so none times out', async () => {
    const parser = pool('process', { workers: 1, taskTimeoutMs: 2_000 });
    try {
      // 300 ms a page: 2,000 / 4 / 300 < 2, so after the first page every batch holds one page.
      const pages = await Promise.all(Array.from({ length: 5 }, (_, i) => parser.parse(page(`/slow/${i}`))));
      assert.ok(pages.every((p) => p.fields?.h1Count === 1), 'every page parsed');
      assert.deepEqual([parser.stats().timeouts, parser.stats().batches], [0, 5]);
    } finally {
      await parser.close();
    }
  });

  test('close() while a batch runs rejects every page of it with ERR_POOL_CLOSED', async () => {
    const parser = pool('process', { workers: 1, taskTimeoutMs: 20_000 });
    await parser.parse(page('/warm-up'));
    // The first slow page goes alone; the four queued behind it leave together once it is done.
    const pending = Promise.allSettled(Array.from({ length: 5 }, (_, i) => parser.parse(page(`/slow/${i}`))));
    await waitFor('the batch of four to start', () => parser.stats().batches === 3 && parser.stats().busy === 1, 5_000);
    assert.equal(parser.stats().tasksDone, 2);
    await parser.close();
    const settled = await pending;
    assert.equal(settled[0]!.status, 'fulfilled');
    for (const result of settled.slice(1)) {
      assert.equal(result.status, 'rejected');
      assert.equal((result as PromiseRejectedResult).reason.code, 'ERR_POOL_CLOSED');
    }
    assert.equal(parser.backlog, 0);
  });
});

describe('recycling', () => {
  test('recycleAfterTasks: 3 replaces the worker every 3 tasks and loses none', async () => {
    const parser = pool('process', { workers: 1, recycleAfterTasks: 3 });
    try {
      const pages = await Promise.all(Array.from({ length: 7 }, (_, i) => parser.parse(page(`/r/${i}`))));
      const pids = pages.map((p) => (p.fields?.worker as { pid: number }).pid);
      assert.equal(new Set(pids.slice(0, 3)).size, 1);
      assert.equal(new Set(pids.slice(3, 6)).size, 1);
      assert.notEqual(pids[0], pids[3]);
      assert.notEqual(pids[3], pids[6]);
      assert.equal(parser.stats().recycled, 2);
      assert.equal(parser.stats().tasksDone, 7);
      assert.equal(parser.stats().workers, 1);
    } finally {
      await parser.close();
    }
  });

  test('recycleAboveRssMb replaces a worker whose memory passes the bound', async () => {
    const parser = pool('process', { workers: 1, recycleAboveRssMb: 1 });
    try {
      const first = await parser.parse(page('/m/1'));
      const second = await parser.parse(page('/m/2'));
      assert.notEqual((first.fields?.worker as { pid: number }).pid, (second.fields?.worker as { pid: number }).pid);
      assert.equal(parser.stats().recycled, 2);
    } finally {
      await parser.close();
    }
  });
});
