/**
 * What is wrong with a stored page from the point of view of the pages that
 * link to it: the report lists each such page with its referrers, and
 * `skein check --fail-on` fails on them. Pure.
 */
import type { PageRecord, ReasonCode } from '../core/types.js';
import { PROBLEM } from './report-data.js';

/** Failures with no HTTP answer that make a link dead (not a choice of the crawler's scope). */
const UNREACHABLE: ReadonlySet<ReasonCode | undefined> = new Set<ReasonCode | undefined>(['timeout', 'connection', 'tls', 'decompression', 'host-gave-up']);
const LOOPS: ReadonlySet<ReasonCode | undefined> = new Set<ReasonCode | undefined>(['redirect-loop', 'too-many-redirects']);

/** The page's `PROBLEM` value. */
export function pageProblem(record: Pick<PageRecord, 'status' | 'outcome' | 'reason' | 'redirects'>): number {
  if (LOOPS.has(record.reason)) return PROBLEM.redirectLoop;
  if (record.reason === 'robots') return PROBLEM.blocked;
  if (record.status !== undefined && record.status >= 400) return PROBLEM.broken;
  if (record.outcome !== 'ok' && UNREACHABLE.has(record.reason)) return PROBLEM.broken;
  if (record.reason === 'body-too-large') return PROBLEM.oversized;
  if (record.redirects.length > 0) return PROBLEM.redirect;
  return PROBLEM.none;
}
