import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nextSteps, type NextStepContext } from '../../src/cli/next-steps.js';
import { commandHint, shellWord } from '../../src/core/command-hint.js';
import type { CrawlSummary } from '../../src/core/events.js';

const summary = (endReason: CrawlSummary['endReason'], queued: number): CrawlSummary => ({
  name: 'site',
  startedAt: '',
  finishedAt: '',
  durationMs: 1,
  endReason,
  pages: { ok: 1, failed: 0, skipped: 0 },
  fetched: 1,
  seeds: { finished: 1, reached: 1, problems: [] },
  reasons: {},
  dropped: {},
  queued,
  bytes: 0,
  pagesPerSecond: 1,
  dataDir: 'crawls/site',
});

describe('nextSteps', () => {
  const context = (continueBy: NextStepContext['continueBy'], dataDir = 'crawls'): NextStepContext => ({ dataDir, maxPages: 50, continueBy });
  const rows: Array<[string, CrawlSummary, NextStepContext, RegExp[], RegExp[]]> = [
    ['done: only export', summary('done', 0), context('resume'), [/export with: skein export site --format jsonl --data-dir crawls\)$/], [/resume/]],
    ['interrupted: resume with the data dir', summary('interrupted', 9), context('resume'), [/continue with: skein resume site --data-dir crawls\)/], [/max-pages/]],
    ['max-pages: raise the limit', summary('max-pages', 9), context('resume'), [/limit of 50 pages fetched reached, 9 URLs still queued \(raise it to go on: skein resume site --max-pages 100 --data-dir crawls\)/], [/continue with/]],
    ['default data dir: not named', summary('interrupted', 9), context('resume', 'data'), [/continue with: skein resume site\)/], [/--data-dir/]],
    ['distributed node: rejoin, never --resume', summary('max-pages', 9), context('rejoin'), [/rejoins it when the same command runs again/], [/resume/]],
    ['demo: nothing to continue', summary('interrupted', 9), context('none'), [/still queued: 9$/m], [/resume/]],
  ];
  for (const [name, s, c, present, absent] of rows) {
    test(name, () => {
      const text = nextSteps(s, c).join('\n');
      for (const re of present) assert.match(text, re);
      for (const re of absent) assert.doesNotMatch(text, re);
    });
  }
});

describe('commandHint', () => {
  test('quotes what a shell would split or expand', () => {
    assert.equal(shellWord('crawls/site-1.x'), 'crawls/site-1.x');
    assert.equal(shellWord('my crawls'), `'my crawls'`);
    assert.equal(shellWord(`it's $HOME`), `'it'\\''s $HOME'`);
    assert.equal(commandHint(['resume', 'a b'], '/tmp/x y'), `skein resume 'a b' --data-dir '/tmp/x y'`);
    assert.equal(commandHint(['export', 'site'], 'data'), 'skein export site');
  });
});
