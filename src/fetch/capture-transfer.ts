/**
 * Captures one HTTP exchange as it went over the wire, for archiving (WARC):
 * the request head as sent, the status line and headers as received, and the
 * body as transferred (before got decompresses it: a gzip-encoded response
 * stays gzip, with its Content-Encoding). Node's HTTP parser has already
 * removed the chunked transfer-coding, so a `Transfer-Encoding` header is
 * renamed `X-Archive-Orig-Transfer-Encoding` (the convention of wget, warcio
 * and pywb): a WARC reader must not de-chunk a body that is not chunked.
 *
 * It listens on the native response in the same tick as got (got's own
 * listener comes first, so the flow of the stream does not change) and only
 * copies the chunks it is given.
 */
import type { ClientRequest, IncomingMessage, OutgoingHttpHeader } from 'node:http';
import type { Request } from 'got';
import type { CapturedExchange } from './fetch-types.js';

/** A body captured past this many bytes over the crawl's cap is cut (`truncated: 'length'`). */
const CAPTURE_SLACK_BYTES = 64 * 1024;

export class TransferCapture {
  readonly #url: string;
  readonly #maxBytes: number;
  #sentAtMs = Date.now();
  #request: ClientRequest | undefined;
  #response: IncomingMessage | undefined;
  readonly #chunks: Buffer[] = [];
  #bytes = 0;
  #cut = false;
  #ended = false;

  private constructor(url: string, maxBytes: number) {
    this.#url = url;
    this.#maxBytes = maxBytes + CAPTURE_SLACK_BYTES;
  }

  /** Starts capturing the exchange of `stream` (call right after creating it). */
  static attach(stream: Request, url: string, maxBodyBytes: number): TransferCapture {
    const capture = new TransferCapture(url, maxBodyBytes);
    stream.once('request', (request: ClientRequest) => {
      capture.#request = request;
      capture.#sentAtMs = Date.now();
      request.once('response', (response: IncomingMessage) => capture.#onResponse(response));
    });
    return capture;
  }

  #onResponse(response: IncomingMessage): void {
    this.#response = response;
    response.on('data', (chunk: Buffer) => {
      if (this.#cut) return;
      if (this.#bytes + chunk.length > this.#maxBytes) {
        this.#cut = true;
        return;
      }
      this.#chunks.push(chunk);
      this.#bytes += chunk.length;
    });
    response.once('end', () => (this.#ended = true));
  }

  /**
   * The exchange so far; undefined when no response arrived. `truncated` is the fetcher's
   * verdict on the body (cut at its cap or time limit); a body that did not end is `disconnect`.
   */
  exchange(truncated?: CapturedExchange['truncated']): CapturedExchange | undefined {
    const request = this.#request;
    const response = this.#response;
    if (!request || !response) return undefined;
    const cut = truncated ?? (this.#cut ? 'length' : this.#ended ? undefined : 'disconnect');
    const ip = request.socket?.remoteAddress ?? response.socket?.remoteAddress;
    return {
      url: this.#url,
      sentAtMs: this.#sentAtMs,
      ...(ip ? { ip } : {}),
      requestHead: requestHead(request),
      responseHead: responseHead(response),
      status: response.statusCode ?? 0,
      body: ownCopy(this.#chunks, this.#bytes),
      ...(cut ? { truncated: cut } : {}),
    };
  }
}

/**
 * The chunks in one buffer of its own (not a slice of a socket's read buffer, nor of Node's
 * pool): it can be handed to another thread without copying more than the body.
 */
function ownCopy(chunks: readonly Buffer[], bytes: number): Buffer {
  const body = Buffer.allocUnsafeSlow(bytes);
  let offset = 0;
  for (const chunk of chunks) offset += chunk.copy(body, offset);
  return body;
}

/** The request head as Node wrote it to the socket; rebuilt from the request's headers if unavailable. */
function requestHead(request: ClientRequest): string {
  const written = (request as unknown as { _header?: unknown })._header;
  if (typeof written === 'string' && written.endsWith('\r\n\r\n')) return written;
  let head = `${request.method} ${request.path} HTTP/1.1\r\n`;
  for (const name of request.getRawHeaderNames()) head += headerLines(name, request.getHeader(name));
  return `${head}\r\n`;
}

function headerLines(name: string, value: OutgoingHttpHeader | undefined): string {
  if (value === undefined) return '';
  return (Array.isArray(value) ? value : [String(value)]).map((v) => `${name}: ${v}\r\n`).join('');
}

/** The status line and the headers as received (names in their case, order kept). */
export function responseHead(response: Pick<IncomingMessage, 'httpVersion' | 'statusCode' | 'statusMessage' | 'rawHeaders'>): string {
  const reason = response.statusMessage ? ` ${response.statusMessage}` : '';
  let head = `HTTP/${response.httpVersion || '1.1'} ${response.statusCode ?? 0}${reason}\r\n`;
  const raw = response.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    head += `${name.toLowerCase() === 'transfer-encoding' ? 'X-Archive-Orig-Transfer-Encoding' : name}: ${raw[i + 1]}\r\n`;
  }
  return `${head}\r\n`;
}
