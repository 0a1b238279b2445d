import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { charsetFromContentType, decodeBody, resolveEncodingLabel } from '../../src/parse/decode-body.js';
import { compileParseRules, parsePage } from '../../src/parse/parse-page.js';
import { testRules } from '../helpers/parse-rules.js';

/** Concatenates ASCII strings and raw byte values into one body. */
function bytes(...parts: Array<string | readonly number[]>): Uint8Array {
  const out: number[] = [];
  for (const part of parts) {
    if (typeof part === 'string') for (let i = 0; i < part.length; i++) out.push(part.charCodeAt(i));
    else out.push(...part);
  }
  return Uint8Array.from(out);
}

// Hand-encoded characters (no encoder library needed):
const CAFE_1252 = ['caf', [0xe9]] as const; // "café" in windows-1252 / iso-8859-1
const EURO_1252 = [0x80]; // "€" in windows-1252 (iso-8859-1 labels mean windows-1252)
const NIHON_SJIS = [0x93, 0xfa, 0x96, 0x7b]; // "日本" in Shift_JIS
const CAFE_UTF8 = [0x63, 0x61, 0x66, 0xc3, 0xa9]; // "café" in UTF-8

describe('charsetFromContentType', () => {
  const cases: Array<[string | undefined, string | undefined]> = [
    ['text/html; charset=utf-8', 'utf-8'],
    ['text/html;charset="Shift_JIS"', 'Shift_JIS'],
    ['text/html; CHARSET = latin1 ; foo=bar', 'latin1'],
    ['text/html', undefined],
    ['text/html; charset=', undefined],
    [undefined, undefined],
  ];
  for (const [header, expected] of cases) {
    test(`${header} → ${expected}`, () => assert.equal(charsetFromContentType(header), expected));
  }
});

describe('resolveEncodingLabel', () => {
  const cases: Array<[string, string | undefined]> = [
    ['utf8', 'UTF-8'],
    ['ISO-8859-1', 'windows-1252'],
    ['latin1', 'windows-1252'],
    ['sjis', 'Shift_JIS'],
    ['x-bogus', undefined],
    ['iso-2022-kr', undefined],
  ];
  for (const [label, expected] of cases) {
    test(`${label} → ${expected}`, () => assert.equal(resolveEncodingLabel(label), expected));
  }
});

describe('decodeBody priority (WHATWG): BOM > header > meta > UTF-8, then a late meta', () => {
  test('the header label beats <meta charset>', () => {
    const body = bytes('<meta charset="utf-8"><p>', ...CAFE_1252, '</p>');
    const decoded = decodeBody(body, 'text/html; charset=windows-1252');
    assert.equal(decoded.charset, 'windows-1252');
    assert.equal(decoded.source, 'header');
    assert.match(decoded.text, /café/);
  });

  test('a UTF-8 BOM beats <meta charset> and is removed', () => {
    const decoded = decodeBody(bytes([0xef, 0xbb, 0xbf], '<meta charset="windows-1252"><p>', CAFE_UTF8, '</p>'), 'text/html');
    assert.equal(decoded.charset, 'UTF-8');
    assert.ok(decoded.text.startsWith('<meta'));
    assert.match(decoded.text, /café/);
  });

  test('a UTF-16LE BOM', () => {
    const decoded = decodeBody(Uint8Array.from([0xff, 0xfe, 0x3c, 0x00, 0x70, 0x00, 0x3e, 0x00, 0xe9, 0x00]));
    assert.equal(decoded.charset, 'UTF-16LE');
    assert.equal(decoded.text, '<p>é');
  });

  test('<meta charset=windows-1252>', () => {
    const decoded = decodeBody(bytes('<html><head><meta charset="windows-1252"></head><p>', ...CAFE_1252, ' ', EURO_1252, '</p>'), 'text/html');
    assert.equal(decoded.charset, 'windows-1252');
    assert.equal(decoded.source, 'sniffed');
    assert.match(decoded.text, /café €/);
  });

  test('<meta http-equiv content-type> with iso-8859-1', () => {
    const decoded = decodeBody(bytes('<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1"><p>', ...CAFE_1252, '</p>'));
    assert.equal(decoded.charset, 'windows-1252');
    assert.match(decoded.text, /café/);
  });

  test('<meta charset=shift_jis>', () => {
    const decoded = decodeBody(bytes('<meta charset="shift_jis"><title>', NIHON_SJIS, '</title>'), 'text/html');
    assert.equal(decoded.charset, 'Shift_JIS');
    assert.match(decoded.text, /<title>日本<\/title>/);
  });

  test('a UTF-8 BOM beats the Content-Type charset', () => {
    const decoded = decodeBody(bytes([0xef, 0xbb, 0xbf], '<title>', CAFE_UTF8, '</title>'), 'text/html; charset=windows-1252');
    assert.equal(decoded.charset, 'UTF-8');
    assert.equal(decoded.text, '<title>café</title>', 'BOM removed, no mojibake (CafÃ©)');
  });

  test('a UTF-16LE BOM beats a UTF-8 header', () => {
    const decoded = decodeBody(Uint8Array.from([0xff, 0xfe, 0x3c, 0x00, 0x70, 0x00, 0x3e, 0x00, 0xe9, 0x00]), 'text/html; charset=utf-8');
    assert.equal(decoded.charset, 'UTF-16LE');
    assert.equal(decoded.text, '<p>é');
  });

  const padding = `<!-- ${'x'.repeat(1100)} -->`;

  test('a windows-1252 <meta charset> after the first 1024 bytes re-decodes the page', () => {
    const decoded = decodeBody(bytes('<html><head>', padding, '<meta charset="windows-1252"><title>', ...CAFE_1252, ' ', EURO_1252, '</title>'), 'text/html');
    assert.equal(decoded.charset, 'windows-1252');
    assert.equal(decoded.source, 'sniffed');
    assert.match(decoded.text, /<title>café €<\/title>/);
    assert.doesNotMatch(decoded.text, /\ufffd/);
  });

  test('a late <meta http-equiv> naming Shift_JIS re-decodes the page', () => {
    const decoded = decodeBody(bytes(padding, '<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS"><title>', NIHON_SJIS, '</title>'));
    assert.equal(decoded.charset, 'Shift_JIS');
    assert.match(decoded.text, /<title>日本<\/title>/);
  });

  test('a late <meta charset> changes nothing when it names the encoding already used', () => {
    const decoded = decodeBody(bytes(padding, '<meta charset="utf-8"><p>', CAFE_UTF8, '</p>'));
    assert.equal(decoded.charset, 'UTF-8');
    assert.equal(decoded.source, 'default');
    assert.match(decoded.text, /café/);
  });

  test('a late <meta charset> is ignored when the header, a BOM or an early meta decided', () => {
    const late = ['<meta charset="windows-1252"><p>', CAFE_UTF8, '</p>'] as const;
    assert.equal(decodeBody(bytes(padding, ...late), 'text/html; charset=utf-8').charset, 'UTF-8');
    assert.equal(decodeBody(bytes([0xef, 0xbb, 0xbf], padding, ...late)).charset, 'UTF-8');
    assert.equal(decodeBody(bytes('<meta charset="utf-8">', padding, ...late)).charset, 'UTF-8');
  });

  test('a late <meta charset> inside a comment is not a declaration', () => {
    assert.equal(decodeBody(bytes(padding, '<!-- <meta charset="windows-1252"> -->', CAFE_UTF8)).charset, 'UTF-8');
  });

  test('an undeclared page decodes as UTF-8, not windows-1252', () => {
    const decoded = decodeBody(bytes('<p>', CAFE_UTF8, ' ', [0xe2, 0x82, 0xac], '</p>'), 'text/html');
    assert.equal(decoded.charset, 'UTF-8');
    assert.equal(decoded.source, 'default');
    assert.equal(decoded.text, '<p>café €</p>');
  });

  test('an unknown header label falls back to sniffing, with a warning', () => {
    const decoded = decodeBody(bytes('<meta charset="shift_jis">', NIHON_SJIS), 'text/html; charset=x-unknown');
    assert.equal(decoded.charset, 'Shift_JIS');
    assert.match(decoded.warning ?? '', /x-unknown/);
  });

  test('an unknown meta label falls back to UTF-8', () => {
    assert.equal(decodeBody(bytes('<meta charset="klingon">', CAFE_UTF8)).charset, 'UTF-8');
  });

  test('invalid UTF-8 bytes become U+FFFD instead of throwing', () => {
    assert.equal(decodeBody(Uint8Array.from([0x61, 0xff, 0x62])).text, 'a\ufffdb');
  });
});

describe('parsePage uses the decoded charset', () => {
  test('Shift_JIS title and windows-1252 headings come out right', () => {
    const rules = compileParseRules(testRules());
    const sjis = parsePage(
      { url: 'https://example.com/', depth: 0, status: 200, contentType: 'text/html', body: bytes('<meta charset="sjis"><title>', NIHON_SJIS, '</title>') },
      rules,
    );
    assert.equal(sjis.title, '日本');
    assert.equal(sjis.charset, 'Shift_JIS');
    const latin = parsePage(
      { url: 'https://example.com/', depth: 0, status: 200, contentType: 'text/html; charset=iso-8859-1', body: bytes('<h1>', ...CAFE_1252, '</h1>') },
      rules,
    );
    assert.deepEqual(latin.headings.h1, ['café']);
    assert.equal(latin.charset, 'windows-1252');
  });
});
