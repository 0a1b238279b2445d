/**
 * Reading a compact segment a line at a time (parse-segment-lines.ts): the
 * items of every file in exactly that format, and undefined for anything
 * else (so the whole-document read decides, as before).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSegmentLines } from '../../src/store/parse-segment-lines.js';

const parse = (text: string) => parseSegmentLines(Buffer.from(text, 'utf8'));

test('compact segments give their items, as JSON.parse of the whole file does', () => {
  const files = [
    '{"version":1,"items":[\n{"key":"a","n":1},\n{"key":"b","text":"line\\nbreak, comma,"},\n{"key":"é😀"}\n]}\n',
    '{"version":1,"items":[\n{"key":"only"}\n]}\n',
    '{"version":3,"items":[\n]}\n',
  ];
  for (const file of files) assert.deepEqual(parse(file), JSON.parse(file), file);
});

test('anything else is left to the whole-document read', () => {
  const cases = {
    'pretty-printed (older skein)': '{\n  "version": 1,\n  "items": [\n    {"key":"a"}\n  ]\n}\n',
    'truncated mid-line': '{"version":1,"items":[\n{"key":"a"},\n{"key":',
    'truncated before the end line': '{"version":1,"items":[\n{"key":"a"},\n{"key":"b"}\n',
    'no final newline': '{"version":1,"items":[\n{"key":"a"}\n]}',
    'missing comma between items': '{"version":1,"items":[\n{"key":"a"}\n{"key":"b"}\n]}\n',
    'comma after the last item': '{"version":1,"items":[\n{"key":"a"},\n]}\n',
    'a bad line': '{"version":1,"items":[\n{"key":"a"},\n{key:b}\n]}\n',
    'text after the end': '{"version":1,"items":[\n{"key":"a"}\n]}\n{}\n',
    'CRLF line ends': '{"version":1,"items":[\r\n{"key":"a"}\r\n]}\r\n',
    empty: '',
  };
  for (const [what, file] of Object.entries(cases)) assert.equal(parse(file), undefined, what);
});
