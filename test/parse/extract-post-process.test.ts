/**
 * Post-processing helpers, table-tested: numbers in many notations, dates to
 * ISO in UTC whatever the machine's zone, URL resolution.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDateIso, parseNumber, resolveUrl } from '../../src/parse/extract-post-process.js';

describe('parseNumber', () => {
  const cases: Array<[string, '.' | ',', number | undefined]> = [
    ['42', '.', 42],
    ['$1,299.99', '.', 1299.99],
    ['1,299', '.', 1299],
    ['1.5 kg', '.', 1.5],
    ['1.299.000', '.', 1299000],
    ['-3 °C', '.', -3],
    ['\u22123.5', '.', -3.5],
    ['Price: 12 items of 5', '.', 12],
    ['€ 1.299,00', ',', 1299],
    ['12,5', ',', 12.5],
    ['1 299,90 €', ',', 1299.9],
    ["CHF 1'299.50", '.', 1299.5],
    ['1\u00a0299', '.', 1299],
    ['n/a', '.', undefined],
    ['', '.', undefined],
  ];
  for (const [text, decimal, expected] of cases) {
    test(`${JSON.stringify(text)} (decimal ${decimal}) → ${expected}`, () => assert.equal(parseNumber(text, decimal), expected));
  }
});

describe('parseDateIso', () => {
  const cases: Array<[string, boolean, string | undefined]> = [
    ['2024-05-01', false, '2024-05-01T00:00:00.000Z'],
    ['2024-05-01T10:30', false, '2024-05-01T10:30:00.000Z'],
    ['2024-05-01 10:30:15', false, '2024-05-01T10:30:15.000Z'],
    ['2024-05-01T10:30:00+02:00', false, '2024-05-01T08:30:00.000Z'],
    ['2024-05-01T10:30:00Z', false, '2024-05-01T10:30:00.000Z'],
    ['Wed, 01 May 2024 10:00:00 GMT', false, '2024-05-01T10:00:00.000Z'],
    ['May 1, 2024', false, '2024-05-01T00:00:00.000Z'],
    ['1 May 2024 18:45', false, '2024-05-01T18:45:00.000Z'],
    ['05/01/2024', false, '2024-05-01T00:00:00.000Z'],
    ['05/01/2024', true, '2024-01-05T00:00:00.000Z'],
    ['31.12.2023 23:59', true, '2023-12-31T23:59:00.000Z'],
    ['31/02/2024', true, undefined],
    ['13/13/2024', false, undefined],
    ['Product 12', false, undefined],
    ['yesterday', false, undefined],
    ['', false, undefined],
  ];
  for (const [text, dayFirst, expected] of cases) {
    test(`${JSON.stringify(text)}${dayFirst ? ' (dayFirst)' : ''} → ${expected}`, () => assert.equal(parseDateIso(text, dayFirst), expected));
  }
});

describe('resolveUrl', () => {
  const cases: Array<[string, string, string | undefined]> = [
    ['/a?b=1', 'https://example.com/x/y', 'https://example.com/a?b=1'],
    [' img/p.png ', 'https://example.com/x/y', 'https://example.com/x/img/p.png'],
    ['//cdn.example.com/z', 'https://example.com/', 'https://cdn.example.com/z'],
    ['http://[bad', 'https://example.com/', undefined],
  ];
  for (const [href, base, expected] of cases) {
    test(`${href} against ${base}`, () => assert.equal(resolveUrl(href, base), expected));
  }
});
