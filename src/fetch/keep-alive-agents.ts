/**
 * The fetcher's connections and name lookups, sized for crawls over many
 * hosts:
 *
 * - keep-alive agents (http and https) whose idle sockets are bounded over
 *   all hosts together, not only per host: when a socket goes idle while
 *   `maxIdleSockets` already are, the one idle the longest is closed. Busy sockets are
 *   bounded by the crawl's concurrency, so a crawl of 20,000 hosts holds at
 *   most concurrency + maxIdleSockets sockets, not one idle socket per host
 *   it visited in the last seconds;
 * - a caching DNS resolver (cacheable-lookup: c-ares queries, answers kept
 *   for their TTL, failures for `dnsErrorTtlMs`), so host names do not queue
 *   behind libuv's 4-thread pool (`dns.lookup`) and each host is resolved
 *   once, not once per request. Its cache holds at most `maxDnsEntries`
 *   names (least recently stored first out). IP literals skip it. When the
 *   DNS servers themselves fail (unreachable, refused, timed out), the name
 *   is looked up by the system instead (`dns.lookup`: /etc/hosts, and the
 *   system's own error, e.g. EAI_AGAIN, never a resolver's ECONNREFUSED that
 *   would read as a refused connection).
 */
import http from 'node:http';
import https from 'node:https';
import { lookup as systemLookup, type LookupAddress, type LookupOptions, type Resolver } from 'node:dns';
import type { Duplex } from 'node:stream';
import type { SecureContext } from 'node:tls';
import CacheableLookup, { type CacheInstance, type EntryObject } from 'cacheable-lookup';

export interface KeepAliveAgentsOptions {
  /** Sockets per origin, busy and idle (the crawl's queue bounds the real concurrency). */
  maxSocketsPerHost: number;
  /** Idle sockets kept per origin. */
  maxIdleSocketsPerHost: number;
  /** Idle sockets kept over all origins (the longest idle is closed first). */
  maxIdleSockets: number;
  /** An idle socket is closed after this long, ms. */
  idleTimeoutMs: number;
  /** Host names whose answers are cached. @default 10000 */
  maxDnsEntries?: number;
  /** How long a failed lookup (no such host) is remembered, ms. @default 60000 */
  dnsErrorTtlMs?: number;
  /** The TLS context of every https connection (`fetch.tls.ca`). @default Node's default roots */
  secureContext?: SecureContext;
  /** Where DNS queries go (tests pass a fake). @default a new `dns.Resolver` (the system's servers) */
  resolver?: Pick<Resolver, 'resolve4' | 'resolve6' | 'getServers' | 'setServers'>;
}

export interface KeepAliveAgents {
  http: http.Agent;
  https: https.Agent;
  /** The caching resolver. */
  dns: CacheableLookup;
  /** `dns.lookup` through the cache (got's `dnsLookup`), falling back to the system when the DNS servers fail. */
  lookup: Lookup;
  /** Idle sockets held now, over both agents. */
  readonly idleSockets: number;
  /** Closes every socket. */
  destroy(): void;
}

export function createKeepAliveAgents(options: KeepAliveAgentsOptions): KeepAliveAgents {
  const agentOptions: http.AgentOptions = {
    keepAlive: true,
    maxSockets: options.maxSocketsPerHost,
    maxFreeSockets: options.maxIdleSocketsPerHost,
    timeout: options.idleTimeoutMs,
    scheduling: 'lifo',
  };
  const idle = new Set<Duplex>();
  const agents = { http: new http.Agent(agentOptions), https: new https.Agent({ ...agentOptions, ...(options.secureContext ? { secureContext: options.secureContext } : {}) }) };
  boundIdleSockets(agents.http, idle, options.maxIdleSockets);
  boundIdleSockets(agents.https, idle, options.maxIdleSockets);
  const dns = new CacheableLookup({
    cache: new BoundedDnsCache(options.maxDnsEntries ?? 10_000),
    errorTtl: (options.dnsErrorTtlMs ?? 60_000) / 1000,
    ...(options.resolver ? { resolver: options.resolver as Resolver } : {}),
  });
  return {
    ...agents,
    dns,
    lookup: cachedLookup(dns),
    get idleSockets() {
      return idle.size;
    },
    destroy() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

/** The callback signature of `dns.lookup` (one address, or all with `options.all`). */
export type Lookup = (
  hostname: string,
  options: LookupOptions,
  callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
) => void;

/** Answers of the resolver's own that mean "no such name" (cacheable-lookup then asks the system itself). */
const NO_SUCH_NAME = new Set(['ENOTFOUND', 'ENODATA', 'ENOENT']);

/**
 * `dns.lookup` through `dns`'s cache. A query that fails because of the DNS servers (a c-ares
 * error such as ECONNREFUSED, ETIMEOUT or ESERVFAIL from `queryA`) is asked of the system instead.
 */
function cachedLookup(dns: CacheableLookup): Lookup {
  return (hostname, options, callback) => {
    dns.lookup(hostname, options as never, ((error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => {
      if (error && error.syscall?.startsWith('query') && !NO_SUCH_NAME.has(error.code ?? '')) {
        systemLookup(hostname, options, callback as never);
        return;
      }
      callback(error, address, family);
    }) as never);
  };
}

/** Makes `agent` close a socket instead of keeping it idle once `max` sockets are idle in `idle` (shared by both agents). */
function boundIdleSockets(agent: http.Agent, idle: Set<Duplex>, max: number): void {
  const keep = agent.keepSocketAlive.bind(agent) as (socket: Duplex) => boolean;
  const reuse = agent.reuseSocket.bind(agent);
  const watched = new WeakSet<Duplex>();
  agent.keepSocketAlive = ((socket: Duplex): boolean => {
    if (max <= 0 || socket.destroyed || !keep(socket)) return false;
    // The sockets idle the longest make room: the host just used is the likeliest to be used again.
    // Each leaves the count at once: when it left on its 'close' (a tick later), sockets going
    // idle together all closed the same one and were all kept, and the count never came down
    // again: a 20,000-host crawl held ~1,500 idle sockets, and each one's idle timeout made Node's
    // agent scan all of them (a twentieth of the main process's CPU).
    for (const oldest of idle) {
      if (idle.size < max) break;
      idle.delete(oldest);
      oldest.destroy();
    }
    idle.add(socket);
    if (!watched.has(socket)) {
      watched.add(socket);
      socket.once('close', () => idle.delete(socket));
    }
    return true;
  }) as http.Agent['keepSocketAlive'];
  agent.reuseSocket = (socket, request) => {
    idle.delete(socket);
    reuse(socket, request);
  };
}

/** cacheable-lookup's cache with a size bound: the oldest stored name goes first. */
class BoundedDnsCache implements CacheInstance {
  readonly #entries = new Map<string, { entries: EntryObject[]; expiresAt: number }>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  get(hostname: string): EntryObject[] | undefined {
    const cached = this.#entries.get(hostname);
    if (!cached) return undefined;
    if (cached.expiresAt > Date.now()) return cached.entries;
    this.#entries.delete(hostname);
    return undefined;
  }

  set(hostname: string, entries: EntryObject[], ttlMs: number): boolean {
    this.#entries.delete(hostname);
    this.#entries.set(hostname, { entries, expiresAt: Date.now() + ttlMs });
    if (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value as string);
    return true;
  }

  delete(hostname: string): boolean {
    return this.#entries.delete(hostname);
  }

  clear(): void {
    this.#entries.clear();
  }
}
