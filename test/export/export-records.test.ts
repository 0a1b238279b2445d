import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import type { PageRecord } from '../../src/core/types.js';
import { ConfigError, CrawlError } from '../../src/core/errors.js';
import { exportRecords, type ExportOptions } from '../../src/export/export-records.js';

function makeRecord(i: number, extra: Partial<PageRecord> = {}): PageRecord {
  return {
    key: `https://shop.example/p/${i}`,
    url: `https://shop.example/p/${i}`,
    redirects: [],
    status: 200,
    contentType: 'text/html; charset=utf-8',
    depth: 1,
    fetchedAt: '2024-05-01T12:00:00.000Z',
    outcome: 'ok',
    bytes: 1000 + i,
    timings: { waitMs: 10, downloadMs: 5, parseMs: 2, totalMs: 20 + i },
    title: `Product ${i}`,
    ...extra,
  };
}

const RECORDS: PageRecord[] = [
  makeRecord(1, {
    title: 'Chairs, tables & "sofas"',
    h1: ['Chairs', 'Tables'],
    fields: { price: 19.99, author: { name: 'Zoë Ørsted' }, tags: ['a', 'b'] },
    redirects: [{ url: 'http://shop.example/p/1', status: 301 }],
  }),
  makeRecord(2, {
    title: 'Multi\nline\r\ntitle',
    description: '日本語のテキスト 🎉',
    fields: { price: 5, sku: 'X-2' },
  }),
  makeRecord(3, {
    outcome: 'failed',
    status: 503,
    reason: 'http-error',
    error: { code: 'ERR_HTTP', message: 'Service Unavailable, try later' },
    title: undefined,
  }),
];

/** Yields records like a store would, counting passes and whether each pass was closed. */
function source(records: readonly PageRecord[]) {
  const stats = { opened: 0, closed: 0, produced: 0 };
  const open = (): AsyncIterable<PageRecord> => {
    stats.opened++;
    return (async function* () {
      try {
        for (const r of records) {
          stats.produced++;
          yield structuredClone(r);
        }
      } finally {
        stats.closed++;
      }
    })();
  };
  return { open, stats };
}

/** A Writable collecting everything written to it as text. */
function collector(options: { highWaterMark?: number; slow?: boolean } = {}) {
  const chunks: string[] = [];
  const stream = new Writable({
    highWaterMark: options.highWaterMark ?? 16 * 1024,
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString('utf8'));
      if (options.slow === true) setImmediate(cb);
      else cb();
    },
  });
  return { stream, text: () => chunks.join('') };
}

async function exportToText(records: readonly PageRecord[], opts: ExportOptions) {
  const { open, stats } = source(records);
  const out = collector();
  const result = await exportRecords(open, out.stream, opts);
  return { text: out.text(), result, stats };
}

/** Minimal RFC 4180 parser (CRLF rows, quoted fields), for checking CSV output. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
    i++;
  }
  assert.equal(field, '', 'CSV must end with CRLF');
  assert.equal(row.length, 0, 'CSV must end with CRLF');
  return rows;
}

function csvObjects(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  assert.ok(header);
  for (const row of rows) assert.equal(row.length, header.length, 'every row has every column');
  return rows.map((row) => Object.fromEntries(header.map((h, i) => [h, row[i]!])));
}

describe('jsonl', () => {
  test('one JSON object per line, records unchanged, unicode intact', async () => {
    const { text, result } = await exportToText(RECORDS, { format: 'jsonl' });
    assert.equal(result.records, 3);
    assert.ok(text.endsWith('}\n'));
    const lines = text.split('\n');
    assert.equal(lines.pop(), '');
    assert.deepEqual(lines.map((l) => JSON.parse(l)), JSON.parse(JSON.stringify(RECORDS)));
    assert.ok(text.includes('日本語のテキスト 🎉'));
  });
  test('fields selection keeps the nested shape', async () => {
    const { text } = await exportToText(RECORDS, { format: 'jsonl', fields: ['url', 'status', 'fields.price', 'timings.totalMs'] });
    assert.deepEqual(text.trimEnd().split('\n').map((l) => JSON.parse(l)), [
      { url: 'https://shop.example/p/1', status: 200, fields: { price: 19.99 }, timings: { totalMs: 21 } },
      { url: 'https://shop.example/p/2', status: 200, fields: { price: 5 }, timings: { totalMs: 22 } },
      { url: 'https://shop.example/p/3', status: 503, timings: { totalMs: 23 } },
    ]);
  });
  test('empty store: empty output', async () => {
    const { text, result } = await exportToText([], { format: 'jsonl' });
    assert.equal(text, '');
    assert.equal(result.records, 0);
  });
});

describe('json', () => {
  test('a valid array of the records, ending with a newline', async () => {
    const { text, result } = await exportToText(RECORDS, { format: 'json' });
    assert.equal(result.records, 3);
    assert.ok(text.startsWith('[\n') && text.endsWith('\n]\n'));
    assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(RECORDS)));
  });
  test('fields selection', async () => {
    const { text } = await exportToText(RECORDS.slice(0, 1), { format: 'json', fields: ['title', 'fields.author.name', 'h1'] });
    assert.deepEqual(JSON.parse(text), [{ title: 'Chairs, tables & "sofas"', fields: { author: { name: 'Zoë Ørsted' } }, h1: ['Chairs', 'Tables'] }]);
  });
  test('empty store: []', async () => {
    const { text, result } = await exportToText([], { format: 'json' });
    assert.equal(text, '[]\n');
    assert.deepEqual(JSON.parse(text), []);
    assert.equal(result.records, 0);
  });
});

describe('csv', () => {
  test('discovered columns in a stable order, two passes over the store', async () => {
    const { text, result, stats } = await exportToText(RECORDS, { format: 'csv' });
    assert.equal(result.records, 3);
    assert.equal(stats.opened, 2);
    assert.equal(stats.closed, 2);
    const header = parseCsv(text)[0];
    assert.deepEqual(header, [
      'key', 'url', 'redirects', 'status', 'contentType', 'depth', 'fetchedAt', 'outcome', 'reason',
      'error.code', 'error.message', 'bytes', 'timings.waitMs', 'timings.downloadMs', 'timings.parseMs', 'timings.totalMs',
      'title', 'description', 'h1', 'fields.author.name', 'fields.price', 'fields.sku', 'fields.tags',
    ]);
  });
  test('cells: quoting round-trips, arrays joined, objects flattened or JSON, unicode', async () => {
    const { text } = await exportToText(RECORDS, { format: 'csv' });
    const [r1, r2, r3] = csvObjects(text);
    assert.ok(r1 && r2 && r3);
    assert.equal(r1.title, 'Chairs, tables & "sofas"');
    assert.equal(r1.h1, 'Chairs | Tables');
    assert.equal(r1.redirects, '[{"url":"http://shop.example/p/1","status":301}]');
    assert.equal(r1['fields.author.name'], 'Zoë Ørsted');
    assert.equal(r1['fields.price'], '19.99');
    assert.equal(r1['fields.tags'], 'a | b');
    assert.equal(r1['error.code'], '');
    assert.equal(r2.title, 'Multi\nline\r\ntitle');
    assert.equal(r2.description, '日本語のテキスト 🎉');
    assert.equal(r2['fields.sku'], 'X-2');
    assert.equal(r2.redirects, '');
    assert.equal(r3.title, '');
    assert.equal(r3['error.message'], 'Service Unavailable, try later');
    assert.equal(r3['timings.totalMs'], '23');
    assert.ok(text.includes('"Chairs, tables & ""sofas"""'));
  });
  test('fields selection: exactly those columns, one pass', async () => {
    const { text, stats } = await exportToText(RECORDS, { format: 'csv', fields: ['url', 'status', 'title', 'fields.price', 'h1', 'timings'] });
    assert.equal(stats.opened, 1);
    assert.deepEqual(parseCsv(text), [
      ['url', 'status', 'title', 'fields.price', 'h1', 'timings'],
      ['https://shop.example/p/1', '200', 'Chairs, tables & "sofas"', '19.99', 'Chairs | Tables', '{"waitMs":10,"downloadMs":5,"parseMs":2,"totalMs":21}'],
      ['https://shop.example/p/2', '200', 'Multi\nline\r\ntitle', '5', '', '{"waitMs":10,"downloadMs":5,"parseMs":2,"totalMs":22}'],
      ['https://shop.example/p/3', '503', '', '', '', '{"waitMs":10,"downloadMs":5,"parseMs":2,"totalMs":23}'],
    ]);
  });
  test('empty store: header only', async () => {
    const { text, result } = await exportToText([], { format: 'csv' });
    assert.equal(result.records, 0);
    assert.equal(text, 'key,url,redirects,depth,fetchedAt,outcome,bytes,timings.waitMs,timings.downloadMs,timings.parseMs,timings.totalMs\r\n');
    const selected = await exportToText([], { format: 'csv', fields: ['url', 'fields.price'] });
    assert.equal(selected.text, 'url,fields.price\r\n');
  });
});

describe('validation', () => {
  for (const format of ['jsonl', 'csv', 'json'] as const) {
    test(`${format}: unknown fields → ConfigError listing the available fields; nothing read or written`, async () => {
      const { open, stats } = source(RECORDS);
      const out = collector();
      await assert.rejects(exportRecords(open, out.stream, { format, fields: ['url', 'price', 'timings.cpuMs'] }), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.field, 'fields');
        assert.match(err.message, /unknown fields "price", "timings\.cpuMs"; available: key, url, .*timings\.waitMs.*fields\.<name>/);
        return true;
      });
      assert.equal(stats.opened, 0);
      assert.equal(out.text(), '');
    });
  }
  test('unknown format → ConfigError', async () => {
    const { open } = source(RECORDS);
    await assert.rejects(exportRecords(open, collector().stream, { format: 'xml' as 'json' }), ConfigError);
  });
});

describe('backpressure', () => {
  for (const format of ['jsonl', 'csv', 'json'] as const) {
    test(`${format}: a slow writer is never flooded and the producer waits for it`, async () => {
      const total = 400;
      let produced = 0;
      let maxBuffered = 0;
      let maxAhead = 0;
      const chunks: string[] = [];
      const out = new Writable({
        highWaterMark: 512,
        write(chunk: Buffer, _enc, cb) {
          chunks.push(chunk.toString('utf8'));
          setImmediate(cb);
        },
      });
      const open = async function* (): AsyncGenerator<PageRecord> {
        for (let i = 0; i < total; i++) {
          maxBuffered = Math.max(maxBuffered, out.writableLength);
          const consumed = chunks.join('').split('\n').length - 1;
          maxAhead = Math.max(maxAhead, produced - consumed);
          produced++;
          yield makeRecord(i);
        }
      };
      let drains = 0;
      out.on('drain', () => drains++);
      const result = await exportRecords(open, out, { format, fields: ['url', 'title'] });
      assert.equal(result.records, total);
      assert.ok(drains > 10, `expected the exporter to wait for drain, saw ${drains}`);
      // One chunk is about the high-water mark (512) plus one record line (~60 chars).
      assert.ok(maxBuffered < 1024, `writable buffer grew to ${maxBuffered}`);
      assert.ok(maxAhead < 30, `producer ran ${maxAhead} records ahead of the writer`);
      const text = chunks.join('');
      if (format === 'json') assert.equal(JSON.parse(text).length, total);
      if (format === 'jsonl') assert.equal(text.trimEnd().split('\n').length, total);
      if (format === 'csv') assert.equal(parseCsv(text).length, total + 1);
    });
  }

  test('end: true ends the stream after the last write', async () => {
    const { open } = source(RECORDS);
    const out = collector({ slow: true, highWaterMark: 64 });
    const result = await exportRecords(open, out.stream, { format: 'jsonl', end: true });
    assert.equal(result.records, 3);
    assert.equal(out.stream.writableFinished, true);
    assert.equal(out.text().trimEnd().split('\n').length, 3);
  });

  test('without end the stream stays open', async () => {
    const { open } = source(RECORDS);
    const out = collector();
    await exportRecords(open, out.stream, { format: 'json' });
    assert.equal(out.stream.writableEnded, false);
  });
});

describe('reader goes away', () => {
  function failingWritable(afterChunks: number, code: string): Writable {
    let n = 0;
    return new Writable({
      highWaterMark: 256,
      write(_chunk, _enc, cb) {
        n++;
        if (n > afterChunks) cb(Object.assign(new Error(`write ${code}`), { code }));
        else setImmediate(cb);
      },
    });
  }

  for (const format of ['jsonl', 'csv', 'json'] as const) {
    test(`${format}: EPIPE ends quietly with the records written so far and closes the store`, async () => {
      const many = Array.from({ length: 500 }, (_, i) => makeRecord(i));
      const { open, stats } = source(many);
      const out = failingWritable(3, 'EPIPE');
      const result = await exportRecords(open, out, { format, fields: ['url'] });
      assert.ok(result.records > 0 && result.records < 500, `records: ${result.records}`);
      assert.ok(stats.produced < 500, 'stopped reading the store');
      assert.equal(stats.closed, stats.opened, 'every pass over the store was closed');
      // A late error event on the dead stream must not crash the process.
      out.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    });
  }

  test('a stream destroyed by its reader ends quietly', async () => {
    const many = Array.from({ length: 500 }, (_, i) => makeRecord(i));
    const { open, stats } = source(many);
    let n = 0;
    const out = new Writable({
      highWaterMark: 256,
      write(_chunk, _enc, cb) {
        if (++n === 3) out.destroy();
        setImmediate(cb);
      },
    });
    const result = await exportRecords(open, out, { format: 'jsonl' });
    assert.ok(result.records < 500);
    assert.equal(stats.closed, 1);
  });

  test('other write errors reject with ERR_EXPORT_WRITE and keep the cause', async () => {
    const many = Array.from({ length: 500 }, (_, i) => makeRecord(i));
    const { open, stats } = source(many);
    await assert.rejects(exportRecords(open, failingWritable(2, 'ENOSPC'), { format: 'jsonl' }), (err: unknown) => {
      assert.ok(err instanceof CrawlError);
      assert.equal(err.code, 'ERR_EXPORT_WRITE');
      assert.equal((err.cause as { code?: string }).code, 'ENOSPC');
      return true;
    });
    assert.equal(stats.closed, 1);
  });

  test('process.stdout piped into a reader that closes early (| head) exits cleanly', async () => {
    const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
    const moduleUrl = new URL(`../../src/export/export-records.${ext}`, import.meta.url).href;
    const script = `
      const { exportRecords } = await import(${JSON.stringify(moduleUrl)});
      async function* records() {
        for (let i = 0; i < 200000; i++) yield { key: 'k' + i, url: 'https://a.example/' + i, redirects: [], depth: 0,
          fetchedAt: '2024-01-01T00:00:00.000Z', outcome: 'ok', bytes: i, timings: { waitMs: 0, downloadMs: 0, parseMs: 0, totalMs: 0 } };
      }
      const result = await exportRecords(records, process.stdout, { format: 'csv', fields: ['url', 'bytes'] });
      process.stderr.write('exported ' + result.records + '\\n');
    `;
    // Keep only module loaders (tsx when run from source); drop test-runner flags.
    const loaderArgs: string[] = [];
    for (let i = 0; i < process.execArgv.length; i++) {
      const arg = process.execArgv[i]!;
      if ((arg === '--import' || arg === '--require' || arg === '--loader') && i + 1 < process.execArgv.length) {
        loaderArgs.push(arg, process.execArgv[++i]!);
      } else if (/^--(import|require|loader)=/.test(arg)) loaderArgs.push(arg);
    }
    const child = spawn(process.execPath, [...loaderArgs, '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const [first] = (await once(child.stdout, 'data')) as [Buffer];
    assert.ok(first.toString('utf8').startsWith('url,bytes\r\n'));
    child.stdout.destroy();
    const [exitCode] = (await once(child, 'close')) as [number | null];
    assert.equal(exitCode, 0, stderr);
    const match = /exported (\d+)/.exec(stderr);
    assert.ok(match, stderr);
    assert.ok(Number(match[1]) < 200000, stderr);
  });
});
