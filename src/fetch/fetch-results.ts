/**
 * The results a fetch ends with: what every result of one fetch shares while
 * it runs (its redirect hops, the last hop's status and headers, its timing),
 * and the success or failure built from it. Pure but for the clock.
 */
import { performance } from 'node:perf_hooks';
import type { ReasonCode, RedirectHop } from '../core/types.js';
import { classifyFetchError } from './classify-fetch-error.js';
import type { FetchFailure, FetchSuccess } from './fetch-types.js';

/** What every result of one fetch shares. */
export interface FetchState {
  url: string;
  redirects: RedirectHop[];
  startedAtMs: number;
  /** Time spent in `checkRedirect` (politeness waits, robots.txt): not network time. */
  gateMs: number;
  headersAtMs?: number;
  finalUrl?: string;
  status?: number;
  headers?: Record<string, string | string[] | undefined>;
  contentType?: string;
}

export function errorFailure(state: FetchState, error: unknown, signal: AbortSignal | undefined, bytes = 0): FetchFailure {
  if (signal?.aborted) return failure(state, 'aborted', 'ERR_ABORTED', 'the fetch was aborted', bytes);
  const { reason, code, message } = classifyFetchError(error);
  return failure(state, reason, code, message, bytes);
}

function timings(state: FetchState): { waitMs: number; downloadMs: number } {
  const nowMs = performance.now();
  const headersAtMs = state.headersAtMs ?? nowMs;
  return { waitMs: Math.round(headersAtMs - state.startedAtMs - state.gateMs), downloadMs: Math.round(nowMs - headersAtMs) };
}

export function success(state: FetchState, body: Buffer, extra: { bodySkipped?: true } = {}): FetchSuccess {
  return {
    ok: true,
    url: state.url,
    finalUrl: state.finalUrl ?? state.url,
    redirects: state.redirects,
    status: state.status ?? 0,
    headers: state.headers ?? {},
    ...(state.contentType !== undefined ? { contentType: state.contentType } : {}),
    body,
    bytes: body.length,
    timings: timings(state),
    ...extra,
  };
}

export function failure(state: FetchState, reason: ReasonCode, code: string, message: string, bytes = 0): FetchFailure {
  return {
    ok: false,
    url: state.url,
    ...(state.finalUrl !== undefined ? { finalUrl: state.finalUrl } : {}),
    redirects: state.redirects,
    ...(state.status !== undefined ? { status: state.status } : {}),
    ...(state.headers !== undefined ? { headers: state.headers } : {}),
    ...(state.contentType !== undefined ? { contentType: state.contentType } : {}),
    reason,
    code,
    message,
    bytes,
    timings: timings(state),
  };
}
