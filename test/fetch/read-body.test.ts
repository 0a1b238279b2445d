import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { readBody } from '../../src/fetch/read-body.js';
import { isParsedContentType, mediaType } from '../../src/fetch/content-type.js';

function chunks(...parts: string[]): Readable {
  return Readable.from(parts.map((part) => Buffer.from(part)));
}

describe('readBody', () => {
  test('reads a body to its end', async () => {
    const result = await readBody(chunks('ab', 'cd', 'e'), { maxBytes: 10 });
    assert.deepEqual(result, { ok: true, body: Buffer.from('abcde'), bytes: 5 });
  });

  test('a body exactly at the cap is kept', async () => {
    const result = await readBody(chunks('abc', 'de'), { maxBytes: 5 });
    assert.ok(result.ok);
    assert.equal(result.bytes, 5);
  });

  test('one byte over the cap destroys the stream', async () => {
    const stream = new PassThrough();
    const pending = readBody(stream, { maxBytes: 5 });
    stream.write('abc');
    stream.write('def');
    const result = await pending;
    assert.deepEqual(result, { ok: false, kind: 'too-large', bytes: 6 });
    assert.equal(stream.destroyed, true);
  });

  test('keep: false counts without keeping', async () => {
    const result = await readBody(chunks('abc', 'de'), { maxBytes: 10, keep: false });
    assert.ok(result.ok);
    assert.equal(result.bytes, 5);
    assert.equal(result.body.length, 0);
  });

  test('a stream error is reported with the bytes read so far', async () => {
    const stream = new PassThrough();
    const pending = readBody(stream, { maxBytes: 100 });
    stream.write('abc');
    setImmediate(() => stream.destroy(Object.assign(new Error('boom'), { code: 'ECONNRESET' })));
    const result = await pending;
    assert.ok(!result.ok && result.kind === 'error');
    assert.equal((result.error as { code: string }).code, 'ECONNRESET');
    assert.equal(result.bytes, 3);
  });

  test('a close without end is a premature close', async () => {
    const stream = new PassThrough();
    const pending = readBody(stream, { maxBytes: 100 });
    stream.write('abc');
    setImmediate(() => stream.destroy());
    const result = await pending;
    assert.ok(!result.ok && result.kind === 'error');
    assert.equal((result.error as { code: string }).code, 'ERR_STREAM_PREMATURE_CLOSE');
  });

  test('maxMs gives up on a stream that never ends', async () => {
    const stream = new PassThrough();
    stream.write('a');
    const result = await readBody(stream, { maxBytes: 100, maxMs: 30 });
    assert.deepEqual(result, { ok: false, kind: 'time-limit', bytes: 1 });
    assert.equal(stream.destroyed, true);
  });

  test('an error after the cap does not crash the process', async () => {
    const stream = new PassThrough();
    const pending = readBody(stream, { maxBytes: 1 });
    stream.write('ab');
    await pending;
    stream.emit('error', new Error('late'));
  });
});

describe('content types', () => {
  const mediaCases: Array<[string | undefined, string | undefined]> = [
    ['text/html', 'text/html'],
    ['Text/HTML; charset=UTF-8', 'text/html'],
    ['  application/xhtml+xml ;q=1', 'application/xhtml+xml'],
    ['', undefined],
    [';charset=utf-8', undefined],
    [undefined, undefined],
  ];
  for (const [value, expected] of mediaCases) {
    test(`mediaType(${JSON.stringify(value)}) → ${expected}`, () => assert.equal(mediaType(value), expected));
  }

  const parsed = ['text/html', 'Application/XHTML+XML'];
  const parseCases: Array<[string | undefined, boolean]> = [
    ['text/html; charset=iso-8859-1', true],
    ['TEXT/HTML', true],
    ['application/xhtml+xml', true],
    ['application/pdf', false],
    ['image/png', false],
    ['text/htmlx', false],
    ['text/plain', false],
    [undefined, true],
  ];
  for (const [value, expected] of parseCases) {
    test(`isParsedContentType(${JSON.stringify(value)}) → ${expected}`, () => assert.equal(isParsedContentType(value, parsed), expected));
  }
});
