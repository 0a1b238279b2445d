/**
 * `skein crawl --record` / `--replay` through the built binary: record a local
 * site, stop it, replay with no network, same stored records; a replay with
 * another extraction config; a bad fixture is a usage error.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CrawlSummary } from '../../src/core/events.js';
import type { PageRecord } from '../../src/core/types.js';
import { comparableRecord } from '../../src/replay/replay-crawl.js';
import { storedRecords, tempDataDir } from '../helpers/crawl-helpers.js';
import { MOVED_TITLE, startReplaySite } from '../helpers/replay-site.js';
import { runCli } from '../helpers/run-cli.js';

const comparable = (records: Map<string, PageRecord>) => [...records.values()].sort((a, b) => (a.key < b.key ? -1 : 1)).map(comparableRecord);

describe('skein crawl --record / --replay', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let fixture: string;
  let live: Map<string, PageRecord>;
  let recordOutput: string;

  before(async () => {
    tmp = await tempDataDir();
    fixture = join(tmp.dir, 'fixtures', 'site.json');
    const site = await startReplaySite({ pages: 8 });
    try {
      const result = await runCli(['crawl', `${site.url}/`, '--record', fixture, '--name', 'live', '--data-dir', tmp.dir, '--concurrency', '1', '--per-host', '1', '--workers', '1']);
      assert.equal(result.code, 0, result.stderr);
      recordOutput = result.stderr;
    } finally {
      await site.close();
    }
    live = await storedRecords(tmp.dir, 'live');
  });

  after(() => tmp.cleanup());

  test('--record reports the fixture it wrote', async () => {
    const { size } = await stat(fixture);
    assert.match(recordOutput, new RegExp(`recorded \\d+ exchanges to ${fixture.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(${(size / 1024).toFixed(1)} KiB\\)`));
  });

  test('--replay runs the recorded crawl offline: same records, run after run', async () => {
    // The second run parses in-process: the parser mode does not change the records either.
    for (const parser of ['process', 'inline']) {
      const result = await runCli(['crawl', '--replay', fixture, '--data-dir', tmp.dir, '--json', '--parser', parser]);
      assert.equal(result.code, 0, result.stderr);
      const summary = JSON.parse(result.stdout) as CrawlSummary;
      assert.equal(summary.name, 'replay-site');
      assert.equal(summary.endReason, 'done');
      assert.deepEqual(comparable(await storedRecords(tmp.dir, 'replay-site')), comparable(live));
    }
  });

  test('--replay with a config file: new extraction rules over the recorded pages', async () => {
    const config = join(tmp.dir, 'extract.json');
    await writeFile(config, JSON.stringify({ extract: { module: join(process.cwd(), 'test/fixtures/replay/heading-extractor.mjs') } }));
    const result = await runCli(['crawl', '--replay', fixture, '--config', config, '--name', 'with-fields', '--data-dir', tmp.dir, '-q', '--parser', 'inline']);
    assert.equal(result.code, 0, result.stderr);
    const records = await storedRecords(tmp.dir, 'with-fields');
    const moved = [...records.values()].find((r) => r.finalUrl?.endsWith('/moved'));
    assert.equal(moved?.fields?.heading, MOVED_TITLE);
    assert.equal(records.size, live.size);
  });

  test('a fixture that is not one: exit 2, names the file', async () => {
    const bad = join(tmp.dir, 'bad.json');
    await writeFile(bad, '{"not": "an array"}');
    const result = await runCli(['crawl', '--replay', bad, '--data-dir', tmp.dir]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /bad\.json" must hold a JSON array/);
  });
});
