/**
 * Which proxy a request goes through, and the agents that talk to it.
 *
 * - `fetch.proxy`: one proxy URL, or a list used in turn (round robin, one
 *   request each): `http://`, `https://` (TLS to the proxy), `socks5://`
 *   (names resolved here, through the fetcher's guarded lookup), `socks5h://`
 *   (names resolved by the proxy), `socks4://`; credentials in the URL, which may
 *   use `${env:NAME}`.
 * - `fetch.proxyHosts`: per-host overrides (`"intranet.example.com": "direct"`,
 *   `"*.shop.example": ["socks5://…", …]`), the same host patterns as `hostHeaders`.
 * - Without `fetch.proxy`, and unless `fetch.proxyFromEnv` is false, the
 *   environment's `HTTP_PROXY` / `HTTPS_PROXY` (lower-case too) are used, except for the
 *   hosts `NO_PROXY` lists (names and their subdomains, `.suffix`, IPs, CIDR ranges, `*`).
 *
 * Agents: hpagent for HTTP(S) proxies (a CONNECT tunnel per connection, kept alive),
 * socks-proxy-agent for SOCKS; one pair per proxy URL, made when first used (the
 * libraries are loaded then too: a crawl without a proxy never loads them).
 */
import type http from 'node:http';
import type { SecureContext } from 'node:tls';
import { inNetworks, parseAddress, parseCidr } from './address-ranges.js';
import { hostPatternMatcher } from './host-headers.js';
import { ConfigError } from '../core/errors.js';
import { proxyUrlProblem } from './proxy-url.js';
import { redactUrlCredentials, resolveEnvRefs } from './redact-secrets.js';

export interface ProxyConfig {
  proxy?: string | string[] | undefined;
  proxyHosts: Record<string, string | string[]>;
  proxyFromEnv: boolean;
}

/** One proxy: its URL (credentials resolved), a printable label, whether names are resolved here, and its agents. */
export interface ProxyRoute {
  url: URL;
  /** The URL with its credentials redacted, for messages. */
  label: string;
  /** True when the proxy resolves host names itself (HTTP(S) CONNECT, socks5h, socks4a): the guard cannot see the address it connects to. */
  remoteDns: boolean;
  agents: { http: http.Agent; https: http.Agent };
}

export interface ProxyAgentOptions {
  maxSockets: number;
  maxFreeSockets: number;
  idleTimeoutMs: number;
  /** CA certificates for an `https://` proxy (fetch.tls.ca). */
  ca?: string[];
  /** The TLS context of connections to https sites through the proxy (fetch.tls.ca). */
  secureContext?: SecureContext;
}

export class ProxyRouter {
  readonly #options: ProxyAgentOptions;
  readonly #env: NodeJS.ProcessEnv;
  readonly #routes = new Map<string, Promise<ProxyRoute>>();
  /** The configured rule: a rotation list, or undefined (env proxies or direct). */
  readonly #default: Rotation | undefined;
  readonly #hosts: (host: string) => Rotation | 'direct' | undefined;
  readonly #hasHostRules: boolean;
  readonly #fromEnv: { http?: string; https?: string; noProxy: (host: string) => boolean } | undefined;

  constructor(config: ProxyConfig, env: NodeJS.ProcessEnv, options: ProxyAgentOptions) {
    this.#options = options;
    this.#env = env;
    const list = config.proxy === undefined ? [] : Array.isArray(config.proxy) ? config.proxy : [config.proxy];
    this.#default = list.length > 0 ? new Rotation(list.map((url, i) => (url === 'direct' ? url : this.#resolve(url, Array.isArray(config.proxy) ? `fetch.proxy[${i}]` : 'fetch.proxy')))) : undefined;
    const rules = Object.fromEntries(
      Object.entries(config.proxyHosts).map(([pattern, value]) => {
        const urls = Array.isArray(value) ? value : [value];
        if (urls.length === 1 && urls[0] === 'direct') return [pattern, 'direct' as const];
        return [pattern, new Rotation(urls.map((url, i) => this.#resolve(url, `fetch.proxyHosts.${pattern}${Array.isArray(value) ? `[${i}]` : ''}`)))];
      }),
    );
    this.#hosts = hostPatternMatcher(rules);
    this.#hasHostRules = Object.keys(rules).length > 0;
    this.#fromEnv = !this.#default && config.proxyFromEnv ? envProxies(env) : undefined;
  }

  /** True when no request can go through a proxy. */
  get direct(): boolean {
    return !this.#default && !this.#fromEnv && !this.#hasHostRules;
  }

  /** The proxy for a request to `url`; undefined: connect directly. */
  route(url: URL): Promise<ProxyRoute> | undefined {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const own = this.#hosts(host);
    if (own === 'direct') return undefined;
    const next = (own ?? this.#default)?.next();
    if (next === 'direct') return undefined;
    if (next !== undefined) return this.#route(next);
    const env = this.#fromEnv;
    if (!env || env.noProxy(host)) return undefined;
    const fromEnv = url.protocol === 'https:' ? env.https : env.http;
    return fromEnv === undefined ? undefined : this.#route(fromEnv);
  }

  /** Closes every proxy connection. */
  destroy(): void {
    for (const route of this.#routes.values()) {
      void route.then(({ agents }) => {
        agents.http.destroy();
        agents.https.destroy();
      });
    }
    this.#routes.clear();
  }

  #resolve(url: string, field: string): string {
    return resolveEnvRefs(url, this.#env, field);
  }

  #route(href: string): Promise<ProxyRoute> {
    let route = this.#routes.get(href);
    if (!route) {
      route = makeRoute(href, this.#options);
      this.#routes.set(href, route);
    }
    return route;
  }
}

async function makeRoute(href: string, options: ProxyAgentOptions): Promise<ProxyRoute> {
  const url = new URL(href);
  const { maxSockets, maxFreeSockets, idleTimeoutMs, ca, secureContext } = options;
  const agentOptions = { keepAlive: true, maxSockets, maxFreeSockets, timeout: idleTimeoutMs, scheduling: 'lifo' as const, ...(secureContext ? { secureContext } : {}) };
  let agents: ProxyRoute['agents'];
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    const { HttpProxyAgent, HttpsProxyAgent } = await import('hpagent');
    const proxyRequestOptions = ca ? { ca } : {};
    agents = { http: new HttpProxyAgent({ ...agentOptions, proxy: url, proxyRequestOptions }), https: new HttpsProxyAgent({ ...agentOptions, proxy: url, proxyRequestOptions }) };
  } else {
    const { SocksProxyAgent } = await import('socks-proxy-agent');
    const socks = new SocksProxyAgent(url, agentOptions);
    agents = { http: socks, https: socks };
  }
  const localDns = url.protocol === 'socks5:' || url.protocol === 'socks4:' || url.protocol === 'socks:';
  return { url, label: redactUrlCredentials(href), remoteDns: !localDns, agents };
}

/** A list of proxies used in turn. */
class Rotation {
  readonly #urls: string[];
  #next = 0;
  constructor(urls: string[]) {
    this.#urls = urls;
  }
  next(): string | undefined {
    const url = this.#urls[this.#next];
    this.#next = (this.#next + 1) % this.#urls.length;
    return url;
  }
}

/** The environment's proxies (curl's conventions); undefined when none is set. */
function envProxies(env: NodeJS.ProcessEnv): { http?: string; https?: string; noProxy: (host: string) => boolean } | undefined {
  const read = (name: string): string | undefined => {
    const value = (env[name.toLowerCase()] ?? env[name.toUpperCase()])?.trim();
    if (!value) return undefined;
    return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  };
  const http = read('http_proxy');
  const https = read('https_proxy');
  if (http === undefined && https === undefined) return undefined;
  for (const [name, value] of [['HTTP_PROXY', http], ['HTTPS_PROXY', https]] as const) {
    if (value !== undefined && proxyUrlProblem(value) !== undefined) {
      throw new ConfigError(name, `(environment variable) ${proxyUrlProblem(value)}, got ${JSON.stringify(redactUrlCredentials(value))}; fix it, or set fetch.proxy (or fetch.proxyFromEnv: false)`);
    }
  }
  return { ...(http ? { http } : {}), ...(https ? { https } : {}), noProxy: noProxyMatcher(env.no_proxy ?? env.NO_PROXY ?? '') };
}

/**
 * NO_PROXY: comma- or space-separated entries; `*` matches everything; a name matches itself and
 * its subdomains (a leading dot or `*.` is ignored); an IP or CIDR range matches addresses in it;
 * a `:port` suffix is ignored.
 */
export function noProxyMatcher(value: string): (host: string) => boolean {
  const entries = value.split(/[\s,]+/).map((entry) => entry.trim().toLowerCase()).filter(Boolean);
  if (entries.includes('*')) return () => true;
  const networks: NonNullable<ReturnType<typeof parseCidr>>[] = [];
  const names: string[] = [];
  for (const entry of entries) {
    const bare = entry.replace(/^\[|\](:\d+)?$/g, '');
    const cidr = parseCidr(bare) ?? parseCidr(entry.replace(/:\d+$/, ''));
    if (cidr) networks.push(cidr);
    else names.push(entry.replace(/:\d+$/, '').replace(/^\*?\./, ''));
  }
  return (host) => {
    const lower = host.toLowerCase();
    if (parseAddress(lower)) return inNetworks(lower, networks) || names.includes(lower);
    return names.some((name) => lower === name || lower.endsWith(`.${name}`));
  };
}

/** Connection error codes that, with an HTTP(S) proxy, can only be about reaching the proxy. */
const PROXY_CONNECT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/**
 * The proxy's part in a failed request through `route` (no response came): its code and a
 * message naming the proxy without credentials; undefined when the error is not the proxy's
 * (a timeout, the guard's refusal, a local DNS failure of the target with socks5://).
 */
export function classifyProxyError(error: unknown, route: ProxyRoute, targetHost: string): { code: string; message: string } | undefined {
  const outer = (error ?? {}) as { code?: unknown; cause?: unknown; message?: unknown; name?: unknown };
  const inner = (outer.cause ?? outer) as { code?: unknown; message?: unknown; hostname?: unknown; constructor?: { name?: string } };
  const message = typeof inner.message === 'string' ? inner.message : String(inner);
  const code = typeof inner.code === 'string' ? inner.code : typeof outer.code === 'string' ? outer.code : '';
  if (outer.name === 'TimeoutError' || code === 'ETIMEDOUT' || code === 'ERR_BLOCKED_ADDRESS') return undefined;
  const status = /^Bad response: (\d+)/.exec(message)?.[1];
  if (status !== undefined) {
    return { code: status === '407' ? 'ERR_PROXY_AUTH' : 'ERR_PROXY_STATUS', message: `proxy ${route.label} answered ${status} to CONNECT ${targetHost}${status === '407' ? ' (proxy credentials refused)' : ''}` };
  }
  if (inner.constructor?.name === 'SocksClientError' || /socks/i.test(message)) {
    return { code: /authentication/i.test(message) ? 'ERR_PROXY_AUTH' : 'ERR_PROXY_SOCKS', message: `proxy ${route.label}: ${message}` };
  }
  if (PROXY_CONNECT_CODES.has(code)) {
    // socks5:// resolves the target here: its DNS failure is the target's, not the proxy's.
    if (!route.remoteDns && (code === 'ENOTFOUND' || code === 'EAI_AGAIN') && inner.hostname === targetHost) return undefined;
    return { code: 'ERR_PROXY_CONNECT', message: `cannot use proxy ${route.label}: ${message}` };
  }
  return undefined;
}
