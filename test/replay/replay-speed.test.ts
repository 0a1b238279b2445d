/**
 * A replay does not wait: a recorded robots.txt Crawl-delay of 5 s and a
 * 503 with Retry-After: 60 cost nothing unless politeness is asked for. Also
 * shows that a hand-written nock fixture (no skein metadata) replays with
 * seeds from the config.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FixtureDefinition } from '../../src/replay/fixture-definition.js';
import { replayCrawl } from '../../src/replay/replay-crawl.js';

const scope = 'http://polite.example.test';
const html = (title: string, links: string[]) => `<html><head><title>${title}</title></head><body>${links.map((l) => `<a href="${l}">${l}</a>`).join('')}</body></html>`;
const page = (path: string, status: number, response: string, headers: Record<string, string> = {}): FixtureDefinition => ({
  scope,
  method: 'GET',
  path,
  status,
  rawHeaders: { 'content-type': path === '/robots.txt' ? 'text/plain' : 'text/html', 'content-length': String(Buffer.byteLength(response)), ...headers },
  response,
});

const fixture: FixtureDefinition[] = [
  page('/robots.txt', 200, 'User-agent: *\nCrawl-delay: 5\n'),
  page('/', 200, html('Home', ['/a', '/b', '/busy'])),
  page('/a', 200, html('A', ['/'])),
  page('/b', 200, html('B', ['/a'])),
  // Recorded: a 503 with a long Retry-After, then the retry's 200.
  page('/busy', 503, 'busy', { 'retry-after': '60' }),
  page('/busy', 200, html('Busy, then fine', [])),
];

test('no politeness waits in a replay: Crawl-delay and Retry-After are skipped', async () => {
  const started = performance.now();
  const { summary, records } = await replayCrawl({
    fixture,
    config: { seeds: [`${scope}/`], politeness: { sitemaps: false }, parser: { mode: 'inline' } },
  });
  const elapsedMs = performance.now() - started;
  assert.equal(summary.endReason, 'done');
  assert.deepEqual(
    records.map((r) => [r.key, r.outcome, r.title]),
    [
      [`${scope}/`, 'ok', 'Home'],
      [`${scope}/a`, 'ok', 'A'],
      [`${scope}/b`, 'ok', 'B'],
      [`${scope}/busy`, 'ok', 'Busy, then fine'],
    ],
  );
  // Live, this crawl takes over 60 s (Retry-After) plus 5 s between requests.
  assert.ok(elapsedMs < 5_000, `replay took ${elapsedMs.toFixed(0)} ms`);
});
