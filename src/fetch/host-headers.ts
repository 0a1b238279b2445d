/**
 * Request headers from the config, with `${env:NAME}` references resolved when
 * the fetcher is created: the ones sent to the crawl's hosts (`fetch.headers`;
 * to hosts outside its scope, such as links checked with `checkExternal`,
 * only the plain ones) and the ones sent only to some hosts
 * (`fetch.hostHeaders`, the place for credentials: a redirect to another host
 * does not carry them). Pure but for `env`.
 */
import { isPlainHeader, resolveEnvRefs } from './redact-secrets.js';

/**
 * Request headers never taken from config: hop-by-hop headers are the agent's
 * job (and an explicit `Connection: keep-alive` makes nock hang); `Host` and
 * `Content-Length` belong to the request itself; the User-Agent comes from `userAgent`.
 */
const IGNORED_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'host', 'content-length', 'user-agent']);

/** `headers` with lower-cased names, ignored ones dropped and env references resolved (`field` names the config path in errors). */
export function configuredHeaders(headers: Record<string, string>, env: NodeJS.ProcessEnv, field: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!IGNORED_HEADERS.has(lower)) out[lower] = resolveEnvRefs(value, env, `${field}.${name}`);
  }
  return out;
}

/** The headers for one host name, or undefined when none is configured for it. */
export type HostHeaders = (hostname: string) => Record<string, string> | undefined;

/**
 * Compiles `fetch.hostHeaders`: keys are host names (`api.example.com`, matched exactly, case
 * aside) or `*.example.com` (its subdomains, not example.com itself). A host matched by several
 * keys gets all their headers, the exact name's last (winning).
 */
export function compileHostHeaders(hostHeaders: Record<string, Record<string, string>>, env: NodeJS.ProcessEnv): HostHeaders {
  const exact = new Map<string, Record<string, string>>();
  const suffixes: { suffix: string; headers: Record<string, string> }[] = [];
  for (const [pattern, headers] of Object.entries(hostHeaders)) {
    const resolved = configuredHeaders(headers, env, `fetch.hostHeaders.${pattern}`);
    const host = pattern.toLowerCase();
    if (host.startsWith('*.')) suffixes.push({ suffix: host.slice(1), headers: resolved });
    else exact.set(host, resolved);
  }
  if (exact.size === 0 && suffixes.length === 0) return () => undefined;
  return (hostname) => {
    const host = hostname.toLowerCase();
    let out: Record<string, string> | undefined;
    for (const { suffix, headers } of suffixes) if (host.endsWith(suffix)) out = { ...out, ...headers };
    const own = exact.get(host);
    return own ? { ...out, ...own } : out;
  };
}

/** The header overrides of one request (undefined removes a header the fetcher sends by default). */
export type RequestHeaders = (url: URL) => Record<string, string | undefined> | undefined;

/**
 * The per-request headers: the host's `fetch.hostHeaders`, and for a URL outside the crawl's
 * scope (`inScope` false) the `fetch.headers` that may carry credentials (all but the plain
 * ones, whatever their value) withheld, so a third party never sees them.
 */
export function requestHeaderRule(headers: Record<string, string>, hostHeaders: HostHeaders, inScope?: (url: URL) => boolean): RequestHeaders {
  const withheld = Object.fromEntries(Object.keys(headers).filter((name) => !isPlainHeader(name)).map((name) => [name.toLowerCase(), undefined]));
  if (!inScope || Object.keys(withheld).length === 0) return (url) => hostHeaders(url.hostname);
  return (url) => {
    const own = hostHeaders(url.hostname);
    return inScope(url) ? own : { ...withheld, ...own };
  };
}

/**
 * A lookup of host patterns (`api.example.com`: that host, case aside; `*.example.com`: its
 * subdomains): the exact name's value, else the longest matching suffix's, else undefined.
 */
export function hostPatternMatcher<T>(rules: Record<string, T>): (hostname: string) => T | undefined {
  const exact = new Map<string, T>();
  const suffixes: { suffix: string; value: T }[] = [];
  for (const [pattern, value] of Object.entries(rules)) {
    const host = pattern.toLowerCase();
    if (host.startsWith('*.')) suffixes.push({ suffix: host.slice(1), value });
    else exact.set(host, value);
  }
  suffixes.sort((a, b) => b.suffix.length - a.suffix.length);
  if (exact.size === 0 && suffixes.length === 0) return () => undefined;
  return (hostname) => {
    const host = hostname.toLowerCase();
    return exact.get(host) ?? suffixes.find(({ suffix }) => host.endsWith(suffix))?.value;
  };
}
