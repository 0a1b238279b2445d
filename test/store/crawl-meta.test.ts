import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { crawlConfigSchema } from '../../src/config/schema.js';
import { StoreError } from '../../src/core/errors.js';
import type { CrawlSummary } from '../../src/core/events.js';
import { CRAWL_META_VERSION, CrawlMeta } from '../../src/store/crawl-meta.js';
import { tempDirs } from '../helpers/crawl-helpers.js';

const newRoot = tempDirs('skein-meta-');
/** A crawl.json path whose directory does not exist yet, inside a fresh temp dir. */
const newFile = async (): Promise<string> => path.join(await newRoot(), 'site', 'crawl.json');

const config = crawlConfigSchema.parse({ name: 'site', seeds: ['https://example.com/'], fetch: { concurrency: 4 } });

function summary(finishedAt: string, endReason: CrawlSummary['endReason'] = 'done'): CrawlSummary {
  return {
    name: 'site',
    startedAt: '2024-01-01T00:00:00.000Z',
    finishedAt,
    durationMs: 1000,
    endReason,
    pages: { ok: 3, failed: 1, skipped: 0 },
    fetched: 4,
    seeds: { finished: 1, reached: 1, problems: [] },
    reasons: { 'http-error': 1 },
    dropped: { offsite: 2 },
    queued: 0,
    bytes: 4096,
    pagesPerSecond: 4,
    dataDir: 'data/site',
  };
}

function isCorrupt(file: string, detail: RegExp): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof StoreError, String(error));
    assert.equal(error.code, 'ERR_STORE_CORRUPT');
    assert.ok(error.message.includes(file), error.message);
    assert.match(error.message, detail);
    assert.match(error.message, /left the file untouched/);
    return true;
  };
}

describe('CrawlMeta', () => {
  test('a missing crawl.json reads as undefined and nothing is created by reading', async () => {
    const file = await newFile();
    assert.equal(await new CrawlMeta(file).read(), undefined);
    await assert.rejects(readdir(path.dirname(file)), { code: 'ENOENT' });
  });

  test('round trip: first run, a killed run, a resumed run, each recorded', async () => {
    const file = await newFile();
    const meta = new CrawlMeta(file);
    await meta.startRun(config, 'site', new Date('2024-01-01T00:00:00Z'));
    await meta.finishRun(summary('2024-01-01T00:10:00.000Z', 'max-pages'));

    // A second run that is killed (never finished), then a resume.
    await new CrawlMeta(file).startRun(config, 'site', new Date('2024-01-02T00:00:00Z'));
    const resumedConfig = crawlConfigSchema.parse({ ...config, fetch: { ...config.fetch, concurrency: 8 } });
    const resumed = new CrawlMeta(file);
    await resumed.startRun(resumedConfig, 'site', new Date('2024-01-03T00:00:00Z'));
    await resumed.finishRun(summary('2024-01-03T00:05:00.000Z'));

    const data = await new CrawlMeta(file).read();
    assert.ok(data);
    assert.equal(data.name, 'site');
    assert.equal(data.version, CRAWL_META_VERSION);
    assert.equal(data.createdAt, '2024-01-01T00:00:00.000Z');
    assert.deepEqual(data.config, resumedConfig);
    assert.deepEqual(
      data.runs.map((run) => [run.startedAt, run.finishedAt, run.endReason]),
      [
        ['2024-01-01T00:00:00.000Z', '2024-01-01T00:10:00.000Z', 'max-pages'],
        ['2024-01-02T00:00:00.000Z', undefined, undefined],
        ['2024-01-03T00:00:00.000Z', '2024-01-03T00:05:00.000Z', 'done'],
      ],
    );
    assert.deepEqual(data.runs[2]?.summary, summary('2024-01-03T00:05:00.000Z'));
    // Written atomically: no temp file remains next to it.
    assert.deepEqual(await readdir(path.dirname(file)), ['crawl.json']);
  });

  test('finishRun without a run in progress is a StoreError', async () => {
    const file = await newFile();
    const meta = new CrawlMeta(file);
    await assert.rejects(meta.finishRun(summary('2024-01-01T00:00:00.000Z')), { name: 'StoreError', code: 'ERR_STORE_STATE' });
    await meta.startRun(config, 'site');
    await meta.finishRun(summary('2024-01-01T00:00:00.000Z'));
    await assert.rejects(meta.finishRun(summary('2024-01-01T00:00:00.000Z')), { code: 'ERR_STORE_STATE' });
  });

  const corruptions: [string, (valid: Record<string, unknown>) => string, RegExp][] = [
    ['truncated JSON', (valid) => JSON.stringify(valid).slice(0, 40), /not valid JSON/],
    ['JSON null', () => 'null', /expected a JSON object/],
    ['no name', ({ name: _name, ...rest }) => JSON.stringify(rest), /"name" must be a non-empty string/],
    ['runs not an array', (valid) => JSON.stringify({ ...valid, runs: 'x' }), /"runs" must be an array/],
    ['a run without startedAt', (valid) => JSON.stringify({ ...valid, runs: [{}] }), /"runs\.0\.startedAt"/],
    [
      'an invalid config value',
      (valid) => JSON.stringify({ ...valid, config: { ...(valid.config as object), fetch: { concurrency: -1 } } }),
      /"config\.fetch\.concurrency"/,
    ],
  ];
  for (const [what, corrupt, detail] of corruptions) {
    test(`a crawl.json with ${what} raises ERR_STORE_CORRUPT naming the file, untouched`, async () => {
      const file = await newFile();
      await new CrawlMeta(file).startRun(config, 'site');
      const valid = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
      const content = corrupt(valid);
      await writeFile(file, content);
      await assert.rejects(new CrawlMeta(file).read(), isCorrupt(file, detail));
      await assert.rejects(new CrawlMeta(file).startRun(config, 'site'), isCorrupt(file, detail));
      assert.equal(await readFile(file, 'utf8'), content);
    });
  }

  test('a crawl.json from a newer skein is refused with ERR_STORE_VERSION', async () => {
    const file = await newFile();
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify({ name: 'site', config, createdAt: 'x', runs: [], version: CRAWL_META_VERSION + 1 }));
    await assert.rejects(new CrawlMeta(file).read(), { name: 'StoreError', code: 'ERR_STORE_VERSION' });
  });
});
