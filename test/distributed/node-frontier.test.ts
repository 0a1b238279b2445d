import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Lease, PageOutcome, PageRecord } from '../../src/core/types.js';
import type { Frontier } from '../../src/frontier/frontier.js';
import { NodeFrontier } from '../../src/distributed/node-frontier.js';
import { NodeStore } from '../../src/distributed/node-store.js';
import { FrontierJournal } from '../../src/store/frontier-journal.js';
import { LowdbPageStore } from '../../src/store/lowdb-page-store.js';
import { tempDirs } from '../helpers/crawl-helpers.js';
import { waitFor } from '../helpers/wait-for.js';

async function readAll(journal: FrontierJournal) {
  const out = [];
  for await (const request of journal.readAll()) out.push(request);
  return out;
}

const lease = (key: string): Lease => ({ leaseId: `n:${key}`, host: 'a.test', expiresAt: 0, request: { key, url: key, depth: 0, source: 'link' } });
const record = (key: string): PageRecord => ({ key, url: key, redirects: [], depth: 0, fetchedAt: new Date(0).toISOString(), outcome: 'ok', bytes: 0, timings: { waitMs: 0, downloadMs: 0, parseMs: 0, totalMs: 0 } });

/** A Redis-less inner frontier that records completions; nextReadyAt answers `readyAt`. */
function recordingFrontier(readyAt: number | undefined) {
  const completed: string[] = [];
  const inner = {
    complete: async (l: Lease, outcome: PageOutcome) => void completed.push(`${l.request.key}:${outcome}`),
    nextReadyAt: async () => readyAt,
  } as unknown as Frontier;
  return { inner, completed };
}

describe('NodeFrontier + NodeStore: a lease is completed only once its page is on disk', () => {
  const newDir = tempDirs();

  async function node(commitIntervalMs: number) {
    const dir = await newDir();
    const { inner, completed } = recordingFrontier(undefined);
    const frontier = new NodeFrontier(inner);
    const lowdb = await LowdbPageStore.open(dir);
    const store = new NodeStore(lowdb, { nodeId: 'n7', commitIntervalMs, onDurable: (keys) => frontier.durable(keys) });
    frontier.attach(store);
    return { frontier, store, completed, dir };
  }

  test('completion waits for the flush; the record carries the node id; on disk before Redis hears of it', async () => {
    const { frontier, store, completed, dir } = await node(60_000);
    const r = record('http://a.test/1');
    assert.equal(store.put(r), true);
    assert.equal(r.node, 'n7');
    await frontier.complete(lease('http://a.test/1'), 'ok');
    assert.deepEqual(completed, [], 'not completed while only in the write buffer');
    assert.equal(frontier.waiting, 1);
    await store.flush();
    await frontier.settle();
    assert.deepEqual(completed, ['http://a.test/1:ok']);
    const reread = await LowdbPageStore.open(dir);
    assert.equal(reread.has('http://a.test/1'), true, 'durable before completed');
    await store.close();
  });

  test('flushSoon commits within the commit interval without the crawler flushing', async () => {
    const { frontier, store, completed } = await node(20);
    store.put(record('http://a.test/2'));
    await frontier.complete(lease('http://a.test/2'), 'failed');
    await waitFor('the lease to be completed', () => completed.length > 0, 1_000);
    await frontier.settle();
    assert.deepEqual(completed, ['http://a.test/2:failed']);
    await store.close();
  });

  test('a lease whose page was never put completes at once', async () => {
    const { frontier, store, completed } = await node(60_000);
    await frontier.complete(lease('http://a.test/never-put'), 'skipped');
    assert.deepEqual(completed, ['http://a.test/never-put:skipped']);
    await store.close();
  });

  test('a leased request sent within the delay margin of its grant is not booked again; a prefetched one granted earlier is', async () => {
    const booked: number[] = [];
    const handed: Lease[] = [];
    const inner = {
      lease: async () => handed,
      bookHost: async (_host: string, nowMs: number) => (booked.push(nowMs), nowMs),
    } as unknown as Frontier;
    const frontier = new NodeFrontier(inner);
    handed.splice(0, 1, lease('http://a.test/1'));
    await frontier.lease(1, 1_000);
    await frontier.bookHost('a.test', 1_010, true);
    assert.deepEqual(booked, [], 'granted by the lease call 10 ms before: the shared schedule spaced it already');
    handed.splice(0, 1, { ...lease('http://a.test/2'), grantedAtMs: 1_500 });
    await frontier.lease(1, 2_000);
    await frontier.bookHost('a.test', 2_001, true);
    assert.deepEqual(booked, [2_001], 'granted 500 ms before it was handed out: its start is booked');
  });

  test('nextReadyAt is capped at pollMs from now while anything is queued or leased', async () => {
    const far = new NodeFrontier(recordingFrontier(1_000_000).inner, { pollMs: 50 });
    assert.equal(await far.nextReadyAt(1_000), 1_050);
    const soon = new NodeFrontier(recordingFrontier(1_010).inner, { pollMs: 50 });
    assert.equal(await soon.nextReadyAt(1_000), 1_010);
    const idle = new NodeFrontier(recordingFrontier(undefined).inner, { pollMs: 50 });
    assert.equal(await idle.nextReadyAt(1_000), undefined);
  });

  test('the node journals what the shared frontier accepted from it (everything once the frontier gave up); flush makes it durable (the store flushes the frontier before its pages)', async () => {
    const dir = await newDir();
    let gaveUp = false;
    const inner = {
      add: async (requests: Array<{ key: string }>) => requests.map((r) => (gaveUp || r.key.endsWith('/dup') ? { ok: false, reason: 'duplicate' } : { ok: true })),
      claimRedirect: async () => ({ ok: !gaveUp }),
      flush: async () => {},
    } as unknown as Frontier;
    const journal = new FrontierJournal(dir);
    const frontier = new NodeFrontier(inner, { journal, unconfirmed: () => gaveUp });
    const request = (path: string) => ({ key: `http://a.test${path}`, url: `http://a.test${path}`, depth: 1, source: 'link' as const });
    await frontier.add([request('/new'), request('/dup')]);
    await frontier.claimRedirect({ ...request('/target'), redirectOf: 'http://a.test/new' });
    gaveUp = true;
    await frontier.add([request('/after-1'), request('/after-2')]);
    await frontier.claimRedirect({ ...request('/target-2'), redirectOf: 'http://a.test/after-1' });
    assert.deepEqual(await readAll(new FrontierJournal(dir)), [], 'buffered until the flush');
    await frontier.flush();
    const keys = (await readAll(new FrontierJournal(dir))).map((r) => r.key.slice('http://a.test'.length));
    assert.deepEqual(keys, ['/new', '/target', '/after-1', '/after-2', '/target-2'], 'accepted ones; then, with no real answers, all');
  });
});
