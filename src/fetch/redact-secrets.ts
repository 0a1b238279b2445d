/**
 * Secrets never stored or printed. A secret is a request header value from the
 * config (`fetch.headers`, `fetch.hostHeaders`: Authorization, API keys,
 * cookies…), the credentials of a proxy URL, or a Redis password. This module
 * is the one place that knows which values those are and how they are written
 * out instead: `[redacted]`.
 *
 * - `redactConfig`: a config as it may be stored (crawl.json, a fixture's
 *   config, the shared definition of a distributed crawl): secret header values
 *   and URL credentials replaced. A value made only of `${env:NAME}` references
 *   (with at most an auth scheme word before it: `Bearer ${env:TOKEN}`) holds no
 *   secret and is kept, so a resumed crawl reads it from the environment again.
 * - `SecretRedactor`: every secret value of one crawl (env references resolved),
 *   to scrub free text (log lines, error messages) and request headers (WARC
 *   request records: `redactRequestHeaders`).
 * - `resolveEnvRefs`: `${env:NAME}` → the variable's value, at the moment of use.
 */
import { ConfigError } from '../core/errors.js';

export const REDACTED = '[redacted]';

/** `${env:NAME}` in a config string. */
const ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Header names whose values are never secret (kept in stored configs). */
const PLAIN_HEADERS: ReadonlySet<string> = new Set(['accept', 'accept-language', 'accept-encoding', 'cache-control', 'pragma', 'dnt', 'sec-gpc', 'upgrade-insecure-requests', 'referer', 'from']);

/** Request headers whose values are always secret, configured or not (WARC request records). */
const ALWAYS_SECRET_HEADERS: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization', 'cookie']);

/** Whether a header's values are never secret (Accept*, Cache-Control, Referer…). */
export function isPlainHeader(name: string): boolean {
  return PLAIN_HEADERS.has(name.toLowerCase());
}

/** Whether a header's configured value is kept as it is when stored: a plain header, or env references only. */
export function isStorableHeaderValue(name: string, value: string): boolean {
  return isPlainHeader(name) || holdsOnlyEnvRefs(value);
}

/** True when `value` has an env reference and nothing else but an optional auth scheme word (`Bearer ${env:T}`). */
export function holdsOnlyEnvRefs(value: string): boolean {
  if (!value.includes('${env:')) return false;
  return /^\s*([A-Za-z][A-Za-z0-9-]*\s+)?$/.test(value.replace(ENV_REF, ''));
}

/**
 * `value` with its `${env:NAME}` references replaced from `env`. A variable that is not set is a
 * ConfigError naming `field` (the config path holding the value).
 */
export function resolveEnvRefs(value: string, env: NodeJS.ProcessEnv, field: string): string {
  return value.replace(ENV_REF, (_, name: string) => {
    const resolved = env[name];
    if (resolved === undefined) throw new ConfigError(field, `refers to the environment variable ${name} ("\${env:${name}}"), which is not set`);
    return resolved;
  });
}

/** The names of the environment variables `value` refers to. */
export function envRefNames(value: string): string[] {
  return [...value.matchAll(ENV_REF)].map((match) => match[1]!);
}

/** A URL with its user and password replaced by `[redacted]` (unless they are env references); other strings unchanged. */
export function redactUrlCredentials(url: string): string {
  const at = url.indexOf('@');
  const scheme = url.indexOf('://');
  if (scheme === -1 || at === -1) return url;
  const end = url.indexOf('/', scheme + 3);
  if (end !== -1 && end < at) return url;
  const userinfo = url.slice(scheme + 3, at);
  // Credentials made only of env references (`${env:USER}:${env:PASS}`) hold no secret.
  if (userinfo.includes('${env:') && /^:?$/.test(userinfo.replace(ENV_REF, ''))) return url;
  return `${url.slice(0, scheme + 3)}${REDACTED}${url.slice(at)}`;
}

/** The fetch settings that may hold secrets (structurally: any config shape with these optional parts). */
interface SecretBearingFetch {
  headers?: Record<string, string>;
  hostHeaders?: Record<string, Record<string, string>>;
  proxy?: unknown;
}

/** A deep copy of `config` safe to store: secret header values and URL credentials replaced by `[redacted]`. */
export function redactConfig<T extends { fetch?: SecretBearingFetch }>(config: T): T {
  const copy = JSON.parse(JSON.stringify(config)) as T;
  const fetch = copy.fetch;
  if (!fetch) return copy;
  if (fetch.headers) fetch.headers = redactHeaderMap(fetch.headers);
  if (fetch.hostHeaders) {
    for (const host of Object.keys(fetch.hostHeaders)) fetch.hostHeaders[host] = redactHeaderMap(fetch.hostHeaders[host]!);
  }
  if (fetch.proxy !== undefined) fetch.proxy = mapStrings(fetch.proxy, redactUrlCredentials);
  return copy;
}

function redactHeaderMap(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name] = isStorableHeaderValue(name, value) ? value : REDACTED;
  return out;
}

/** Every string inside `value` (strings, arrays, objects) mapped by `fn`. */
function mapStrings(value: unknown, fn: (s: string) => string): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, fn));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, fn)]));
  return value;
}

/**
 * The config paths (e.g. `fetch.headers.Authorization`) whose value is a `[redacted]` placeholder:
 * a stored config whose secrets were not given again.
 */
export function redactedPaths(config: { fetch?: SecretBearingFetch }): string[] {
  const out: string[] = [];
  const visit = (value: unknown, path: string): void => {
    if (typeof value === 'string') {
      if (value.includes(REDACTED)) out.push(path);
    } else if (Array.isArray(value)) value.forEach((item, i) => visit(item, `${path}[${i}]`));
    else if (value && typeof value === 'object') for (const [key, item] of Object.entries(value)) visit(item, `${path}.${key}`);
  };
  const fetch = config.fetch ?? {};
  visit(fetch.headers, 'fetch.headers');
  visit(fetch.hostHeaders, 'fetch.hostHeaders');
  visit(fetch.proxy, 'fetch.proxy');
  return out;
}

/** Values shorter than this are not scrubbed from free text (a 1-character "secret" would shred every message). */
const MIN_SECRET_CHARS = 4;

/** Scrubs the secret values of one crawl from text and request headers. */
export class SecretRedactor {
  readonly #secrets: string[];
  /** Configured header names (lower case) whose values are secret. */
  readonly #secretHeaders: Set<string>;

  constructor(secrets: Iterable<string>, secretHeaderNames: Iterable<string> = []) {
    this.#secrets = [...new Set([...secrets].filter((s) => s.length >= MIN_SECRET_CHARS))].sort((a, b) => b.length - a.length);
    this.#secretHeaders = new Set([...ALWAYS_SECRET_HEADERS, ...[...secretHeaderNames].map((n) => n.toLowerCase())]);
  }

  /**
   * The secrets of a fetch config: every non-plain header value (env references resolved from
   * `env`; an unset variable adds nothing), and the user and password of proxy URLs (also
   * percent-decoded, as they are sent).
   */
  static fromConfig(fetch: SecretBearingFetch, env: NodeJS.ProcessEnv = process.env, extra: Iterable<string> = []): SecretRedactor {
    const secrets: string[] = [...extra];
    const names: string[] = [];
    const resolve = (value: string): string => value.replace(ENV_REF, (ref, name: string) => env[name] ?? ref);
    const addHeaders = (headers: Record<string, string> | undefined): void => {
      for (const [name, value] of Object.entries(headers ?? {})) {
        if (PLAIN_HEADERS.has(name.toLowerCase())) continue;
        names.push(name);
        const resolved = resolve(value);
        secrets.push(resolved);
        // "Bearer abc": the credential alone too, wherever it shows up.
        const credential = /^[A-Za-z][A-Za-z0-9-]*\s+(\S.*)$/.exec(resolved)?.[1];
        if (credential) secrets.push(credential);
      }
    };
    addHeaders(fetch.headers);
    for (const headers of Object.values(fetch.hostHeaders ?? {})) addHeaders(headers);
    mapStrings(fetch.proxy, (url) => {
      secrets.push(...urlCredentials(resolve(url)));
      return url;
    });
    return new SecretRedactor(secrets, names);
  }

  /** True when there is nothing to scrub. */
  get empty(): boolean {
    return this.#secrets.length === 0;
  }

  /** `text` with every secret replaced by `[redacted]`. */
  text(text: string): string {
    let out = text;
    for (const secret of this.#secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  }

  /**
   * Request headers as they may be stored (WARC request records): Authorization,
   * Proxy-Authorization, Cookie and every configured secret header replaced by `[redacted]`;
   * any other value scrubbed of the crawl's secrets.
   */
  requestHeaders<V extends string | string[] | undefined>(headers: Record<string, V>): Record<string, V> {
    const out: Record<string, V> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined) out[name] = value;
      else if (this.#secretHeaders.has(name.toLowerCase())) out[name] = (Array.isArray(value) ? value.map(() => REDACTED) : REDACTED) as V;
      else out[name] = (Array.isArray(value) ? value.map((v) => this.text(v)) : this.text(value as string)) as V;
    }
    return out;
  }
}

/** Header lines as sent (`Name: value`), secrets replaced: for raw request headers (WARC). */
export function redactRequestHeaders<V extends string | string[] | undefined>(headers: Record<string, V>, redactor: SecretRedactor = new SecretRedactor([])): Record<string, V> {
  return redactor.requestHeaders(headers);
}

/** The user and password of a URL, raw and percent-decoded (empty when none or not a URL). */
function urlCredentials(url: string): string[] {
  try {
    const parsed = new URL(url);
    return [parsed.username, parsed.password].filter((s) => s !== '').flatMap((s) => [s, safeDecode(s)]);
  } catch {
    return [];
  }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * A stored config layer without its `[redacted]` placeholders (header entries and proxies removed):
 * for a replay, which sends nothing anywhere, so the secrets are not needed.
 */
export function withoutRedactedValues<T extends Record<string, unknown>>(layer: T): T {
  const copy = JSON.parse(JSON.stringify(layer)) as T & { fetch?: SecretBearingFetch };
  const fetch = copy.fetch;
  if (!fetch) return copy;
  const clean = (headers: Record<string, string>): void => {
    for (const [name, value] of Object.entries(headers)) if (value.includes(REDACTED)) delete headers[name];
  };
  if (fetch.headers) clean(fetch.headers);
  for (const headers of Object.values(fetch.hostHeaders ?? {})) clean(headers);
  if (fetch.proxy !== undefined && JSON.stringify(fetch.proxy).includes(REDACTED)) delete fetch.proxy;
  return copy;
}

/**
 * `shared` (a stored fetch config, secrets redacted) with each `[redacted]` value taken from
 * `local` at the same place (header names compared without case), where `local` has it: a node
 * joining a distributed crawl brings its own secrets. What `local` lacks stays redacted.
 */
export function restoreRedacted(shared: Record<string, unknown>, local: SecretBearingFetch): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(shared)) as SecretBearingFetch & Record<string, unknown>;
  const fill = (target: Record<string, string>, source: Record<string, string> | undefined): void => {
    for (const [name, value] of Object.entries(target)) {
      if (!value.includes(REDACTED)) continue;
      const given = Object.entries(source ?? {}).find(([other, v]) => other.toLowerCase() === name.toLowerCase() && !v.includes(REDACTED));
      if (given) target[name] = given[1];
    }
  };
  if (copy.headers) fill(copy.headers, local.headers);
  for (const [host, headers] of Object.entries(copy.hostHeaders ?? {})) fill(headers, local.hostHeaders?.[host]);
  if (copy.proxy !== undefined && JSON.stringify(copy.proxy).includes(REDACTED) && local.proxy !== undefined) copy.proxy = local.proxy;
  return copy;
}
