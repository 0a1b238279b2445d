/**
 * The report file as written (render-report.ts): the data streamed into it
 * (JSON in pieces, gzip, base64 in chunks) reads back as exactly the data,
 * and the file is the page a browser opens.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeOutFile } from '../../src/cli/write-out-file.js';
import type { PageRecord } from '../../src/core/types.js';
import { collectReport } from '../../src/report/collect-report.js';
import { jsonPieces, writeReport } from '../../src/report/render-report.js';
import { tempDirs } from '../helpers/crawl-helpers.js';
import { readReportData } from '../helpers/report-file.js';

const O = 'https://site.test';

/** A page with text that does not compress away, so gzip yields many chunks of uneven length. */
function record(n: number): PageRecord {
  const url = `${O}/p/${n.toString(36)}-${(n * 2654435761) % 1000003}`;
  return {
    key: url, url, finalUrl: url, redirects: n % 7 === 0 ? [{ url, status: 301 }] : [], status: n % 11 === 0 ? 404 : 200,
    contentType: 'text/html; charset=utf-8', depth: n % 5, fetchedAt: new Date(1_700_000_000_000 + n).toISOString(),
    outcome: n % 11 === 0 ? 'failed' : 'ok', bytes: 1000 + ((n * 7919) % 50_000), charset: 'utf-8',
    timings: { waitMs: (n * 31) % 900, downloadMs: n % 13, parseMs: 1, totalMs: 20 },
    title: `Tïtle "${n}" <${(n * 104729) % 99991}> é€😀`, description: `About ${(n * 15485863) % 1000}`, h1: [`H ${n}`],
    contentHash: `hash${n % 3000}`, links: [`${O}/p/${((n + 1) * 3).toString(36)}`, 'https://elsewhere.test/x'], linkText: [`next ${n}`, ''],
  };
}

describe('the report file', () => {
  const newDir = tempDirs();

  test('jsonPieces joined are JSON.stringify: undefined properties, nested and empty arrays, long arrays, odd strings', () => {
    const long = Array.from({ length: 20_000 }, (_, i) => (i % 3 === 0 ? `s${i}"\\\u2028é😀` : i % 3 === 1 ? [i, [i]] : i));
    const values: unknown[] = [
      { a: 1, skipped: undefined, b: [], c: {}, d: [undefined, null, 'x'], e: { f: [[1, 2], []] }, g: new Date(0), h: 'q"</script>' },
      long, [], {}, 'text', 0, null, { only: undefined },
    ];
    for (const value of values) assert.equal([...jsonPieces(value)].join(''), JSON.stringify(value));
    const column = Int32Array.from({ length: 20_000 }, (_, i) => (i % 2 ? -i : i * 1000));
    assert.equal([...jsonPieces({ column, empty: new Int32Array(0) })].join(''), JSON.stringify({ column: Array.from(column), empty: [] }), 'page columns as arrays');
  });

  test('the data read back from the written file equals the report data, and the size returned is the file size', async () => {
    const records = Array.from({ length: 30_000 }, (_, n) => record(n));
    const data = await collectReport((async function* () { yield* records; })(), { name: 'big', dirs: ['data/big'] });
    const file = join(await newDir(), 'report.html');
    const bytes = await writeOutFile(file, (stream) => writeReport(data, stream));
    assert.equal(bytes, (await stat(file)).size);
    assert.ok(bytes > 300_000, `a large embedded part (${bytes} bytes)`);
    const plain = JSON.parse(JSON.stringify(data, (_, value: unknown) => (value instanceof Int32Array ? Array.from(value) : value)));
    assert.deepEqual(await readReportData(file), plain);
    const html = await readFile(file, 'utf8');
    const base64 = /<script id="report-data" type="application\/gzip;base64">([^<]*)<\/script>/.exec(html)![1]!;
    assert.match(base64, /^[A-Za-z0-9+/]+={0,2}$/, 'one base64 text: padding only at its end, no line breaks');
    assert.match(html, /^<!doctype html>[\s\S]*<\/html>\n$/);
  });
});
