/**
 * A broad crawl through the real pipeline: a synthetic web of a few hundred
 * loopback hosts (test/helpers/broad-web/) served by one server process, in a
 * private network namespace when the suite runs as root. The crawl is checked
 * against the ground truth computed from the generator: every reachable URL
 * stored exactly once with the right outcome, no request to a disallowed
 * path, Crawl-delays kept on the server's clock, per-host parallelism never
 * exceeded, no page fetched twice.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BroadWeb } from '../helpers/broad-web/broad-web.js';
import { broadWebTruth } from '../helpers/broad-web/broad-web-truth.js';
import { hostAddress, hostIndexOf } from '../helpers/broad-web/host-address.js';
import { runBroadCrawlIsolated, runBroadKillResumeIsolated } from '../helpers/broad-web/broad-crawl.js';
import { tempDirs } from '../helpers/crawl-helpers.js';

const ports = { port: 8080, deadPort: 8081 };

describe('the synthetic broad web', () => {
  test('host addresses are loopback literals that map back to their index', () => {
    for (const index of [0, 1, 253, 254, 65_000, 999_999]) assert.equal(hostIndexOf(hostAddress(index)), index);
    assert.equal(hostAddress(0), '127.1.0.1');
    assert.equal(hostIndexOf('127.0.0.1'), -1);
    assert.equal(hostIndexOf('::ffff:127.1.0.2'), 1);
  });

  test('is the same for the same seed, different for another, heavy-tailed in pages per host', () => {
    const a = new BroadWeb({ hosts: 2_000, seed: 7 });
    const b = new BroadWeb({ hosts: 2_000, seed: 7 });
    const c = new BroadWeb({ hosts: 2_000, seed: 8 });
    assert.deepEqual(a.host(123), b.host(123));
    assert.deepEqual(a.pageLinks(5, 0), b.pageLinks(5, 0));
    assert.notDeepEqual(a.pageLinks(5, 0), c.pageLinks(5, 0));
    const pages = Array.from({ length: a.hostCount }, (_, i) => a.host(i).pages).sort((x, y) => x - y);
    assert.ok(pages[1_000]! <= 3, `median host is small (${pages[1_000]} pages)`);
    assert.ok(pages.at(-1)! >= 100, `the largest host has hundreds (${pages.at(-1)})`);
    const behaviours = new Set(pages.map((_, i) => a.host(i).behaviour));
    assert.deepEqual([...behaviours].sort(), ['hang', 'normal', 'refused', 'reset', 'slow', 'unavailable']);
    const links = a.pageLinks(0, 0);
    const cross = links.filter((link) => link.host !== 0).length;
    assert.ok(links.length >= 15 && cross >= 1, `${links.length} links, ${cross} to other hosts`);
  });

  test('its truth follows links from answering pages only, cuts traps, and puts refused hosts on the dead port', () => {
    const web = new BroadWeb({ hosts: 300 });
    const truth = broadWebTruth(web, { ports, maxRepeatedSegments: 3 });
    const seeds = web.seedUrls(ports);
    assert.equal(seeds.length, 50);
    for (const seed of seeds) assert.ok(truth.expected.has(seed), seed);
    let refused = 0;
    let traps = 0;
    for (const [key, outcome] of truth.expected) {
      const url = new URL(key);
      const host = web.host(hostIndexOf(url.hostname));
      if (host.behaviour === 'refused') {
        refused++;
        assert.equal(url.port, '8081');
        assert.equal(outcome, 'dead');
      }
      if (url.pathname.startsWith('/trap')) {
        traps++;
        assert.ok(url.pathname.split('/x').length - 1 <= 3, key);
      }
      if (url.pathname.startsWith('/private/')) assert.equal(outcome, host.disallowPrivate ? 'robots' : 'ok');
    }
    assert.ok(refused > 0 && traps > 0, `refused ${refused}, traps ${traps}`);
    assert.ok(truth.lowerBoundMs > 0 && truth.boundingHost.crawlDelayMs > 0);
  });
});

/** A small broad web (300 hosts, time scaled down) and a crawl config sized for it. */
const SMALL_WEB = {
  web: { hosts: 300, maxPagesPerHost: 60, timeScale: 0.1 },
  config: {
    parser: { workers: 1 },
    fetch: { concurrency: 32, timeouts: { responseMs: 1_000, requestMs: 3_000 } },
    politeness: { maxBackoffMs: 1_000 },
  },
};

describe('a broad crawl of 300 hosts', () => {
  const newDir = tempDirs('skein-broad-');

  test('stores every reachable URL once, politely, against the ground truth', async (t) => {
    const result = await runBroadCrawlIsolated({
      ...SMALL_WEB,
      dataDir: await newDir(),
    });
    t.diagnostic(`wall ${result.wallMs} ms, politeness lower bound ${result.lowerBoundMs} ms; ${JSON.stringify(result.check.figures)}`);
    assert.deepEqual(result.check.violations, []);
    assert.equal(result.summary.endReason, 'done');
    assert.equal(result.check.figures.stored, result.check.figures.expected);
    assert.equal(result.check.figures.storedByOutcome.ok, result.truthCounts.ok);
    assert.ok(result.check.figures.minGapRatio >= 1, 'Crawl-delays kept');
  });
});

describe('a broad crawl killed with kill -9', () => {
  const newDir = tempDirs('skein-broad-kill-');

  test('resumed three times with the CLI, it still stores every reachable URL once, politely', async (t) => {
    const result = await runBroadKillResumeIsolated(
      {
        ...SMALL_WEB,
        dataDir: await newDir(),
        kills: 3,
        segmentsPerRound: 3,
      },
      170_000,
    );
    t.diagnostic(`killed ${JSON.stringify(result.killed)}; served again after a kill: ${result.servedAgain} pages (at most ${result.mostServed}×); ${JSON.stringify(result.check.figures)}`);
    assert.deepEqual(result.killed, [true, true, true], 'every round was killed mid-crawl');
    assert.equal(result.finalCode, 0, result.stderr);
    assert.deepEqual(result.check.violations, []);
    assert.equal(result.check.figures.stored, result.check.figures.expected);
    assert.equal(result.check.figures.storedByOutcome.ok, result.truthCounts.ok);
    // Each kill costs at most what was in flight or not yet stored: a page is fetched again at most once a kill.
    assert.ok(result.mostServed <= 1 + result.killed.length, `a page served ${result.mostServed} times`);
  });
});
