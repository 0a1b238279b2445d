import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PageRecord } from '../../src/core/types.js';
import { ConfigError } from '../../src/core/errors.js';
import { flattenRecord, formatCell, orderColumns } from '../../src/export/flatten-record.js';
import { availableFields, getField, pickFields, validateFields } from '../../src/export/record-fields.js';
import { csvField, csvRow } from '../../src/export/csv-exporter.js';

const record: PageRecord = {
  key: 'https://a.com/',
  url: 'https://a.com/',
  redirects: [{ url: 'http://a.com/', status: 301 }],
  status: 200,
  depth: 0,
  fetchedAt: '2024-01-01T00:00:00.000Z',
  outcome: 'ok',
  bytes: 1234,
  timings: { waitMs: 1, downloadMs: 2, parseMs: 3, totalMs: 6 },
  h2: ['One', 'Two'],
  fields: { price: 9.5, author: { name: 'Zoë' }, tags: ['a', 'b'], offers: [{ p: 1 }], 'og.title': 'T', empty: {} },
};

describe('formatCell', () => {
  const rows: [unknown, string][] = [
    [undefined, ''],
    [null, ''],
    ['text, with "quotes"', 'text, with "quotes"'],
    [42, '42'],
    [0, '0'],
    [false, 'false'],
    [['a', 'b', 3, null], 'a | b | 3 | '],
    [[], ''],
    [[{ a: 1 }, 'x'], '[{"a":1},"x"]'],
    [[['nested']], '[["nested"]]'],
    [{ a: 1 }, '{"a":1}'],
  ];
  for (const [value, expected] of rows) {
    test(`${JSON.stringify(value)} → ${JSON.stringify(expected)}`, () => assert.equal(formatCell(value), expected));
  }
});

describe('flattenRecord', () => {
  test('nested objects become dotted columns, arrays one cell', () => {
    const flat = flattenRecord(record);
    assert.equal(flat.get('timings.waitMs'), '1');
    assert.equal(flat.get('redirects'), '[{"url":"http://a.com/","status":301}]');
    assert.equal(flat.get('h2'), 'One | Two');
    assert.equal(flat.get('fields.price'), '9.5');
    assert.equal(flat.get('fields.author.name'), 'Zoë');
    assert.equal(flat.get('fields.tags'), 'a | b');
    assert.equal(flat.get('fields.offers'), '[{"p":1}]');
    assert.equal(flat.get('fields.og.title'), 'T');
    assert.equal(flat.has('fields.empty'), false);
    assert.equal(flat.has('timings'), false);
    assert.equal(flat.has('title'), false);
  });
});

describe('orderColumns', () => {
  test('required columns always, known keys in PageRecord order, then fields.* sorted', () => {
    const columns = orderColumns(['fields.zeta', 'title', 'fields.Alpha', 'fields.alpha', 'error.message', 'error.code', 'status', 'timings.extraMs', 'node', 'custom']);
    assert.deepEqual(columns, [
      'key', 'url', 'redirects', 'status', 'depth', 'fetchedAt', 'outcome', 'error.code', 'error.message', 'bytes',
      'timings.waitMs', 'timings.downloadMs', 'timings.parseMs', 'timings.totalMs', 'timings.extraMs',
      'title', 'node', 'custom', 'fields.Alpha', 'fields.alpha', 'fields.zeta',
    ]);
  });
  test('nothing discovered → the required columns', () => {
    assert.deepEqual(orderColumns([]), ['key', 'url', 'redirects', 'depth', 'fetchedAt', 'outcome', 'bytes', 'timings.waitMs', 'timings.downloadMs', 'timings.parseMs', 'timings.totalMs']);
  });
});

describe('field selection', () => {
  test('validateFields trims and dedupes, keeping order', () => {
    assert.deepEqual(validateFields([' url', 'status', 'url', 'fields.price', 'timings.waitMs']), ['url', 'status', 'fields.price', 'timings.waitMs']);
  });
  for (const bad of [['nope'], ['url', 'timings.nope', 'fields.'], ['error.stack'], ['fields..x'], []]) {
    test(`validateFields rejects ${JSON.stringify(bad)}`, () => {
      assert.throws(() => validateFields(bad), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.field, 'fields');
        for (const name of bad.filter((n) => !['url'].includes(n))) assert.ok(err.message.includes(JSON.stringify(name)), err.message);
        assert.ok(err.message.includes('available: key, url, finalUrl'), err.message);
        assert.ok(err.message.includes('timings.waitMs') && err.message.includes('fields.<name>'), err.message);
        return true;
      });
    });
  }
  test('availableFields lists every top-level key and known sub-key', () => {
    const names = availableFields();
    assert.ok(names.includes('error.code') && names.includes('charset') && names.includes('node'));
  });
  test('getField resolves dotted names, literal dotted field names first', () => {
    assert.equal(getField(record, 'fields.author.name'), 'Zoë');
    assert.equal(getField(record, 'fields.og.title'), 'T');
    assert.equal(getField(record, 'timings.totalMs'), 6);
    assert.equal(getField(record, 'fields.missing.deep'), undefined);
    assert.equal(getField(record, 'error.code'), undefined);
  });
  test('pickFields keeps the record shape, leaves out absent values and does not mutate', () => {
    const before = structuredClone(record);
    const picked = pickFields(record, ['url', 'timings', 'timings.waitMs', 'fields.price', 'fields.author.name', 'fields.og.title', 'title']);
    assert.deepEqual(picked, {
      url: 'https://a.com/',
      timings: { waitMs: 1, downloadMs: 2, parseMs: 3, totalMs: 6 },
      fields: { price: 9.5, author: { name: 'Zoë' }, 'og.title': 'T' },
    });
    assert.deepEqual(record, before);
  });
});

describe('CSV quoting (RFC 4180)', () => {
  const rows: [string, string][] = [
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', '"line\nbreak"'],
    ['cr\rlf', '"cr\rlf"'],
    ['', ''],
    [' spaced ', ' spaced '],
    ['日本語', '日本語'],
  ];
  for (const [text, expected] of rows) {
    test(`${JSON.stringify(text)} → ${JSON.stringify(expected)}`, () => assert.equal(csvField(text), expected));
  }
  test('rows end in CRLF', () => assert.equal(csvRow(['a', 'b,c']), 'a,"b,c"\r\n'));
});
