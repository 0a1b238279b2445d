import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  spacedDelayMs,
  backOff,
  canStart,
  finishRequest,
  newHostSlot,
  readyAt,
  startRequest,
  withPolicy,
  type HostSlot,
} from '../../src/politeness/host-slot.js';

const base: HostSlot = newHostSlot('a.test', { parallelism: 2, delayMs: 1000 });
const slot = (patch: Partial<HostSlot>): HostSlot => ({ ...base, ...patch });

describe('newHostSlot', () => {
  test('starts idle and clamps bad policy values', () => {
    assert.deepEqual(newHostSlot('x.test:8080', { parallelism: 0, delayMs: -5 }), {
      host: 'x.test:8080',
      parallelism: 1,
      delayMs: 0,
      inFlight: 0,
      nextAllowedAt: 0,
      backoffUntil: 0,
      consecutiveFailures: 0,
    });
  });
});

describe('readyAt / canStart', () => {
  const cases: Array<{ name: string; s: HostSlot; now: number; ready: number; can: boolean }> = [
    { name: 'idle slot', s: slot({}), now: 0, ready: 0, can: true },
    { name: 'spacing not reached', s: slot({ nextAllowedAt: 500 }), now: 499, ready: 500, can: false },
    { name: 'spacing reached exactly', s: slot({ nextAllowedAt: 500 }), now: 500, ready: 500, can: true },
    { name: 'backoff later than spacing', s: slot({ nextAllowedAt: 500, backoffUntil: 900 }), now: 600, ready: 900, can: false },
    { name: 'spacing later than backoff', s: slot({ nextAllowedAt: 950, backoffUntil: 900 }), now: 940, ready: 950, can: false },
    { name: 'below parallelism', s: slot({ delayMs: 0, inFlight: 1 }), now: 0, ready: 0, can: true },
    { name: 'at parallelism', s: slot({ delayMs: 0, inFlight: 2 }), now: 1e15, ready: Infinity, can: false },
    { name: 'over parallelism after a policy cut', s: slot({ delayMs: 0, inFlight: 3 }), now: 1e15, ready: Infinity, can: false },
    { name: 'a host with a delay: one in flight at most', s: slot({ inFlight: 1 }), now: 1e15, ready: Infinity, can: false },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.equal(readyAt(c.s), c.ready);
      assert.equal(canStart(c.s, c.now), c.can);
    });
  }
});

describe('startRequest', () => {
  const cases: Array<{ name: string; s: HostSlot; now: number; jitter?: number; inFlight: number; next: number }> = [
    { name: 'spaces the next start by delayMs', s: slot({}), now: 10_000, inFlight: 1, next: 11_000 },
    { name: 'adds the jitter fraction of the delay', s: slot({}), now: 10_000, jitter: 0.25, inFlight: 1, next: 11_250 },
    { name: 'negative jitter is ignored', s: slot({}), now: 10_000, jitter: -1, inFlight: 1, next: 11_000 },
    { name: 'zero delay allows an immediate next start', s: slot({ delayMs: 0, inFlight: 1 }), now: 7, inFlight: 2, next: 7 },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const after = startRequest(c.s, c.now, c.jitter);
      assert.equal(after.inFlight, c.inFlight);
      assert.equal(after.nextAllowedAt, c.next);
      assert.notEqual(after, c.s, 'returns a new object');
    });
  }
});

describe('finishRequest', () => {
  const cases: Array<{ name: string; s: HostSlot; ok: boolean; now: number; inFlight: number; failures: number; next: number }> = [
    { name: 'success frees a place and resets failures', s: slot({ inFlight: 2, consecutiveFailures: 3 }), ok: true, now: 0, inFlight: 1, failures: 0, next: 1000 },
    { name: 'failure frees a place and counts', s: slot({ inFlight: 1, consecutiveFailures: 3 }), ok: false, now: 0, inFlight: 0, failures: 4, next: 1000 },
    { name: 'never goes below zero in flight', s: slot({ inFlight: 0 }), ok: true, now: 0, inFlight: 0, failures: 0, next: 1000 },
    { name: 'a delay runs from the end of a request that outlasted it', s: slot({ inFlight: 1, nextAllowedAt: 11_000 }), ok: true, now: 12_500, inFlight: 0, failures: 0, next: 13_500 },
    { name: 'a quick request keeps the spacing from its start', s: slot({ inFlight: 1, nextAllowedAt: 11_500 }), ok: true, now: 10_200, inFlight: 0, failures: 0, next: 11_500 },
    { name: 'no delay: the finish time changes nothing', s: slot({ delayMs: 0, inFlight: 1, nextAllowedAt: 7 }), ok: true, now: 50_000, inFlight: 0, failures: 0, next: 7 },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const after = finishRequest(c.s, c.ok, c.now);
      assert.equal(after.inFlight, c.inFlight);
      assert.equal(after.consecutiveFailures, c.failures);
      assert.equal(after.nextAllowedAt, c.next);
    });
  }

  test('a finish at parallelism makes the host ready again', () => {
    const full = slot({ delayMs: 0, inFlight: 2, nextAllowedAt: 300 });
    assert.equal(readyAt(full), Infinity);
    assert.equal(readyAt(finishRequest(full, true, 0)), 300);
  });
});

describe('backOff / withPolicy', () => {
  test('backoff only ever lengthens', () => {
    assert.equal(backOff(slot({ backoffUntil: 100 }), 500).backoffUntil, 500);
    assert.equal(backOff(slot({ backoffUntil: 900 }), 500).backoffUntil, 900);
  });
  test('policy changes keep in-flight state', () => {
    const s = withPolicy(slot({ inFlight: 2, nextAllowedAt: 42 }), { delayMs: 5000 });
    assert.deepEqual([s.delayMs, s.parallelism, s.inFlight, s.nextAllowedAt], [5000, 2, 2, 42]);
    const p = withPolicy(s, { parallelism: 0 });
    assert.equal(p.parallelism, 1, 'parallelism is at least 1');
  });
});

describe('spacedDelayMs', () => {
  test('a delay is scheduled a clock grain longer, so whole-millisecond clocks never space two requests closer than it', () => {
    // Booked 250 ms apart on Date.now(), two requests can be 249.x ms apart on a finer clock.
    assert.ok(spacedDelayMs(250) >= 251);
    assert.ok(spacedDelayMs(1) >= 2);
    assert.equal(spacedDelayMs(0), 0, 'no delay stays none');
  });
});
