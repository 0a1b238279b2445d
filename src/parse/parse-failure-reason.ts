/**
 * Maps a rejection of `ParsePool.parse()` to the reason recorded on the page.
 */
import { ParseError, WorkerCrashedError } from '../core/errors.js';
import type { ReasonCode } from '../core/types.js';

/**
 * `worker-crashed` for WorkerCrashedError, `parse-timeout` for ParseError
 * `ERR_PARSE_TIMEOUT`, `parse-failed` for anything else (extractor errors,
 * ERR_PARSE). ConfigError is not a page failure: the crawl should stop.
 */
export function parseFailureReason(error: unknown): ReasonCode {
  if (error instanceof WorkerCrashedError) return 'worker-crashed';
  if (error instanceof ParseError && error.code === 'ERR_PARSE_TIMEOUT') return 'parse-timeout';
  return 'parse-failed';
}
