/**
 * Checks a finished crawl of a synthetic broad web against its ground truth
 * and what the server saw: every reachable URL stored exactly once with the
 * right outcome and nothing else stored; no request to a robots-disallowed
 * path; no two requests to a Crawl-delay host closer than the delay (server
 * clock, minus `gapToleranceMs`); per-host parallelism never exceeded; no
 * page served twice. Returns the violations (empty: the crawl was correct)
 * and the figures a benchmark reports.
 */
import type { PageOutcome, ReasonCode } from '../../../src/core/types.js';
import type { BroadWeb } from './broad-web.js';
import type { BroadWebServerReport } from './broad-web-server.js';
import type { BroadWebTruth, ExpectedOutcome } from './broad-web-truth.js';

/** The part of a stored record the check needs. */
export interface StoredOutcome {
  key: string;
  outcome: PageOutcome;
  reason?: ReasonCode;
  status?: number;
}

export interface BroadCrawlCheckInput {
  web: BroadWeb;
  truth: BroadWebTruth;
  server: BroadWebServerReport;
  records: Iterable<StoredOutcome>;
  perHostParallelism: number;
  /** Allowed shortfall of a Crawl-delay gap, ms (dispatch jitter between the crawler's clock and the server's). @default 0 */
  gapToleranceMs?: number;
}

export interface BroadCrawlCheck {
  violations: string[];
  figures: {
    expected: number;
    stored: number;
    storedByOutcome: Record<PageOutcome, number>;
    /** Smallest Crawl-delay gap as a fraction of the delay, over all Crawl-delay hosts (1 = exactly the delay). */
    minGapRatio: number;
    /** Largest requests in flight to one host. */
    peakHostInFlight: number;
    requests: number;
  };
}

/** Most examples of one kind of violation listed. */
const EXAMPLES = 5;

export function checkBroadCrawl(input: BroadCrawlCheckInput): BroadCrawlCheck {
  const { web, truth, server } = input;
  const problems = new Map<string, string[]>();
  const flag = (kind: string, example: string): void => {
    const list = problems.get(kind) ?? [];
    list.push(example);
    problems.set(kind, list);
  };
  const seen = new Set<string>();
  const storedByOutcome: Record<PageOutcome, number> = { ok: 0, failed: 0, skipped: 0 };
  for (const record of input.records) {
    storedByOutcome[record.outcome]++;
    if (seen.has(record.key)) flag('stored twice', record.key);
    seen.add(record.key);
    const expected = truth.expected.get(record.key);
    if (expected === undefined) flag('stored but not reachable', `${record.key} (${record.outcome} ${record.reason ?? ''})`);
    else if (!matches(expected, record)) flag(`wrong outcome`, `${record.key}: expected ${expected}, got ${record.outcome} ${record.reason ?? ''}`);
  }
  for (const key of truth.expected.keys()) if (!seen.has(key)) flag('reachable but not stored', key);
  for (const url of server.disallowedRequests) flag('requested although disallowed by robots.txt', url);
  for (const [url, times] of Object.entries(server.servedTwice)) flag('page served more than once', `${url} × ${times}`);
  let peakHostInFlight = 1;
  for (const [index, peak] of Object.entries(server.peakInFlight)) {
    peakHostInFlight = Math.max(peakHostInFlight, peak);
    if (peak > input.perHostParallelism) flag('per-host parallelism exceeded', `host ${index}: ${peak} in flight`);
  }
  let minGapRatio = Infinity;
  for (const [index, gapMs] of Object.entries(server.minGapMs)) {
    const delayMs = web.host(Number(index)).crawlDelayMs;
    minGapRatio = Math.min(minGapRatio, gapMs / delayMs);
    if (gapMs < delayMs - (input.gapToleranceMs ?? 0)) flag('Crawl-delay not kept', `host ${index}: ${gapMs} ms between two requests, delay ${delayMs} ms`);
  }
  const violations = [...problems].map(([kind, examples]) => `${kind}: ${examples.length} (${examples.slice(0, EXAMPLES).join('; ')}${examples.length > EXAMPLES ? '; …' : ''})`);
  return {
    violations,
    figures: {
      expected: truth.expected.size,
      stored: seen.size,
      storedByOutcome,
      minGapRatio: Number.isFinite(minGapRatio) ? Math.round(minGapRatio * 1000) / 1000 : 1,
      peakHostInFlight,
      requests: server.requests,
    },
  };
}

function matches(expected: ExpectedOutcome, record: StoredOutcome): boolean {
  switch (expected) {
    case 'ok':
      return record.outcome === 'ok';
    case 'robots':
      return record.outcome === 'skipped' && record.reason === 'robots';
    case 'not-found':
      return record.outcome === 'failed' && record.status === 404;
    case 'dead':
      return record.outcome !== 'ok';
  }
}
