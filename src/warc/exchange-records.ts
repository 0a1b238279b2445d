/**
 * Turns what the crawl fetched into WARC records: per exchange a `request`
 * record (secrets redacted) and a `response` record, linked both ways by
 * WARC-Concurrent-To; a `revisit` record (identical-payload-digest profile)
 * instead of a response whose payload was already archived in this run; a
 * `metadata` record with a page's outlinks. Pure but for the digest index
 * (warc-digest-index.ts).
 * Request heads come already redacted (`redactRequestHead`): this runs in the
 * encoder thread (warc-encoder-worker.ts), which holds no secrets.
 */
import type { CapturedExchange } from '../fetch/fetch-types.js';
import type { SecretRedactor } from '../fetch/redact-secrets.js';
import {
  headBytes,
  IDENTICAL_PAYLOAD_PROFILE,
  recordId,
  rewriteHeadValues,
  serializeRecord,
  sha1Digest,
  warcDate,
  warcFieldsBlock,
  type WarcFields,
} from './warc-record.js';
import { DigestIndex } from './warc-digest-index.js';

/** One record's bytes, in parts (see `serializeRecord`). */
export type RecordParts = Buffer[];

export interface ExchangeRecordsOptions {
  /** Payload digests archived so far (revisits refer to them). @default a new, empty index of 200,000 digests */
  index?: DigestIndex;
}

/** The request head with Authorization, Cookie and the crawl's secret headers as `[redacted]` (secrets.requestHeaders). */
export function redactRequestHead(head: string, secrets: SecretRedactor): string {
  return rewriteHeadValues(head, (name, value) => secrets.requestHeaders({ [name]: value })[name]!);
}

export class ExchangeRecords {
  readonly index: DigestIndex;

  constructor(options: ExchangeRecordsOptions = {}) {
    this.index = options.index ?? new DigestIndex();
  }

  /**
   * The records of a stored page (or of exchanges of no page): each exchange's request and
   * response, then, with `links`, a metadata record concurrent to the last response.
   */
  page(exchanges: readonly CapturedExchange[], links?: readonly string[]): RecordParts[] {
    const out: RecordParts[] = [];
    let last: { url: string; responseId: string; sentAtMs: number } | undefined;
    for (const exchange of exchanges) {
      const { records, responseId } = this.exchange(exchange);
      out.push(...records);
      last = { url: exchange.url, responseId, sentAtMs: exchange.sentAtMs };
    }
    if (last && links && links.length > 0) out.push(this.metadata(last.url, last.responseId, last.sentAtMs, links));
    return out;
  }

  /** The request and the response (or revisit) records of one exchange; `responseId` for a metadata record. */
  exchange(exchange: CapturedExchange): { records: RecordParts[]; responseId: string } {
    const requestId = recordId();
    const responseId = recordId();
    const date = warcDate(exchange.sentAtMs);
    const common: WarcFields = [
      ['WARC-Date', date],
      ['WARC-Target-URI', exchange.url],
      ...(exchange.ip ? ([['WARC-IP-Address', exchange.ip]] as WarcFields) : []),
    ];
    const requestBlock = headBytes(exchange.requestHead);
    const request = serializeRecord(
      [['WARC-Type', 'request'], ['WARC-Record-ID', requestId], ...common, ['WARC-Concurrent-To', responseId], ['WARC-Block-Digest', sha1Digest(requestBlock)], ['Content-Type', 'application/http; msgtype=request']],
      [requestBlock],
    );
    return { records: [request, this.#response(exchange, responseId, requestId, common)], responseId };
  }

  /** A metadata record of a page: its outlinks (`outlink: URL`), concurrent to its response. */
  metadata(url: string, responseId: string, sentAtMs: number, links: readonly string[]): RecordParts {
    const block = warcFieldsBlock(links.map((link) => ['outlink', link]));
    return serializeRecord(
      [
        ['WARC-Type', 'metadata'],
        ['WARC-Record-ID', recordId()],
        ['WARC-Date', warcDate(sentAtMs)],
        ['WARC-Target-URI', url],
        ['WARC-Concurrent-To', responseId],
        ['WARC-Block-Digest', sha1Digest(block)],
        ['Content-Type', 'application/warc-fields'],
      ],
      [block],
    );
  }

  #response(exchange: CapturedExchange, id: string, requestId: string, common: WarcFields): RecordParts {
    const head = headBytes(exchange.responseHead);
    const payloadDigest = sha1Digest(exchange.body);
    const first = exchange.body.length > 0 && !exchange.truncated ? this.index.get(payloadDigest) : undefined;
    if (first) {
      // The HTTP head only: the payload is the one archived first.
      return serializeRecord(
        [
          ['WARC-Type', 'revisit'],
          ['WARC-Record-ID', id],
          ...common,
          ['WARC-Concurrent-To', requestId],
          ['WARC-Profile', IDENTICAL_PAYLOAD_PROFILE],
          ['WARC-Refers-To', first.id],
          ['WARC-Refers-To-Target-URI', first.uri],
          ['WARC-Refers-To-Date', first.date],
          ['WARC-Block-Digest', sha1Digest(head)],
          ['WARC-Payload-Digest', payloadDigest],
          ['Content-Type', 'application/http; msgtype=response'],
        ],
        [head],
      );
    }
    if (exchange.body.length > 0 && !exchange.truncated) this.index.remember(payloadDigest, { uri: exchange.url, date: common[0]![1], id });
    return serializeRecord(
      [
        ['WARC-Type', 'response'],
        ['WARC-Record-ID', id],
        ...common,
        ['WARC-Concurrent-To', requestId],
        ['WARC-Block-Digest', sha1Digest(head, exchange.body)],
        ['WARC-Payload-Digest', payloadDigest],
        ...(exchange.truncated ? ([['WARC-Truncated', exchange.truncated]] as WarcFields) : []),
        ['Content-Type', 'application/http; msgtype=response'],
      ],
      [head, exchange.body],
    );
  }
}
