/**
 * Builds page records from what the pipeline learned. Pure.
 */
import type { FetchFailure, FetchSuccess } from '../fetch/fetch-types.js';
import type { CrawlRequest, PageOutcome, PageRecord, ParsedPage, ReasonCode } from './types.js';

const noTimings = { waitMs: 0, downloadMs: 0, parseMs: 0, totalMs: 0 };

function base(request: CrawlRequest, startedAtMs: number): PageRecord {
  return {
    key: request.key,
    url: request.url,
    redirects: [],
    depth: request.depth,
    ...(request.referrer ? { referrer: request.referrer } : {}),
    fetchedAt: new Date(startedAtMs).toISOString(),
    outcome: 'ok',
    bytes: 0,
    timings: { ...noTimings },
  };
}

/** A request that was never fetched (robots, host given up…): `fetched: false`. */
export function skippedRecord(request: CrawlRequest, reason: ReasonCode, message: string, nowMs: number): PageRecord {
  return { ...base(request, nowMs), fetched: false, outcome: 'skipped', reason, error: { code: reason, message } };
}

/** True unless the record says its request never went out (see `PageRecord.fetched`), or it is an external link check: what `maxPages` counts. */
export function wasFetched(record: Pick<PageRecord, 'fetched' | 'external'>): boolean {
  return record.fetched !== false && record.external !== true;
}

/** A fetch that failed for good (after retries). */
export function failedFetchRecord(request: CrawlRequest, failure: FetchFailure, startedAtMs: number, nowMs: number): PageRecord {
  return {
    ...base(request, startedAtMs),
    ...(failure.finalUrl ? { finalUrl: failure.finalUrl } : {}),
    redirects: failure.redirects,
    ...(failure.status !== undefined ? { status: failure.status } : {}),
    ...(failure.contentType ? { contentType: failure.contentType } : {}),
    outcome: 'failed',
    reason: failure.reason,
    error: { code: failure.code, message: failure.message },
    bytes: failure.bytes,
    timings: { ...failure.timings, parseMs: 0, totalMs: nowMs - startedAtMs },
  };
}

/** A fetched response, parsed or not. */
export function fetchedRecord(
  request: CrawlRequest,
  response: FetchSuccess,
  startedAtMs: number,
  nowMs: number,
  parsed?: ParsedPage,
  failure?: { outcome: PageOutcome; reason: ReasonCode; code: string; message: string },
): PageRecord {
  const record: PageRecord = {
    ...base(request, startedAtMs),
    finalUrl: response.finalUrl,
    redirects: response.redirects,
    status: response.status,
    ...(response.contentType ? { contentType: response.contentType } : {}),
    bytes: response.bytes,
    timings: { ...response.timings, parseMs: parsed?.parseMs ?? 0, totalMs: nowMs - startedAtMs },
  };
  if (failure) {
    record.outcome = failure.outcome;
    record.reason = failure.reason;
    record.error = { code: failure.code, message: failure.message };
  }
  if (!parsed) return record;
  assignDefined(record, {
    title: parsed.title,
    description: parsed.description,
    canonical: parsed.canonical,
    lang: parsed.lang,
    h1: parsed.headings.h1,
    h2: parsed.headings.h2,
    h3: parsed.headings.h3,
    text: parsed.noindex ? undefined : parsed.text,
    markdown: parsed.noindex ? undefined : parsed.markdown,
    contentText: parsed.noindex ? undefined : parsed.contentText,
    links: parsed.links,
    linkText: parsed.linkText,
    contentHash: parsed.contentHash,
    unfollowable: parsed.unfollowable,
    metaRobots: parsed.metaRobots,
    charset: parsed.charset,
    fields: parsed.fields,
    warnings: parsed.warnings?.length ? parsed.warnings : undefined,
  });
  return record;
}

function assignDefined(target: PageRecord, values: Partial<PageRecord>): void {
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined) (target as unknown as Record<string, unknown>)[key] = value;
  }
}
