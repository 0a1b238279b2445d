/**
 * The WARC/1.1 record format (ISO 28500:2017), pure: a record is a version
 * line, named fields, an empty line, a block of Content-Length bytes, and two
 * CRLFs. Digests are SHA-1 in base32 (RFC 4648), the form every archive tool
 * writes and checks (`sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ`).
 */
import { createHash, randomUUID } from 'node:crypto';

export const WARC_VERSION = 'WARC/1.1';

export type WarcType = 'warcinfo' | 'request' | 'response' | 'revisit' | 'metadata';

/** The revisit profile skein writes: the payload equals one already archived. */
export const IDENTICAL_PAYLOAD_PROFILE = 'http://netpreserve.org/warc/1.1/revisit/identical-payload-digest';

/** A record's fields in the order written (WARC-Type, WARC-Record-ID and WARC-Date first; Content-Length is added). */
export type WarcFields = Array<[name: string, value: string]>;

const CRLF = Buffer.from('\r\n\r\n');
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A new record id, `<urn:uuid:…>`. */
export function recordId(): string {
  return `<urn:uuid:${randomUUID()}>`;
}

/** WARC-Date with millisecond precision (WARC 1.1 allows fractions of a second): `2026-12-03T07:38:55.123Z`. */
export function warcDate(ms: number): string {
  return new Date(ms).toISOString();
}

/** RFC 4648 base32, upper case, with padding (a SHA-1 needs none: 20 bytes = 32 characters). */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += '=';
  return out;
}

/** `sha1:<base32>` of the concatenation of `parts`. */
export function sha1Digest(...parts: Uint8Array[]): string {
  const hash = createHash('sha1');
  for (const part of parts) hash.update(part);
  return `sha1:${base32(hash.digest())}`;
}

/**
 * The bytes of one record: `fields` (Content-Length appended), then the block (its parts in
 * order, not copied into one buffer here), then the two closing CRLFs.
 */
export function serializeRecord(fields: WarcFields, block: readonly Buffer[]): Buffer[] {
  let length = 0;
  for (const part of block) length += part.length;
  let head = `${WARC_VERSION}\r\n`;
  for (const [name, value] of fields) head += `${name}: ${oneLine(value)}\r\n`;
  head += `Content-Length: ${length}\r\n\r\n`;
  return [Buffer.from(head, 'utf8'), ...block, CRLF];
}

/** A `application/warc-fields` block: `name: value` lines. */
export function warcFieldsBlock(fields: WarcFields): Buffer {
  return Buffer.from(fields.map(([name, value]) => `${name}: ${oneLine(value)}\r\n`).join(''), 'utf8');
}

/** Field values never span lines (a value with a line break would end the record's head). */
function oneLine(value: string): string {
  return /[\r\n]/.test(value) ? value.replace(/[\r\n]+/g, ' ') : value;
}

/** Bytes of an HTTP head string as sent or received (Node reads and writes heads as latin1). */
export function headBytes(head: string): Buffer {
  return Buffer.from(head, 'latin1');
}

/**
 * A request head with its header values rewritten by `redact` (name, value) → value: the
 * request line and header names as they were.
 */
export function rewriteHeadValues(head: string, redact: (name: string, value: string) => string): string {
  const lines = head.split('\r\n');
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    const redacted = redact(name, value);
    if (redacted !== value) lines[i] = `${name}: ${redacted}`;
  }
  return lines.join('\r\n');
}
