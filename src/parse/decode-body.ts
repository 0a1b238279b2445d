/**
 * Turns a page's raw bytes into a string. Runs inside the parser workers.
 *
 * Priority (the crawl-wide rule, see ARCHITECTURE.md step 5):
 *   1. the `charset` label of the HTTP Content-Type header, when it names a
 *      known encoding;
 *   2. a byte order mark (UTF-8, UTF-16LE, UTF-16BE);
 *   3. `<meta charset>` / `<meta http-equiv="content-type">` (or an XML
 *      declaration) within the first 1024 bytes, per the WHATWG prescan;
 *   4. UTF-8.
 *
 * The last step deliberately differs from browsers and from cheerio's
 * `loadBuffer`, which fall back to windows-1252: most undeclared pages on the
 * modern web are UTF-8. Labels are resolved with the WHATWG label table
 * (`latin1` and `iso-8859-1` mean windows-1252, `sjis` means Shift_JIS, …);
 * an unknown label is ignored and sniffing goes on (a warning is returned).
 *
 * Note: WHATWG puts the BOM *before* the header. skein follows the header
 * first, as specified for the crawler; when the header wins, a BOM that
 * matches the header's encoding is still removed from the text.
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
 * Decodes a body. Never throws: malformed byte sequences become U+FFFD.
 *
 * @example decodeBody(bytes, 'text/html; charset=iso-8859-1') // { text, charset: 'windows-1252', source: 'header' }
 */
export function decodeBody(bytes: Uint8Array, contentType?: string): DecodedBody {
  const label = charsetFromContentType(contentType);
  let warning: string | undefined;
  if (label !== undefined) {
    const fromHeader = resolveEncodingLabel(label);
    if (fromHeader) return { text: decodeWith(bytes, fromHeader), charset: fromHeader, source: 'header' };
    warning = `unknown charset label "${label}" in Content-Type; sniffed the body instead`;
  }
  const sniffer = new Sniffer({ maxBytes: SNIFF_BYTES, defaultEncoding: DEFAULT_ENCODING });
  sniffer.write(bytes);
  const charset = sniffer.encoding === 'replacement' ? DEFAULT_ENCODING : sniffer.encoding;
  const source = sniffer.resultType === ResultType.DEFAULT ? 'default' : 'sniffed';
  const decoded: DecodedBody = { text: decodeWith(bytes, charset), charset, source };
  if (warning) decoded.warning = warning;
  return decoded;
}

