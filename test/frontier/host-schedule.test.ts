import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HostSchedule, type Scheduled } from '../../src/frontier/host-schedule.js';

interface Host extends Scheduled {
  name: string;
}
const host = (name: string): Host => ({ name, scheduleIndex: -1, scheduleAt: 0, scheduleSeq: 0 });

/** Pops everything in order (peek + remove), returning names. */
function drain(schedule: HostSchedule<Host>): string[] {
  const out: string[] = [];
  for (let top = schedule.peek(); top; top = schedule.peek()) {
    out.push(top.name);
    schedule.remove(top);
  }
  return out;
}

describe('HostSchedule', () => {
  test('earliest time first; equal times in the order they were set (round-robin)', () => {
    const s = new HostSchedule<Host>();
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(host) as [Host, Host, Host, Host];
    s.set(a, 5);
    s.set(b, 1);
    s.set(c, 5);
    s.set(d, 1);
    assert.equal(s.size, 4);
    s.set(b, 1); // b took its turn: behind d at the same time
    assert.deepEqual(drain(s), ['d', 'b', 'a', 'c']);
    assert.equal(s.size, 0);
    assert.ok([a, b, c, d].every((h) => h.scheduleIndex === -1));
  });

  test('moving a host earlier or later, and taking one out of the middle', () => {
    const s = new HostSchedule<Host>();
    const hosts = Array.from({ length: 8 }, (_, i) => host(`h${i}`));
    hosts.forEach((h, i) => s.set(h, 10 * i));
    s.set(hosts[7]!, 0); // earlier: now ties with h0, set later
    s.set(hosts[0]!, 100); // later
    s.remove(hosts[3]!);
    s.remove(hosts[3]!); // twice is harmless
    assert.deepEqual(drain(s), ['h7', 'h1', 'h2', 'h4', 'h5', 'h6', 'h0']);
  });

  test('one entry per host however often it is rescheduled, and the same order as a sorted list', () => {
    const s = new HostSchedule<Host>();
    const hosts = Array.from({ length: 200 }, (_, i) => host(`h${i}`));
    let state = 12345;
    const random = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const expected = new Map<Host, { at: number; seq: number }>();
    let seq = 0;
    for (let i = 0; i < 20_000; i++) {
      const h = hosts[Math.floor(random() * hosts.length)]!;
      if (random() < 0.2) {
        s.remove(h);
        expected.delete(h);
      } else {
        const at = Math.floor(random() * 50);
        s.set(h, at);
        expected.set(h, { at, seq: seq++ });
      }
      assert.equal(s.size, expected.size);
    }
    const order = [...expected].sort(([, x], [, y]) => x.at - y.at || x.seq - y.seq).map(([h]) => h.name);
    assert.deepEqual(drain(s), order);
  });
});
