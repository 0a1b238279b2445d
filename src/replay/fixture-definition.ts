/**
 * One recorded HTTP exchange in nock's definition format (what `nock.define()`
 * and `nock.load()` read), and the pure conversion from what the fetcher saw.
 *
 * Body encoding, chosen so that fixtures diff well and replay byte-exact:
 * - Text (a textual content type whose bytes are valid UTF-8) is stored as a
 *   JSON string. nock's `define()` JSON-parses string bodies, so a text body
 *   that is itself valid JSON is stored as the parsed value when re-serialising
 *   gives the same bytes (compact JSON), and as hex otherwise.
 * - Everything else (images, PDFs, gzip files, non-UTF-8 text) is stored as hex
 *   with `responseIsBinary: true`, which nock decodes to the exact bytes.
 * - Compressed responses are stored decoded, without `Content-Encoding`: the
 *   crawler only ever consumes decoded bytes (its size cap applies to them), a
 *   decoded HTML page stays diffable text, and nock's own encoded form (an
 *   array of hex chunks) would not.
 * - `Content-Length` is rewritten to the stored body's length; `Date`,
 *   `Set-Cookie` and hop-by-hop headers are dropped (noise in diffs, secrets
 *   in committed files, meaningless in a replay).
 */
import { mediaType } from '../fetch/content-type.js';
import type { FetchExchange } from '../fetch/fetcher.js';

/** What a fixture file holds: nock definitions, the first one carrying `skein` metadata. */
export interface FixtureDefinition {
  /** Origin, e.g. `http://127.0.0.1:8080`. */
  scope: string;
  /** HEAD for an external link check (`scope.checkExternal`; recorded without a body), else GET. */
  method: 'GET' | 'HEAD';
  /** Path and query, as requested. */
  path: string;
  status: number;
  /** Response headers, lower-cased names. */
  rawHeaders: Record<string, string>;
  /** Text, a JSON value (compact JSON bodies) or hex (with `responseIsBinary`). */
  response: unknown;
  responseIsBinary?: true;
  /** Only on the first definition: the recorded crawl (nock ignores this key). */
  skein?: FixtureMeta;
}

/** What skein needs to run the same crawl again, stored with the exchanges. */
export interface FixtureMeta {
  /** Format version of this file. */
  fixtureVersion: 1;
  /** The recorded crawl's config without name, dataDir and store settings; seeds included. */
  config: Record<string, unknown>;
}

export const FIXTURE_VERSION = 1;

/** Response headers never stored (see the module doc). */
const DROPPED_HEADERS = new Set(['date', 'set-cookie', 'connection', 'keep-alive', 'transfer-encoding', 'content-encoding', 'content-length', 'proxy-connection', 'upgrade', 'trailer']);

/** Textual media types (lower-case, without parameters, as `mediaType()` gives them). */
const TEXT_MEDIA_TYPE = /^(text\/.+|.+\/(.+\+)?(xml|json)|application\/(javascript|ecmascript|x-javascript))$/;

/** True when a content type is text (HTML, XML, JSON, robots.txt, CSS, JS…); case and parameters do not matter. */
export function isTextContentType(contentType: string | undefined): boolean {
  const type = mediaType(contentType);
  return type !== undefined && TEXT_MEDIA_TYPE.test(type);
}

/** Converts one exchange to a nock definition. Pure. */
export function toDefinition(exchange: FetchExchange): FixtureDefinition {
  const url = new URL(exchange.url);
  const rawHeaders = storedHeaders(exchange.headers, exchange.body.length);
  return {
    scope: url.origin,
    method: exchange.method,
    path: `${url.pathname}${url.search}`,
    status: exchange.status,
    rawHeaders,
    ...encodeBody(exchange.body, rawHeaders['content-type']),
  };
}

/** The body in the form nock replays byte-exact (see the module doc). */
export function encodeBody(body: Buffer, contentType: string | undefined): { response: unknown; responseIsBinary?: true } {
  if (body.length === 0) return { response: '' };
  const text = body.toString('utf8');
  const textual = isTextContentType(contentType) && Buffer.from(text, 'utf8').equals(body);
  if (!textual) return { response: body.toString('hex'), responseIsBinary: true };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { response: text };
  }
  // nock would parse this string and send JSON.stringify(value): only exact when it round-trips.
  const roundTrips = typeof parsed === 'object' && parsed !== null && JSON.stringify(parsed) === text;
  return roundTrips ? { response: parsed } : { response: body.toString('hex'), responseIsBinary: true };
}

/** The bytes a definition replays (what nock sends). */
export function decodeBody(definition: Pick<FixtureDefinition, 'response' | 'responseIsBinary'>): Buffer {
  const { response } = definition;
  if (response === undefined || response === null || response === '') return Buffer.alloc(0);
  if (typeof response === 'string') return Buffer.from(response, definition.responseIsBinary ? 'hex' : 'utf8');
  return Buffer.from(JSON.stringify(response), 'utf8');
}

/** The stored response headers: lower-cased, noise dropped, lists joined, Content-Length exact. */
export function storedHeaders(headers: Record<string, string | string[] | undefined>, bodyBytes: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(headers).sort()) {
    const lower = name.toLowerCase();
    const value = headers[name];
    if (DROPPED_HEADERS.has(lower) || value === undefined) continue;
    out[lower] = Array.isArray(value) ? value.join(', ') : value;
  }
  out['content-length'] = String(bodyBytes);
  return out;
}

/** The URL a definition answers. */
export function definitionUrl(definition: Pick<FixtureDefinition, 'scope' | 'path'>): string {
  return new URL(definition.path, definition.scope).href;
}
