/**
 * A fake fetch for politeness tests: a table of URL → response that honours the fetcher's
 * contract (follows redirects itself and calls `checkRedirect` per hop, records `redirects`,
 * never throws, caps bodies at `maxBodyBytes`). Records every call.
 */
import type { FetchOptions, FetchResult } from '../../src/fetch/fetch-types.js';
import type { ReasonCode, RedirectHop } from '../../src/core/types.js';

export type FakeRoute =
  | { status: number; body?: string | Buffer; contentType?: string }
  | { redirectTo: string; status?: number }
  | { fail: ReasonCode; code: string; message?: string };

export interface FakeFetch {
  fetch: (url: string, opts?: FetchOptions) => Promise<FetchResult>;
  /** Every call made, in order. */
  calls: { url: string; opts?: FetchOptions }[];
  /** Every URL served, redirect targets included, in order. */
  served: string[];
  /** Changes or adds a route (e.g. a server that comes back up). */
  set(url: string, route: FakeRoute): void;
}

const timings = { waitMs: 0, downloadMs: 0 };
/** The hop limit a real fetcher would apply on its own (got's default). */
const FETCHER_MAX_REDIRECTS = 10;

export function fakeFetch(routes: Record<string, FakeRoute>): FakeFetch {
  const table = new Map(Object.entries(routes));
  const calls: FakeFetch['calls'] = [];
  const served: string[] = [];

  const fetch = async (url: string, opts?: FetchOptions): Promise<FetchResult> => {
    calls.push(opts === undefined ? { url } : { url, opts });
    // Resolve on a later turn, like real I/O, so concurrent callers overlap.
    await new Promise((resolve) => setImmediate(resolve));
    const redirects: RedirectHop[] = [];
    let current = url;
    for (;;) {
      served.push(current);
      const route = table.get(current) ?? { status: 404, body: 'not found' };
      if ('fail' in route) {
        return { ok: false, url, finalUrl: current, redirects, reason: route.fail, code: route.code, message: route.message ?? route.code, bytes: 0, timings };
      }
      if ('redirectTo' in route) {
        const status = route.status ?? 301;
        redirects.push({ url: current, status });
        const next = new URL(route.redirectTo, current).href;
        const verdict = (await opts?.checkRedirect?.(next)) ?? { ok: true };
        if (!verdict.ok) {
          return { ok: false, url, finalUrl: current, redirects, status, reason: verdict.reason, code: 'ERR_REDIRECT_REJECTED', message: `redirect to ${next} rejected`, bytes: 0, timings };
        }
        if (redirects.length > FETCHER_MAX_REDIRECTS) {
          return { ok: false, url, finalUrl: current, redirects, reason: 'too-many-redirects', code: 'ERR_TOO_MANY_REDIRECTS', message: 'too many redirects', bytes: 0, timings };
        }
        current = next;
        continue;
      }
      const body = typeof route.body === 'string' ? Buffer.from(route.body, 'utf8') : (route.body ?? Buffer.alloc(0));
      if (opts?.maxBodyBytes !== undefined && body.length > opts.maxBodyBytes) {
        return { ok: false, url, finalUrl: current, redirects, status: route.status, reason: 'body-too-large', code: 'ERR_BODY_TOO_LARGE', message: 'body too large', bytes: opts.maxBodyBytes, timings };
      }
      const contentType = route.contentType ?? 'text/plain';
      if (route.status >= 400) {
        return { ok: false, url, finalUrl: current, redirects, status: route.status, contentType, headers: { 'content-type': contentType }, reason: 'http-error', code: `HTTP_${route.status}`, message: `HTTP ${route.status}`, bytes: body.length, timings };
      }
      return { ok: true, url, finalUrl: current, redirects, status: route.status, headers: { 'content-type': contentType }, contentType, body, bytes: body.length, timings };
    }
  };

  return { fetch, calls, served, set: (url, route) => void table.set(url, route) };
}
