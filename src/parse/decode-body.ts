/**
 * Turns a page's raw bytes into a string. Runs inside the parser workers.
 *
 * The WHATWG encoding sniffing order, as browsers apply it:
 *   1. a byte order mark (UTF-8, UTF-16LE, UTF-16BE): it beats everything;
 *   2. the `charset` label of the HTTP Content-Type header, when it names a
 *      known encoding;
 *   3. `<meta charset>` / `<meta http-equiv="content-type">` (or an XML
 *      declaration) within the first 1024 bytes, per the WHATWG prescan;
 *   4. UTF-8, tentatively: when nothing above decided and a `<meta charset>`
 *      further into the page names another encoding, the page is decoded
 *      again with it (what a browser's parser does when it meets that
 *      element while its confidence is still "tentative").
 *
 * Step 4's default deliberately differs from browsers and from cheerio's
 * `loadBuffer`, which fall back to windows-1252: most undeclared pages on the
 * modern web are UTF-8. Labels are resolved with the WHATWG label table
 * (`latin1` and `iso-8859-1` mean windows-1252, `sjis` means Shift_JIS, …);
 * an unknown label is ignored and sniffing goes on (a warning is returned).
 * The sniffing itself is encoding-sniffer's (BOM, prescan, label table).
 */
import { TextDecoder } from 'node:util';
import { decodeBuffer } from 'encoding-sniffer';
import { ResultType, Sniffer } from 'encoding-sniffer/sniffer';

export interface DecodedBody {
  text: string;
  /** WHATWG name of the encoding used, e.g. "UTF-8", "windows-1252", "Shift_JIS". */
  charset: string;
  /** Where the charset came from. */
  source: 'header' | 'sniffed' | 'default';
  /** Set when the header named an encoding nobody knows. */
  warning?: string;
}

/** Bytes the meta prescan looks at (the HTML standard's number). */
export const SNIFF_BYTES = 1024;

const DEFAULT_ENCODING = 'UTF-8';

/**
 * Extracts the `charset` parameter from a Content-Type header value
 * (`text/html; charset="Shift_JIS"` → `Shift_JIS`). Returns undefined when
 * there is none.
 */
export function charsetFromContentType(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const params = contentType.split(';').slice(1);
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq === -1) continue;
    if (param.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    let value = param.slice(eq + 1).trim();
    if (value.startsWith('"')) {
      const end = value.indexOf('"', 1);
      value = end === -1 ? value.slice(1) : value.slice(1, end);
    }
    value = value.trim();
    return value === '' ? undefined : value;
  }
  return undefined;
}

/**
 * Resolves an encoding label to its WHATWG name, or undefined when the label
 * is unknown. The "replacement" encoding (labels such as iso-2022-kr, which
 * exist only to neutralise dangerous content) counts as unknown here: the
 * bytes are sniffed instead.
 */
export function resolveEncodingLabel(label: string): string | undefined {
  const sniffer = new Sniffer({ userEncoding: label, maxBytes: 0 });
  if (sniffer.resultType !== ResultType.PASSED) return undefined;
  return sniffer.encoding === 'replacement' ? undefined : sniffer.encoding;
}

const utf8 = new TextDecoder('utf-8');

/**
 * UTF-8 goes through Node's native decoder (the common case, fastest).
 * Everything else goes through encoding-sniffer's WHATWG decoder: Node's own
 * TextDecoder decodes "windows-1252" as ISO-8859-1 (0x80 becomes U+0080, not
 * "€") and lacks some WHATWG encodings.
 */
function decodeWith(bytes: Uint8Array, encoding: string): string {
  if (encoding === 'UTF-8') return utf8.decode(bytes);
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return decodeBuffer(buffer, { userEncoding: encoding, maxBytes: 0 });
}

/**
 * A `<meta>` naming a charset somewhere in the text (a cheap test run before
 * the full prescan of a long page, which costs about as much as parsing it).
 */
const META_CHARSET = /<meta\s[^>]*charset/i;

/** `bytes` as Latin-1 text from `offset`: one character per byte, for `META_CHARSET`. */
function latin1(bytes: Uint8Array, offset: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1', offset);
}

/**
 * The encoding a `<meta>` after the first `SNIFF_BYTES` declares, when the
 * prescan of the whole page finds one and it differs from `current`.
 */
function lateMetaEncoding(bytes: Uint8Array, current: string): string | undefined {
  if (bytes.length <= SNIFF_BYTES || !META_CHARSET.test(latin1(bytes, SNIFF_BYTES))) return undefined;
  const sniffer = new Sniffer({ maxBytes: bytes.length, defaultEncoding: DEFAULT_ENCODING });
  sniffer.write(bytes);
  if (sniffer.resultType !== ResultType.META_TAG || sniffer.encoding === 'replacement' || sniffer.encoding === current) return undefined;
  return sniffer.encoding;
}

/**
 * Decodes a body. Never throws: malformed byte sequences become U+FFFD.
 *
 * @example decodeBody(bytes, 'text/html; charset=iso-8859-1') // { text, charset: 'windows-1252', source: 'header' }
 */
export function decodeBody(bytes: Uint8Array, contentType?: string): DecodedBody {
  const label = charsetFromContentType(contentType);
  const fromHeader = label === undefined ? undefined : resolveEncodingLabel(label);
  const warning = label !== undefined && fromHeader === undefined ? `unknown charset label "${label}" in Content-Type; sniffed the body instead` : undefined;
  // With a usable header label only a BOM can override it: three bytes are enough.
  const sniffer = new Sniffer({
    maxBytes: fromHeader ? 3 : SNIFF_BYTES,
    defaultEncoding: DEFAULT_ENCODING,
    ...(fromHeader ? { transportLayerEncodingLabel: fromHeader } : {}),
  });
  sniffer.write(bytes);
  let charset = sniffer.encoding === 'replacement' ? DEFAULT_ENCODING : sniffer.encoding;
  let source: DecodedBody['source'] = sniffer.resultType === ResultType.PASSED ? 'header' : sniffer.resultType === ResultType.DEFAULT ? 'default' : 'sniffed';
  if (source === 'default') {
    const late = lateMetaEncoding(bytes, charset);
    if (late) {
      charset = late;
      source = 'sniffed';
    }
  }
  const decoded: DecodedBody = { text: decodeWith(bytes, charset), charset, source };
  if (warning) decoded.warning = warning;
  return decoded;
}
